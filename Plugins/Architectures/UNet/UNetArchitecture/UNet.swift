import AEFilterCore
import AESystem

/// A small convolutional U-Net, the `unet` architecture: the reference
/// `nn.Module` is `PyTorch/unet.py` beside this file, with the same names.
///
/// Level l (28, 14, 7 pixels) has `channels · 2^l` channels; a block is two
/// `kernel`×`kernel` convolutions, each followed by ReLU. The encoder halves
/// with 2×2 max pooling, the bottleneck keeps the deepest width, the decoder
/// doubles (nearest neighbour), concatenates the skip of its level and runs
/// a block; a 1×1 convolution and a sigmoid give the image. Activations are
/// NHWC, every convolution one matrix product per group of images.
public struct UNet: DenoisingModel {
    public let channels: Int
    public let depth: Int
    public let kernel: Int
    /// Every convolution, in `state_dict` order (encoder, bottleneck, decoder by level, head).
    public internal(set) var layers: [Layer] {
        didSet { winogradWeights = UNetWinogradWeights() }
    }
    /// Forward passes kept between calls (they depend on the shape only).
    let passes = UNetPassPool()
    /// The 3×3 kernels as the filter's Winograd products take them, made once.
    private(set) var winogradWeights = UNetWinogradWeights()

    /// One convolution: its weights `[out][ky][kx][in]` (halves when they
    /// came as halves, until training replaces them) and bias.
    public struct Layer: Sendable, Equatable {
        public let name: String
        public let inputs: Int
        public let outputs: Int
        public let kernel: Int
        public var weights: WeightMatrix
        public var bias: [Float]

        public var width: Int { kernel * kernel * inputs }
    }

    public static let name = "unet"

    /// The side of the images.
    static let side = Geometry.side

    /// A U-Net with PyTorch's default `Conv2d` init: weights and biases ~ U(-1/√fan_in, 1/√fan_in).
    public init(channels: Int, depth: Int, kernel: Int, rng: inout RandomGenerator) {
        self.init(channels: channels, depth: depth, kernel: kernel) { name, inputs, outputs, kernel in
            let bound = 1 / Float(inputs * kernel * kernel).squareRoot()
            // Drawn in PyTorch's layout, so a seed gives the same network whatever the internal one.
            let weights = (0..<outputs * inputs * kernel * kernel).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
            let bias = (0..<outputs).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
            return (.floats(weights), bias)
        }
    }

    /// A U-Net whose layers' PyTorch weights and biases come from `values(name, inputs, outputs, kernel)`.
    init(
        channels: Int, depth: Int, kernel: Int,
        values: (_ name: String, _ inputs: Int, _ outputs: Int, _ kernel: Int) throws -> (WeightMatrix, [Float])
    ) rethrows {
        self.channels = channels
        self.depth = depth
        self.kernel = kernel
        var layers: [Layer] = []
        for (name, inputs, outputs, size) in Self.shapes(channels: channels, depth: depth, kernel: kernel) {
            let (weights, bias) = try values(name, inputs, outputs, size)
            layers.append(
                Layer(
                    name: name, inputs: inputs, outputs: outputs, kernel: size,
                    weights: Convolution.fromPyTorch(weights, outputs: outputs, inputs: inputs, kernel: size),
                    bias: bias))
        }
        self.layers = layers
    }

    /// The width of level `level`.
    static func width(_ level: Int, channels: Int) -> Int { channels << level }

    /// Every convolution's name, inputs, outputs and kernel, in `state_dict` order.
    static func shapes(channels: Int, depth: Int, kernel: Int) -> [(String, Int, Int, Int)] {
        var shapes: [(String, Int, Int, Int)] = []
        var inputs = 1
        for level in 0..<depth {
            let levelWidth = width(level, channels: channels)
            shapes.append(("encoder.\(level).conv1", inputs, levelWidth, kernel))
            shapes.append(("encoder.\(level).conv2", levelWidth, levelWidth, kernel))
            inputs = levelWidth
        }
        let deepest = width(depth - 1, channels: channels)
        shapes.append(("bottleneck.conv1", deepest, deepest, kernel))
        shapes.append(("bottleneck.conv2", deepest, deepest, kernel))
        for level in 0..<depth {
            let levelWidth = width(level, channels: channels)
            let below = level + 1 < depth ? width(level + 1, channels: channels) : deepest
            shapes.append(("decoder.\(level).conv1", below + levelWidth, levelWidth, kernel))
            shapes.append(("decoder.\(level).conv2", levelWidth, levelWidth, kernel))
        }
        shapes.append(("head", width(0, channels: channels), 1, 1))
        return shapes
    }

    /// The layer named `name`.
    func index(_ name: String) -> Int { layers.firstIndex { $0.name == name }! }

    public var architecture: String { Self.name }

    public var hyperparameters: [String: String] {
        ["channels": "\(channels)", "depth": "\(depth)", "kernel_size": "\(kernel)"]
    }

    public var parameterNames: [String] { layers.flatMap { [$0.name + ".weight", $0.name + ".bias"] } }

    public var parameters: [NamedTensor] {
        layers.flatMap { layer in
            [
                NamedTensor(
                    name: layer.name + ".weight", shape: [layer.outputs, layer.inputs, layer.kernel, layer.kernel],
                    values: Convolution.toPyTorch(
                        layer.weights.floats, outputs: layer.outputs, inputs: layer.inputs, kernel: layer.kernel)),
                NamedTensor(name: layer.name + ".bias", shape: [layer.outputs], values: layer.bias),
            ]
        }
    }

    public var summary: String {
        let widths = (0..<depth).map { String(Self.width($0, channels: channels)) }.joined(separator: "/")
        return "U-Net, \(widths) channels over \(depth + 1) levels, \(kernel)x\(kernel) convolutions, ReLU, sigmoid"
    }

    /// Images per group: each convolution is one product over a group.
    static let group = 8

    /// Starts `helper`, which forward passes of a few images then share,
    /// and has it transform the kernels for the filter's Winograd products
    /// and fault in a one-image pass while the filter reads its input.
    public func warmUp(helper: HelpingHand?) {
        guard let helper else { return }
        passes.helper = helper
        let model = self
        helper.prepare {
            if UNetPass.filterWinograd { model.winogradWeights.prepare(model) }
            let pass = UNetPass(model: model, images: 1, training: false)
            pass.touch()
            model.passes.give(pass)
        }
    }

    public func forward(
        _ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>, backend: any Backend
    ) {
        let images = min(batch, Self.group)
        let pass = passes.take(images: images) ?? UNetPass(model: self, images: images, training: false)
        defer { passes.give(pass) }
        var start = 0
        while start < batch {
            let count = min(Self.group, batch - start)
            pass.forward(
                self, input: x + start * Geometry.pixels, images: count, output: output + start * Geometry.pixels,
                backend: backend)
            start += count
        }
    }
}
