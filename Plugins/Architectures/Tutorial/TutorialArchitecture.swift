import AEFilterCore

/// The tutorial's network as a registered architecture: `tutorial`.
public enum TutorialArchitecture {
    /// The largest hidden size accepted.
    public static let maxHiddenSize = 1 << 16

    public static let hyperparameters = [
        ArchitectureRegistry.Hyperparameter(
            name: "hidden_size", defaultValue: 1176, meaning: "hidden units", values: 1...maxHiddenSize,
            option: "hidden")
    ]

    /// Registers `tutorial`.
    public static func register(into registry: inout ArchitectureRegistry) {
        registry.register(
            name: Autoencoder.name,
            summary: "the tutorial's 784-H-784 autoencoder: Linear, leaky_relu(0.01), Linear, sigmoid",
            hyperparameters: hyperparameters,
            make: { values, rng in Autoencoder(hiddenSize: values["hidden_size"] ?? 1176, rng: &rng) },
            load: load)
    }

    /// The model in a checkpoint with PyTorch's `fc1.weight`, `fc1.bias`,
    /// `fc2.weight`, `fc2.bias`, as the tutorial's `state_dict` names them.
    static func load(_ tensors: [String: SafeTensors.Tensor], _ metadata: [String: String]) throws(CheckpointError)
        -> any DenoisingModel
    {
        func tensor(_ parameter: Autoencoder.Parameter) throws(CheckpointError) -> SafeTensors.Tensor {
            guard let tensor = tensors[parameter.name] else {
                throw CheckpointError("missing tensor '\(parameter.name)'")
            }
            return tensor
        }
        let d = Geometry.pixels
        let w1 = try tensor(.fc1Weight)
        let b1 = try tensor(.fc1Bias)
        let w2 = try tensor(.fc2Weight)
        let b2 = try tensor(.fc2Bias)
        guard w1.shape.count == 2, w1.shape[1] == d, (1...maxHiddenSize).contains(w1.shape[0]) else {
            throw CheckpointError(
                "fc1.weight has shape \(w1.shape), expected [H, \(d)] with H from 1 to \(maxHiddenSize)")
        }
        let h = w1.shape[0]
        guard b1.shape == [h] else { throw CheckpointError("fc1.bias has shape \(b1.shape), expected [\(h)]") }
        guard w2.shape == [d, h] else {
            throw CheckpointError("fc2.weight has shape \(w2.shape), expected [\(d), \(h)]")
        }
        guard b2.shape == [d] else { throw CheckpointError("fc2.bias has shape \(b2.shape), expected [\(d)]") }
        var slope: Float = 0.01
        // Files written before architectures had names keep it as `negative_slope`.
        if let text = metadata[.hyperparameter("negative_slope")] ?? metadata[.negativeSlope] {
            guard let value = Float(text), value.isFinite else {
                throw CheckpointError("metadata negative_slope '\(text)' is not a number")
            }
            // leaky_relu's slope for negative inputs: a fraction, as PyTorch's models use it.
            guard abs(value) <= 1 else {
                throw CheckpointError("metadata negative_slope '\(text)' is not between -1 and 1")
            }
            slope = value
        }
        return Autoencoder(
            hiddenSize: h, negativeSlope: slope, fc1: WeightMatrix(w1), fc1Bias: b1.values, fc2: WeightMatrix(w2),
            fc2Bias: b2.values)
    }
}

extension Autoencoder {
    /// The architecture's registered name.
    public static let name = "tutorial"
}
