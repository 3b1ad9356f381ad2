import AEFilterCore
import AESystem
import Foundation

/// Paths to the project's small fixtures and to the large shared data in `../shared`.
public enum Fixtures {
    /// The package root.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// `../shared` beside the checkout: data, reference outputs, test corpora.
    public static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")

    public static let referenceCheckpoint = shared.appendingPathComponent(
        "reference/tutorial-pytorch-4800it.safetensors"
    ).path

    public static func sharedPath(_ relative: String) -> String {
        shared.appendingPathComponent(relative).path
    }

    public static func fixture(_ name: String) -> String {
        root.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name).path
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
        try Checkpoint(bytes: bytes(referenceCheckpoint)).model
    }

    /// A small random model for tests that need any weights at all.
    public static func randomModel(hidden: Int = 24, seed: UInt64 = 7) -> Autoencoder {
        var rng = RandomGenerator(seed: seed)
        return Autoencoder(hiddenSize: hidden, rng: &rng)
    }
}
