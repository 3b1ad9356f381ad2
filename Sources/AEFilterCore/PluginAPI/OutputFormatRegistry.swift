/// Maps output-format names to formats. A value, passed to whoever needs it.
///
/// The core registers none; the `OutputFormats` plugin adds the standard ones.
public struct OutputFormatRegistry: Sendable {
    /// A registered format: its name, a line for `ae-filter plugins`, where it comes from, the format.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        public let origin: PluginOrigin
        public let format: any OutputFormat
    }

    public private(set) var entries: [Entry] = []

    /// An empty registry; plugins add their formats.
    public init() {}

    /// Adds a format under its name; a later registration under the same name replaces the earlier one.
    public mutating func register(_ format: any OutputFormat, summary: String, origin: PluginOrigin = .builtIn) {
        entries.removeAll { $0.name == format.name }
        entries.append(Entry(name: format.name, summary: summary, origin: origin, format: format))
    }

    public var names: [String] { entries.map(\.name) }

    /// The format registered as `name`; throws ``RegistryError``.
    public func format(_ name: String) throws -> any OutputFormat {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw RegistryError.unknown(kind: "output format", name: name, known: names)
        }
        return entry.format
    }
}
