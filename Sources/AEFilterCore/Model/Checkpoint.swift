import AESystem

/// An ``Autoencoder`` with its provenance: what a checkpoint file holds.
///
/// Tensors use PyTorch's `state_dict` names (`fc1.weight`, `fc1.bias`,
/// `fc2.weight`, `fc2.bias`), so the file the tutorial's model gets from
/// `safetensors.torch.save_file(model.state_dict(), path)` loads unchanged,
/// and files written here load in PyTorch.
public struct Checkpoint: Sendable {
    public var model: Autoencoder
    /// String metadata: architecture, noise, training configuration, metrics.
    public var metadata: [String: String]
    /// Extra tensors carried along, e.g. optimizer state, under names starting with `optimizer.`.
    public var extraTensors: [String: SafeTensors.Tensor]

    /// A checkpoint to write: the model, string metadata, and any further tensors (optimizer state).
    public init(model: Autoencoder, metadata: [String: String] = [:], extraTensors: [String: SafeTensors.Tensor] = [:])
    {
        self.model = model
        self.metadata = metadata
        self.extraTensors = extraTensors
    }

    /// The largest hidden size accepted.
    public static let maxHiddenSize = 1 << 16

    /// Reads and validates a checkpoint: names, shapes, dtypes and finite values.
    public init(bytes: [UInt8]) throws(CheckpointError) {
        try self.init(parsed: SafeTensors.parse(bytes))
    }

    /// The largest checkpoint file read: far beyond any model's (the
    /// largest hidden size with optimizer state is about 1.2 GB).
    public static let maxFileSize = 2 << 30

    /// Reads a checkpoint file (`-` for standard input), opened once and
    /// mapped rather than copied; a pipe or device is read no further than
    /// its header declares.
    public init(contentsOf path: String) throws {
        let parsed = try MappedFile.withContents(
            of: path, limit: Self.maxFileSize, wanted: SafeTensors.declaredSize
        ) { raw in try SafeTensors.parse(raw) }
        try self.init(parsed: parsed)
    }

    /// Validates what ``SafeTensors/parse(_:)-(UnsafeRawBufferPointer)`` returned.
    public init(parsed: (tensors: [String: SafeTensors.Tensor], metadata: [String: String])) throws(CheckpointError) {
        let (tensors, metadata) = parsed
        func tensor(_ name: String) throws(CheckpointError) -> SafeTensors.Tensor {
            guard let tensor = tensors[name] else { throw CheckpointError("missing tensor '\(name)'") }
            guard tensor.values.allSatisfy(\.isFinite) else {
                throw CheckpointError("tensor '\(name)' has NaN or infinite values")
            }
            return tensor
        }
        let d = Geometry.pixels
        let w1 = try tensor(Autoencoder.Parameter.fc1Weight.name)
        let b1 = try tensor(Autoencoder.Parameter.fc1Bias.name)
        let w2 = try tensor(Autoencoder.Parameter.fc2Weight.name)
        let b2 = try tensor(Autoencoder.Parameter.fc2Bias.name)
        guard w1.shape.count == 2, w1.shape[1] == d, (1...Self.maxHiddenSize).contains(w1.shape[0]) else {
            throw CheckpointError(
                "fc1.weight has shape \(w1.shape), expected [H, \(d)] with H from 1 to \(Self.maxHiddenSize)")
        }
        let h = w1.shape[0]
        guard b1.shape == [h] else { throw CheckpointError("fc1.bias has shape \(b1.shape), expected [\(h)]") }
        guard w2.shape == [d, h] else {
            throw CheckpointError("fc2.weight has shape \(w2.shape), expected [\(d), \(h)]")
        }
        guard b2.shape == [d] else { throw CheckpointError("fc2.bias has shape \(b2.shape), expected [\(d)]") }
        let known = Set(Autoencoder.Parameter.allCases.map(\.name))
        var extra: [String: SafeTensors.Tensor] = [:]
        for (name, value) in tensors where !known.contains(name) {
            guard name.hasPrefix("optimizer.") else {
                throw CheckpointError("unexpected tensor '\(name)' (not this architecture)")
            }
            extra[name] = value
        }
        var slope: Float = 0.01
        if let text = metadata[.negativeSlope] {
            guard let value = Float(text), value.isFinite else {
                throw CheckpointError("metadata negative_slope '\(text)' is not a number")
            }
            slope = value
        }
        self.init(
            model: Autoencoder(
                hiddenSize: h, negativeSlope: slope,
                fc1Weight: w1.values, fc1Bias: b1.values, fc2Weight: w2.values, fc2Bias: b2.values),
            metadata: metadata, extraTensors: extra)
    }

    /// The safetensors bytes, weights stored as `dtype`. The architecture is
    /// always recorded in the metadata.
    public func serialized(dtype: SafeTensors.DType = .f32) -> [UInt8] {
        let m = model
        var tensors: [String: SafeTensors.Tensor] = [:]
        for parameter in Autoencoder.Parameter.allCases {
            tensors[parameter.name] = .init(shape: m.shape(of: parameter), values: m[parameter], dtype: dtype)
        }
        tensors.merge(extraTensors) { current, _ in current }
        var metadata = self.metadata
        metadata[.format] = "pt"
        metadata[.architecture] =
            "Linear(\(m.inputSize),\(m.hiddenSize))-leaky_relu-Linear(\(m.hiddenSize),\(m.inputSize))-sigmoid"
        metadata[.negativeSlope] = "\(m.negativeSlope)"
        return SafeTensors.serialize(tensors, metadata: metadata)
    }
}
