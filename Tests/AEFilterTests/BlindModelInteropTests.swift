import AEFilter
import AEFilterCore
import AESystem
import Foundation
import TestSupport
import Testing

/// The embedded `blind` model, loaded by PyTorch with `load_state_dict` into
/// the reference module (Tests/Reference/blind-pytorch/make_blind_check.py),
/// gives the filter's grey levels within one, clean and with dropout noise.
@Suite struct BlindModelInteropTests {
    static let directory = Fixtures.reference("blind-pytorch")

    @Test func theFixtureIsOfTheEmbeddedModel() throws {
        let embedded = Fixtures.root.appendingPathComponent("Sources/CAEEmbeddedModels/blind.safetensors").path
        let recorded = try String(contentsOfFile: "\(Self.directory)/checkpoint.sha256", encoding: .utf8)
        #expect(
            SHA256.hex(try Fixtures.bytes(embedded)) == recorded.trimmingCharacters(in: .whitespacesAndNewlines),
            "the blind model changed: run Tests/Reference/blind-pytorch/make_blind_check.py")
    }

    @Test(arguments: ["clean", "dropout"])
    func pytorchReproducesTheFilterWithinOneGreyLevel(input: String) throws {
        let count = 20
        let pixels = try Fixtures.bytes(Fixtures.reference("forward-check/input-u8-100x784.bin"))
        let keep = try Fixtures.bytes(Fixtures.reference("forward-check/keep-mask-u8-100x784.bin"))
        var x = pixels.prefix(count * 784).map { Float($0) / 255 }
        if input == "dropout" {
            for i in x.indices { x[i] *= Float(keep[i]) * 2 }
        }
        let checkpoint = try #require(try EmbeddedModels.load("blind", architectures: Fixtures.architectures))
        let backend = try Fixtures.plugins.backends.make("cpu", threads: 1)
        let y = checkpoint.model.forward(x, batch: count, backend: backend)
        let filter = y.map { Render.quantize($0) }
        let pytorch = try Fixtures.bytes("\(Self.directory)/output-\(input)-u8-\(count)x784.bin")
        #expect(pytorch.count == filter.count)
        let worst = zip(filter, pytorch).map { abs(Int($0) - Int($1)) }.max() ?? 99
        #expect(worst <= 1, "largest difference: \(worst) grey levels")
    }
}
