import AEFilter
import AEFilterCore
import AESystem
import AETraining
import CPUBackend
import Foundation
import TestSupport
import Testing
import UNetArchitecture

/// The U-Net against its reference `nn.Module` (`PyTorch/unet.py`): the
/// forward pass within 1e-5 of PyTorch's, the gradients and one Adam step
/// against PyTorch computing in float64.
@Suite struct UNetTests {
    static let directory = "unet"

    static func load(_ name: String) throws -> Checkpoint {
        try Checkpoint(contentsOf: Fixtures.reference("\(directory)/\(name)"), architectures: Fixtures.architectures)
    }

    static func floats(_ name: String) throws -> [Float] {
        try Fixtures.floats(Fixtures.reference("\(directory)/\(name)"))
    }

    static func tensors(_ name: String) throws -> [String: SafeTensors.Tensor] {
        try SafeTensors.parse(Fixtures.bytes(Fixtures.reference("\(directory)/\(name)"))).tensors
    }

    @Test func loadsThePyTorchCheckpointByItsMetadata() throws {
        let checkpoint = try Self.load("unet-4-2-3.safetensors")
        let model = try #require(checkpoint.model as? UNet)
        #expect(model.channels == 4 && model.depth == 2 && model.kernel == 3)
        #expect(model.parameters.map(\.name).first == "encoder.0.conv1.weight")
        // Written back, every tensor is PyTorch's, bit for bit.
        let reference = try Self.tensors("unet-4-2-3.safetensors")
        for parameter in model.parameters {
            let expected = try #require(reference[parameter.name])
            #expect(parameter.shape == expected.shape)
            #expect(firstDifference(bits: parameter.values, expected.values) == nil, "\(parameter.name)")
        }
    }

    @Test(arguments: ["cpu", "blas"])
    func forwardMatchesPyTorch(backendName: String) throws {
        let model = try Self.load("unet-4-2-3.safetensors").model
        let input = try Self.floats("inputs-f32le-6x784.bin")
        let expected = try Self.floats("outputs-f32le-6x784.bin")
        let output = model.forward(
            input, batch: 6, backend: try Fixtures.plugins.backends.make(backendName, threads: 2))
        let worst = zip(output, expected).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "worst difference \(worst)")
    }

    /// Every image comes out the same alone as in a batch, with the built-in backend.
    @Test func imagesAreIndependentOfTheirBatch() throws {
        let model = try Self.load("unet-4-2-3.safetensors").model
        let input = try Self.floats("inputs-f32le-6x784.bin")
        let backend = CPUBackend(threads: 2)
        let batch = model.forward(input, batch: 6, backend: backend)
        for image in 0..<6 {
            let alone = model.forward(Array(input[image * 784..<(image + 1) * 784]), batch: 1, backend: backend)
            #expect(firstDifference(bits: alone, Array(batch[image * 784..<(image + 1) * 784])) == nil)
        }
    }

    /// A forward-only pass (activations taking turns in two buffers, one or
    /// two images shared with the helper thread, passes kept between calls)
    /// gives the bits of a training pass that keeps every activation apart,
    /// both making patches, at either depth and with a 1×1 or 5×5 kernel.
    /// With Winograd products (3×3 only: the filter's, with its small-k
    /// product, and training's, with `gemm`) both land within 1e-5 of it.
    @Test(arguments: [(3, 1, 3), (4, 2, 3), (2, 2, 5), (3, 1, 1)])
    func aForwardOnlyPassGivesATrainingPassesBits(channels: Int, depth: Int, kernel: Int) throws {
        var rng = RandomGenerator(seed: UInt64(channels * 100 + depth * 10 + kernel))
        let model = UNet(channels: channels, depth: depth, kernel: kernel, rng: &rng)
        model.warmUp(helper: HelpingHand())
        let input = try Self.floats("inputs-f32le-6x784.bin")
        let backend = CPUBackend()
        func run(_ x: [Float], images: Int, training: Bool = true, winograd: Bool) -> [Float] {
            var output = [Float](repeating: .nan, count: images * 784)
            let pass = UNetPass(model: model, images: images, training: training, winograd: winograd)
            x.withUnsafeBufferPointer { xp in
                output.withUnsafeMutableBufferPointer {
                    pass.forward(
                        model, input: xp.baseAddress!, images: images, output: $0.baseAddress!, backend: backend)
                }
            }
            return output
        }
        for images in [1, 2, 6] {
            let x = Array(input[..<(images * 784)])
            let expected = run(x, images: images, winograd: false)
            let forwardOnly = run(x, images: images, training: false, winograd: false)
            #expect(firstDifference(bits: forwardOnly, expected) == nil, "\(images) images")
            let filtered = model.forward(x, batch: images, backend: backend)
            #expect(firstDifference(bits: model.forward(x, batch: images, backend: backend), filtered) == nil)
            let winograd = run(x, images: images, winograd: true)
            for (name, got) in [("the filter's", filtered), ("training's", winograd)] {
                let worst = zip(got, expected).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-5, "\(images) images: \(name) Winograd output off by \(worst)")
                if kernel != 3 { #expect(firstDifference(bits: got, expected) == nil, "\(name)") }
            }
        }
    }

    @Test func gradientsMatchAFloat64Reference() throws {
        let model = try #require(try Self.load("unet-4-2-3.safetensors").model as? UNet)
        let input = try Self.floats("inputs-f32le-6x784.bin")
        let target = try Self.floats("targets-f32le-6x784.bin")
        let reference = try Self.tensors("unet-4-2-3-gradients.safetensors")
        let pass = UNetPass(model: model, images: 6)
        let (weightOffsets, biasOffsets, count) = UNetPass.offsets(model)
        var gradients = [Float](repeating: 0, count: count)
        var output = [Float](repeating: 0, count: 6 * 784)
        var sums = [Double](repeating: 0, count: 6)
        let backend = CPUBackend(threads: 1)
        input.withUnsafeBufferPointer { x in
            target.withUnsafeBufferPointer { t in
                output.withUnsafeMutableBufferPointer { y in
                    gradients.withUnsafeMutableBufferPointer { g in
                        sums.withUnsafeMutableBufferPointer { s in
                            pass.forward(
                                model, input: x.baseAddress!, images: 6, output: y.baseAddress!, backend: backend)
                            pass.backward(
                                model, output: y.baseAddress!, target: t.baseAddress!, images: 6,
                                gradients: g.baseAddress!,
                                scale: 2 / Float(6 * 784), rowSums: s.baseAddress!, backend: backend)
                        }
                    }
                }
            }
        }
        let loss = sums.reduce(0, +) / Double(6 * 784)
        let expectedLoss = Double(
            try String(contentsOfFile: Fixtures.reference("\(Self.directory)/step-loss.txt"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(abs(loss - expectedLoss) < 1e-6)
        for (index, layer) in model.layers.enumerated() {
            let weights = Convolution.toPyTorch(
                Array(gradients[weightOffsets[index]..<weightOffsets[index] + layer.weights.count]),
                outputs: layer.outputs, inputs: layer.inputs, kernel: layer.kernel)
            let bias = Array(gradients[biasOffsets[index]..<biasOffsets[index] + layer.bias.count])
            for (name, got) in [(layer.name + ".weight", weights), (layer.name + ".bias", bias)] {
                let expected = try #require(reference[name]).values
                let scale = max(expected.map { abs($0) }.max()!, 1e-6)
                let worst = zip(got, expected).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-4 * scale, "\(name): worst \(worst) of \(scale)")
            }
        }
    }

    /// One training step through the trainer, 1 and 3 threads alike, lands where PyTorch's float64 step does.
    @Test func aTrainingStepMatchesAFloat64Reference() throws {
        let model = try #require(try Self.load("unet-4-2-3.safetensors").model as? UNet)
        let input = try Self.floats("inputs-f32le-6x784.bin")
        let target = try Self.floats("targets-f32le-6x784.bin")
        let gradients = try Self.tensors("unet-4-2-3-gradients.safetensors")
        let after = try Self.tensors("unet-4-2-3-after-step.safetensors")
        var results: [[NamedTensor]] = []
        for threads in [1, 3] {
            var trainer = UNetTrainer(
                model: model, optimizer: Adam(sizes: model.parameters.map(\.values.count), learningRate: 0.01),
                backend: CPUBackend(threads: 1), batchSize: 6, threads: threads)
            _ = input.withUnsafeBufferPointer { x in
                target.withUnsafeBufferPointer { t in
                    trainer.step(noisy: x.baseAddress!, clean: t.baseAddress!, count: 6)
                }
            }
            results.append(trainer.model.parameters)
        }
        #expect(results[0] == results[1], "the thread count changed the step")
        for parameter in results[0] {
            let expected = try #require(after[parameter.name]).values
            let gradient = try #require(gradients[parameter.name]).values
            // Adam's first step moves each weight by about lr·sign(g); where g is
            // at the float32 noise level its sign is not defined, so those are skipped.
            for i in parameter.values.indices where abs(gradient[i]) > 1e-5 {
                #expect(abs(parameter.values[i] - expected[i]) < 1e-4, "\(parameter.name)[\(i)]")
            }
        }
    }
}
