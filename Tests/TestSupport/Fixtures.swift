import AEData
import AEFilter
import AEFilterCore
import AESystem
import Foundation
import Testing
import TutorialArchitecture

/// Paths to the test corpora and reference files kept in `Tests/`, and to
/// the Fashion-MNIST data, found the way `ae-filter` finds it.
public enum Fixtures {
    /// The package root.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The tutorial's model trained by PyTorch (`Tests/Reference`).
    public static let referenceCheckpoint = reference("tutorial-pytorch-4800it.safetensors")

    /// A file under `Tests/Reference`.
    public static func reference(_ relative: String) -> String {
        root.appendingPathComponent("Tests/Reference").appendingPathComponent(relative).path
    }

    /// A file or folder under `Tests/Corpora` (PngSuite, the libpng crashers, libjpeg-turbo's images).
    public static func corpus(_ relative: String) -> String {
        root.appendingPathComponent("Tests/Corpora").appendingPathComponent(relative).path
    }

    public static func fixture(_ name: String) -> String {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name).path
    }

    /// The Fashion-MNIST folder: `$AE_FILTER_DATA`, else the user's cache.
    public static let dataDirectory = DataDirectory.resolve()

    /// One of the four Fashion-MNIST files, e.g. `t10k-images-idx3-ubyte.gz`.
    public static func data(_ name: String) -> String { "\(dataDirectory)/\(name)" }

    /// The architectures ae-filter ships with, for reading checkpoints.
    public static let architectures = PluginSet.standard.architectures

    /// The data set, loaded once; a test that needs it and finds none fails
    /// with one line saying how to get it.
    public static func fashionMNIST() throws -> FashionMNIST {
        try loadedData.get()
    }

    /// Records one issue saying how to get the data unless every file is there.
    @discardableResult
    public static func requireData(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let missing = FashionMNIST.files.map(\.name).filter { !FileManager.default.fileExists(atPath: data($0)) }
        guard missing.isEmpty else {
            Issue.record(
                "Fashion-MNIST is not in \(dataDirectory) (missing \(missing.joined(separator: ", "))): \(DataDirectory.howToGet)",
                sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    private static let loadedData = Result { () throws -> FashionMNIST in
        do {
            return try FashionMNIST(directory: dataDirectory)
        } catch {
            throw MissingData(description: "\(error)")
        }
    }

    /// The data could not be loaded; the message says how to get it.
    public struct MissingData: Error, CustomStringConvertible {
        public let description: String
    }

    public static func bytes(_ path: String) throws -> [UInt8] {
        try FileReader.read(path)
    }

    /// Little-endian float32 values.
    public static func floats(_ path: String) throws -> [Float] {
        let raw = try bytes(path)
        return stride(from: 0, to: raw.count, by: 4).map { i in
            Float(
                bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3])
                    << 24)
        }
    }

    public static func referenceModel() throws -> Autoencoder {
        try Checkpoint(bytes: bytes(referenceCheckpoint), architectures: PluginSet.standard.architectures).model
            as! Autoencoder
    }

    /// A small random model for tests that need any weights at all.
    public static func randomModel(hidden: Int = 24, seed: UInt64 = 7) -> Autoencoder {
        var rng = RandomGenerator(seed: seed)
        return Autoencoder(hiddenSize: hidden, rng: &rng)
    }
}

/// Where two arrays first differ, for `#expect(firstDifference(a, b) == nil)`:
/// Swift Testing would diff two large unequal arrays element by element for
/// minutes, so tests compare with this and print only the first difference.
public func firstDifference<Element: Equatable>(_ got: [Element], _ expected: [Element]) -> String? {
    for index in 0..<min(got.count, expected.count) where got[index] != expected[index] {
        return "element \(index) of \(expected.count): \(got[index]), expected \(expected[index])"
    }
    return got.count == expected.count ? nil : "\(got.count) elements, expected \(expected.count)"
}

/// The same for floats, bit for bit (NaN equals NaN, -0 differs from 0).
public func firstDifference(bits got: [Float], _ expected: [Float]) -> String? {
    firstDifference(got.map(\.bitPattern), expected.map(\.bitPattern))
}

/// A test or suite that needs the Fashion-MNIST data: without it, each test
/// fails with one line saying how to get it, and does not run.
public struct NeedsData: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if test.isSuite { return try await function() }
        guard Fixtures.requireData() else { return }
        try await function()
    }
}

extension Trait where Self == NeedsData {
    /// See ``NeedsData``.
    public static var needsData: Self { NeedsData() }
}
