import AESystem

/// A model with its provenance: what a checkpoint file holds.
///
/// Tensors use PyTorch's `state_dict` names, so the file a PyTorch model gets
/// from `safetensors.torch.save_file(model.state_dict(), path)` loads
/// unchanged, and files written here load in PyTorch. `__metadata__` names
/// the architecture and its hyper-parameters (see ``ArchitectureRegistry``).
public struct Checkpoint: Sendable {
    public var model: any DenoisingModel
    /// String metadata: architecture, noise, training configuration, metrics.
    public var metadata: [String: String]
    /// Extra tensors carried along, e.g. optimizer state, under names starting with `optimizer.`.
    public var extraTensors: [String: SafeTensors.Tensor]

    /// A checkpoint to write: the model, string metadata, and any further tensors (optimizer state).
    public init(
        model: any DenoisingModel, metadata: [String: String] = [:], extraTensors: [String: SafeTensors.Tensor] = [:]
    ) {
        self.model = model
        self.metadata = metadata
        self.extraTensors = extraTensors
    }

    /// Reads and validates a checkpoint: its architecture, names, shapes, dtypes and finite values.
    public init(bytes: [UInt8], architectures: ArchitectureRegistry) throws(CheckpointError) {
        try self.init(parsed: SafeTensors.parse(bytes), architectures: architectures)
    }

    /// The largest checkpoint file read: far beyond any model's (the
    /// largest hidden size with optimizer state is about 1.2 GB).
    public static let maxFileSize = 2 << 30

    /// Reads a checkpoint file (`-` for standard input), opened once and
    /// mapped rather than copied; a pipe or device is read no further than
    /// its header declares.
    public init(contentsOf path: String, architectures: ArchitectureRegistry) throws {
        let parsed = try MappedFile.withContents(
            of: path, limit: Self.maxFileSize, wanted: SafeTensors.declaredSize
        ) { raw in try SafeTensors.parse(raw, halves: .copied) }
        try self.init(parsed: parsed, architectures: architectures)
    }

    /// Validates what ``SafeTensors/parse(_:halves:)`` returned.
    public init(
        parsed: (tensors: [String: SafeTensors.Tensor], metadata: [String: String]), architectures: ArchitectureRegistry
    ) throws(CheckpointError) {
        let (tensors, metadata) = parsed
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) where !tensor.allFinite {
            throw CheckpointError("tensor '\(name)' has NaN or infinite values")
        }
        let model = try architectures.load(tensors, metadata: metadata)
        let known = Set(model.parameterNames)
        var extra: [String: SafeTensors.Tensor] = [:]
        for (name, value) in tensors where !known.contains(name) {
            guard name.hasPrefix("optimizer.") else {
                throw CheckpointError("unexpected tensor '\(name)' (not of the \(model.architecture) architecture)")
            }
            extra[name] = value
        }
        self.init(model: model, metadata: metadata, extraTensors: extra)
    }

    /// The safetensors bytes, parameters stored as `dtype`. The architecture
    /// and its hyper-parameters are always recorded in the metadata.
    public func serialized(dtype: SafeTensors.DType = .f32) -> [UInt8] {
        var tensors: [String: SafeTensors.Tensor] = [:]
        for parameter in model.parameters {
            tensors[parameter.name] = .init(shape: parameter.shape, values: parameter.values, dtype: dtype)
        }
        tensors.merge(extraTensors) { current, _ in current }
        var metadata = self.metadata
        metadata[.format] = "pt"
        metadata[.architecture] = model.architecture
        for (name, value) in model.hyperparameters { metadata[.hyperparameter(name)] = value }
        return SafeTensors.serialize(tensors, metadata: metadata)
    }
}
