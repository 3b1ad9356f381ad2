import AEFilter
import AEFilterCore
import CPUBackend
import TestSupport
import Testing

extension OpenBLASSuites {
    /// PyTorch's own outputs of the reference checkpoint (Tests/Reference/forward-check),
    /// reproduced by every backend within 1e-5 on every value.
    @Suite struct ForwardCheckTests {
        static let names = Fixtures.plugins.backends.names
        static let directory = "forward-check"

        func load() throws -> (input: [Float], keep: [Float], clean: [Float], dropout: [Float]) {
            let input = try Fixtures.bytes(Fixtures.reference("\(Self.directory)/input-u8-100x784.bin")).map {
                Float($0) / 255
            }
            let keep = try Fixtures.bytes(Fixtures.reference("\(Self.directory)/keep-mask-u8-100x784.bin")).map(
                Float.init)
            let clean = try Fixtures.floats(Fixtures.reference("\(Self.directory)/output-clean-f32le-100x784.bin"))
            let dropout = try Fixtures.floats(Fixtures.reference("\(Self.directory)/output-dropout-f32le-100x784.bin"))
            return (input, keep, clean, dropout)
        }

        @Test(arguments: names)
        func matchesPyTorch(backendName: String) throws {
            let model = try Fixtures.referenceModel()
            let backend = try Fixtures.plugins.backends.make(backendName, threads: 2)
            let data = try load()
            #expect(data.input.count == 100 * 784 && data.clean.count == 100 * 784)

            let clean = model.forward(data.input, batch: 100, backend: backend)
            let cleanError = zip(clean, data.clean).map { abs($0 - $1) }.max()!
            #expect(cleanError <= 1e-5, "clean: \(cleanError)")

            let noisyInput = zip(data.input, data.keep).map { $0 * $1 * 2 }
            let noisy = model.forward(noisyInput, batch: 100, backend: backend)
            let noisyError = zip(noisy, data.dropout).map { abs($0 - $1) }.max()!
            #expect(noisyError <= 1e-5, "dropout: \(noisyError)")
        }

        /// The same through the filter's typed stages, one image at a time and batched.
        @Test func pipelineStagesReproduceTheReference() throws {
            let model = try Fixtures.referenceModel()
            let data = try load()
            let denoise = Denoise(model: model, backend: CPUBackend(threads: 2), maxBatch: 32)
            let items = (0..<100).map { i in
                NoisySample(stream: UInt64(i), clean: [], noisy: Array(data.input[i * 784..<(i + 1) * 784]))
            }
            let batched = try denoise.processBatch(items).map { try $0.get().output }
            #expect(batched.flatMap { $0 }.elementsEqual(data.clean) { abs($0 - $1) <= 1e-5 })
            let single = try denoise.process(items[7]).output
            #expect(zip(single, batched[7]).map { abs($0 - $1) }.max()! <= 1e-6)
        }
    }
}
