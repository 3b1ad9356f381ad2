/// Maps noise-model names to factories. A value, passed to whoever needs it.
///
/// The core registers none; the `NoiseModels` plugin adds the standard ones.
public struct NoiseRegistry: Sendable {
    /// A registered noise model: its name, a line for `ae-filter plugins`,
    /// what its level means and which levels it takes, where it comes from,
    /// its factory.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        /// What the level is, e.g. `probability`.
        public let levelMeaning: String
        /// The levels it takes.
        public let levels: ClosedRange<Float>
        public let origin: PluginOrigin
        /// Makes the model for a level; throws ``NoiseError`` for a level it can't take.
        public let make: @Sendable (_ level: Float) throws -> any NoiseModel
    }

    public private(set) var entries: [Entry] = []

    /// An empty registry; plugins add their models.
    public init() {}

    /// Adds a noise model; a later registration under the same name replaces the earlier one.
    public mutating func register(
        name: String, summary: String, levelMeaning: String = "probability", levels: ClosedRange<Float> = 0...1,
        origin: PluginOrigin = .builtIn, make: @escaping @Sendable (_ level: Float) throws -> any NoiseModel
    ) {
        entries.removeAll { $0.name == name }
        entries.append(
            Entry(name: name, summary: summary, levelMeaning: levelMeaning, levels: levels, origin: origin, make: make))
    }

    public var names: [String] { entries.map(\.name) }

    /// The model registered as `name` at `level`; throws ``RegistryError`` or ``NoiseError``.
    public func make(_ name: String, level: Float) throws -> any NoiseModel {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw RegistryError.unknown(kind: "noise model", name: name, known: names)
        }
        return try entry.make(level)
    }
}

/// A noise level a model can't take.
public struct NoiseError: Error, CustomStringConvertible, Equatable {
    public let description: String
    /// An error with this message.
    public init(_ description: String) { self.description = description }
}
