import AEData
import Foundation
import TestSupport
import Testing

/// The filter's output for fixed inputs, byte for byte against files in
/// Tests/Reference/golden. The built-in backend does the same IEEE operations
/// in the same order on every CPU, and the rest of the pipeline is exact, so
/// these bytes are the same on every x86-64 machine, code path
/// (`AE_FILTER_CPU_PATH`) and batching. A failure names the first byte that
/// differs. After a deliberate change (a retrained model), rewrite the files
/// with `AE_FILTER_WRITE_GOLDEN=1 swift test --filter GoldenOutputTests`.
@Suite struct GoldenOutputTests {
    /// The first 100 Fashion-MNIST test images as an IDX3 stream.
    static let stream: [UInt8] = {
        let pixels = (try? Fixtures.bytes(Fixtures.reference("forward-check/input-u8-100x784.bin"))) ?? []
        return [0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28] + pixels
    }()

    /// An embedded model's safetensors file in the sources.
    static func embedded(_ name: String) -> String {
        Fixtures.root.appendingPathComponent("Sources/CAEEmbeddedModels/\(name).safetensors").path
    }

    @Test(arguments: [
        (["--model", "tutorial", "--noise", "0.5", "--seed", "7", "--format", "idx"], "tutorial-noise-0.5.idx"),
        (["--model", "tutorial", "--format", "png", "--batch-size", "1"], "tutorial-clean.png-stream"),
        (
            ["--model", Fixtures.referenceCheckpoint, "--noise", "0.3", "--seed", "1", "--format", "pgm"],
            "pytorch-tutorial-noise-0.3.pgm-stream"
        ),
        (["--model", "blind", "--noise", "0.3", "--seed", "1", "--format", "idx", "-j", "1"], "blind-noise-0.3.idx"),
        // One image per forward pass, which the U-Net shares with its helper thread: the same bytes.
        (
            ["--model", "blind", "--noise", "0.3", "--seed", "1", "--format", "idx", "--batch-size", "1"],
            "blind-noise-0.3.idx"
        ),
        // The embedded models' files, whose F16 weights are copied as halves
        // rather than used in place: the same bytes.
        (
            ["--model", embedded("tutorial"), "--noise", "0.5", "--seed", "7", "--format", "idx"],
            "tutorial-noise-0.5.idx"
        ),
        (
            ["--model", embedded("blind"), "--noise", "0.3", "--seed", "1", "--format", "idx", "-j", "1"],
            "blind-noise-0.3.idx"
        ),
    ])
    func outputsAreTheGoldenBytes(arguments: [String], file: String) throws {
        #expect(Self.stream.count == 16 + 100 * 784)
        let result = try CLI.run(arguments, stdin: Self.stream)
        #expect(result.status == 0, "\(result.stderr)")
        let path = Fixtures.reference("golden/\(file)")
        if ProcessInfo.processInfo.environment["AE_FILTER_WRITE_GOLDEN"] == "1" {
            try Data(result.stdout).write(to: URL(fileURLWithPath: path))
        }
        let expected = try Fixtures.bytes(path)
        #expect(firstDifference(result.stdout, expected) == nil, "\(file), MD5 \(MD5.hex(result.stdout))")
    }
}
