import AEData
import Foundation
import TestSupport
import Testing

/// The filter's output for fixed inputs, by digest. The built-in backend does
/// the same IEEE operations in the same order on every CPU, and the rest of
/// the pipeline is exact, so these bytes are the same on every x86-64
/// machine, code path (`AE_FILTER_CPU_PATH`) and batching.
@Suite struct GoldenOutputTests {
    /// The first 100 Fashion-MNIST test images as an IDX3 stream.
    static let stream: [UInt8] = {
        let pixels = (try? Fixtures.bytes(Fixtures.reference("forward-check/input-u8-100x784.bin"))) ?? []
        return [0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28] + pixels
    }()

    static func digest(_ arguments: [String]) throws -> String {
        let result = try CLI.run(arguments, stdin: stream)
        #expect(result.status == 0, "\(result.stderr)")
        return MD5.hex(result.stdout)
    }

    @Test(arguments: [
        (["--noise", "0.5", "--seed", "7", "--format", "idx"], "2a97907274c81d614281f6007691d664"),
        (["--format", "png", "--batch-size", "1"], "1e4e5d7bd21136bc0d8492f777ca63fb"),
        (
            ["--model", Fixtures.referenceCheckpoint, "--noise", "0.3", "--seed", "1", "--format", "pgm"],
            "225f7439335a3c1e4f0b8d244cb1cca4"
        ),
    ])
    func outputsHaveTheirDigest(arguments: [String], expected: String) throws {
        #expect(Self.stream.count == 16 + 100 * 784)
        let digest = try Self.digest(arguments)
        #expect(digest == expected)
    }
}
