import AEFilterCore

/// The tutorial's overcomplete autoencoder:
/// `sigmoid(fc2(leaky_relu(fc1(x), slope)))`, with `fc1: 784→H`, `fc2: H→784`.
///
/// Weights use PyTorch's layout: `fc1Weight` is `[H, 784]` and `fc2Weight`
/// is `[784, H]`, row-major.
public struct Autoencoder: DenoisingModel, Equatable {
    public let inputSize: Int
    public let hiddenSize: Int
    public var negativeSlope: Float
    /// The weights as stored: floats, or an embedded checkpoint's halves in place.
    public var fc1: WeightMatrix
    public var fc2: WeightMatrix
    public var fc1Bias: [Float]
    public var fc2Bias: [Float]

    /// `fc1.weight` as floats.
    public var fc1Weight: [Float] {
        get { fc1.floats }
        set { fc1 = .floats(newValue) }
    }

    /// `fc2.weight` as floats.
    public var fc2Weight: [Float] {
        get { fc2.floats }
        set { fc2 = .floats(newValue) }
    }

    /// A model from its parameters, in PyTorch's `nn.Linear` layout (weights `out × in`).
    public init(
        hiddenSize: Int, inputSize: Int = Geometry.pixels, negativeSlope: Float = 0.01,
        fc1Weight: [Float], fc1Bias: [Float], fc2Weight: [Float], fc2Bias: [Float]
    ) {
        self.init(
            hiddenSize: hiddenSize, inputSize: inputSize, negativeSlope: negativeSlope, fc1: .floats(fc1Weight),
            fc1Bias: fc1Bias, fc2: .floats(fc2Weight), fc2Bias: fc2Bias)
    }

    /// A model from weights as stored (floats or halves in place) and biases.
    public init(
        hiddenSize: Int, inputSize: Int = Geometry.pixels, negativeSlope: Float = 0.01,
        fc1: WeightMatrix, fc1Bias: [Float], fc2: WeightMatrix, fc2Bias: [Float]
    ) {
        precondition(fc1.count == hiddenSize * inputSize && fc1Bias.count == hiddenSize)
        precondition(fc2.count == inputSize * hiddenSize && fc2Bias.count == inputSize)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.negativeSlope = negativeSlope
        self.fc1 = fc1
        self.fc1Bias = fc1Bias
        self.fc2 = fc2
        self.fc2Bias = fc2Bias
    }

    /// PyTorch's default `nn.Linear` init: weights and biases ~ U(-1/√fan_in, 1/√fan_in).
    public init(
        hiddenSize: Int, inputSize: Int = Geometry.pixels, negativeSlope: Float = 0.01, rng: inout RandomGenerator
    ) {
        func uniform(_ count: Int, fanIn: Int) -> [Float] {
            let bound = 1 / Float(fanIn).squareRoot()
            return (0..<count).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
        }
        self.init(
            hiddenSize: hiddenSize, inputSize: inputSize, negativeSlope: negativeSlope,
            fc1Weight: uniform(hiddenSize * inputSize, fanIn: inputSize),
            fc1Bias: uniform(hiddenSize, fanIn: inputSize),
            fc2Weight: uniform(inputSize * hiddenSize, fanIn: hiddenSize),
            fc2Bias: uniform(inputSize, fanIn: hiddenSize))
    }

    public var architecture: String { Self.name }
    public var hyperparameters: [String: String] {
        ["hidden_size": "\(hiddenSize)", "negative_slope": "\(negativeSlope)"]
    }
    public var parameterNames: [String] { Parameter.allCases.map(\.name) }
    public var parameters: [NamedTensor] {
        Parameter.allCases.map { NamedTensor(name: $0.name, shape: shape(of: $0), values: self[$0]) }
    }
    public var summary: String {
        "Linear(\(inputSize), \(hiddenSize)) → leaky_relu(\(negativeSlope)) → Linear(\(hiddenSize), \(inputSize)) → sigmoid"
    }

    /// Runs `batch` images through the network into `output`.
    public func forward(
        _ x: UnsafePointer<Float>, batch: Int, output: UnsafeMutablePointer<Float>, backend: any Backend
    ) {
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: batch * hiddenSize)
        defer { hidden.deallocate() }
        forward(x, batch: batch, hidden: hidden, output: output, backend: backend)
    }

    /// Runs `batch` rows of `x` (`[batch, 784]`) through the network into `output`.
    /// `hidden` is scratch space of `batch * hiddenSize` floats; on return it holds the activations.
    public func forward(
        _ x: UnsafePointer<Float>, batch: Int, hidden: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>, backend: any Backend
    ) {
        let h = hiddenSize
        let d = inputSize
        let slope = negativeSlope
        fc1.multiply(x, m: batch, lda: d, rows: h, columns: d, into: hidden, ldc: h, backend: backend)
        fc1Bias.withUnsafeBufferPointer { b1 in
            Elementwise.biasLeakyReLU(
                z: hidden, a: hidden, bias: b1.baseAddress!, rows: batch, columns: h, slope: slope,
                threads: backend.threads)
        }
        fc2.multiply(hidden, m: batch, lda: h, rows: d, columns: h, into: output, ldc: d, backend: backend)
        fc2Bias.withUnsafeBufferPointer { b2 in
            Elementwise.biasSigmoid(y: output, bias: b2.baseAddress!, rows: batch, columns: d, threads: backend.threads)
        }
    }
}

extension Autoencoder {
    /// The four parameter tensors, in PyTorch's `state_dict` order.
    public enum Parameter: Int, CaseIterable, Sendable {
        case fc1Weight, fc1Bias, fc2Weight, fc2Bias

        /// The `state_dict` name, e.g. `fc1.weight`.
        public var name: String {
            switch self {
            case .fc1Weight: return "fc1.weight"
            case .fc1Bias: return "fc1.bias"
            case .fc2Weight: return "fc2.weight"
            case .fc2Bias: return "fc2.bias"
            }
        }
    }

    /// A parameter tensor's shape, PyTorch's layout.
    public func shape(of parameter: Parameter) -> [Int] {
        switch parameter {
        case .fc1Weight: return [hiddenSize, inputSize]
        case .fc1Bias: return [hiddenSize]
        case .fc2Weight: return [inputSize, hiddenSize]
        case .fc2Bias: return [inputSize]
        }
    }

    /// A parameter tensor's values.
    public subscript(parameter: Parameter) -> [Float] {
        get {
            switch parameter {
            case .fc1Weight: return fc1Weight
            case .fc1Bias: return fc1Bias
            case .fc2Weight: return fc2Weight
            case .fc2Bias: return fc2Bias
            }
        }
        set {
            precondition(newValue.count == self[parameter].count)
            switch parameter {
            case .fc1Weight: fc1Weight = newValue
            case .fc1Bias: fc1Bias = newValue
            case .fc2Weight: fc2Weight = newValue
            case .fc2Bias: fc2Bias = newValue
            }
        }
    }
}
