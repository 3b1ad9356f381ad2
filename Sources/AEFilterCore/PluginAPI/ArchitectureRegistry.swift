/// Maps architecture names to their factories, like the registries of noise
/// models and backends: a value, passed to whoever needs it.
///
/// A checkpoint names its architecture in `__metadata__` (`architecture`) with
/// its hyper-parameters (`architecture.NAME`); loading picks the entry by
/// that name. A checkpoint without the name is the tutorial's (PyTorch's own
/// `save_file(model.state_dict())` writes no metadata).
public struct ArchitectureRegistry: Sendable {
    /// One hyper-parameter: its name, default, meaning and the values it
    /// takes, and the option that sets it for `ae-filter train`.
    public struct Hyperparameter: Sendable {
        public let name: String
        public let defaultValue: Int
        public let meaning: String
        public let values: ClosedRange<Int>
        /// `train`'s option, without its dashes: `--kernel-size` for `kernel_size` unless given.
        public let option: String
        /// A check beyond the range: the problem with a value ("must be odd"), or nil.
        public let check: (@Sendable (Int) -> String?)?

        public init(
            name: String, defaultValue: Int, meaning: String, values: ClosedRange<Int>, option: String? = nil,
            check: (@Sendable (Int) -> String?)? = nil
        ) {
            self.name = name
            self.defaultValue = defaultValue
            self.meaning = meaning
            self.values = values
            self.option = option ?? name.replacing("_", with: "-")
            self.check = check
        }
    }

    /// A registered architecture.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let hyperparameters: [Hyperparameter]
        public let origin: PluginOrigin
        /// A new model with freshly initialised weights (PyTorch's default init).
        public let make:
            @Sendable (_ hyperparameters: [String: Int], _ rng: inout RandomGenerator) -> any DenoisingModel
        /// The model a checkpoint holds: its tensors by name, its metadata.
        public let load:
            @Sendable (_ tensors: [String: SafeTensors.Tensor], _ metadata: [String: String]) throws(CheckpointError) ->
                any DenoisingModel
    }

    public private(set) var entries: [Entry] = []

    /// An empty registry; plugins add their architectures.
    public init() {}

    public mutating func register(
        name: String, summary: String, hyperparameters: [Hyperparameter], origin: PluginOrigin = .builtIn,
        make:
            @escaping @Sendable (_ hyperparameters: [String: Int], _ rng: inout RandomGenerator) -> any DenoisingModel,
        load:
            @escaping @Sendable (_ tensors: [String: SafeTensors.Tensor], _ metadata: [String: String])
            throws(CheckpointError) -> any DenoisingModel
    ) {
        entries.removeAll { $0.name == name }
        entries.append(
            Entry(
                name: name, summary: summary, hyperparameters: hyperparameters, origin: origin, make: make, load: load))
    }

    public var names: [String] { entries.map(\.name) }

    /// The entry for `name`; throws ``RegistryError`` for an unknown one.
    public func entry(_ name: String) throws(RegistryError) -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw RegistryError.unknown(kind: "architecture", name: name, known: names)
        }
        return entry
    }

    /// Hyper-parameters for `name`: its defaults, overridden by `given`;
    /// throws a message for one it does not have or a value out of range.
    public func hyperparameters(for name: String, given: [String: Int]) throws -> [String: Int] {
        let entry = try entry(name)
        var values = Dictionary(uniqueKeysWithValues: entry.hyperparameters.map { ($0.name, $0.defaultValue) })
        for (key, value) in given {
            guard let parameter = entry.hyperparameters.first(where: { $0.name == key }) else {
                throw CheckpointError("the \(name) architecture has no hyper-parameter \(key)")
            }
            guard parameter.values.contains(value) else {
                throw CheckpointError(
                    "\(key) (\(parameter.meaning)) must be from \(parameter.values.lowerBound) to \(parameter.values.upperBound), got \(value)"
                )
            }
            values[key] = value
        }
        return values
    }

    /// The model in a parsed checkpoint, by the architecture it names.
    public func load(_ tensors: [String: SafeTensors.Tensor], metadata: [String: String]) throws(CheckpointError)
        -> any DenoisingModel
    {
        let name = Self.architectureName(metadata)
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw CheckpointError(
                "unknown architecture '\(name)' (known: \(names.joined(separator: ", "))); a plugin may be missing")
        }
        return try entry.load(tensors, metadata)
    }

    /// The architecture a checkpoint names; the tutorial's when it names none
    /// (or, as files written before architectures had names, describes the layers).
    public static func architectureName(_ metadata: [String: String]) -> String {
        guard let name = metadata[.architecture], !name.hasPrefix("Linear(") else { return "tutorial" }
        return name
    }

    /// A hyper-parameter a checkpoint records, checked against `values`.
    public static func hyperparameter(
        _ name: String, in metadata: [String: String], default value: Int, values: ClosedRange<Int>
    ) throws(CheckpointError) -> Int {
        guard let text = metadata[MetadataKey.hyperparameter(name)] else { return value }
        guard let number = Int(text), values.contains(number) else {
            throw CheckpointError(
                "metadata architecture.\(name) '\(text)' is not from \(values.lowerBound) to \(values.upperBound)")
        }
        return number
    }
}
