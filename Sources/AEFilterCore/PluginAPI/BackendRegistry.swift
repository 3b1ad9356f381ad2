/// Maps backend names to factories. A value, passed to whoever needs it.
///
/// A new registry is empty; plugins add their backends with
/// ``register(name:summary:priority:rowsAreIndependent:origin:make:)``, and `auto`
/// picks among them by ``Purpose``.
public struct BackendRegistry: Sendable {
    /// A registered backend: its name, a line for `ae-filter plugins`, its
    /// `auto` priority, whether its rows are independent, its factory.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        /// Higher wins for `auto`.
        public let priority: Int
        /// What its backends' ``Backend/rowsAreIndependent`` says.
        public let rowsAreIndependent: Bool
        public let origin: PluginOrigin
        public let make: @Sendable (_ threads: Int) throws -> any Backend
    }

    /// What a backend is for; `auto` picks differently for each.
    public enum Purpose: Sendable {
        /// The filter and `eval`: results must not depend on how images are
        /// batched, so only backends whose rows are independent qualify.
        case inference
        /// Training: any backend; its fixed blocks make the result
        /// independent of the thread count on every backend.
        case training
    }

    public private(set) var entries: [Entry] = []

    /// An empty registry.
    public init() {}

    /// Adds a backend; a later registration under the same name replaces the earlier one.
    public mutating func register(
        name: String, summary: String, priority: Int = 0, rowsAreIndependent: Bool = false,
        origin: PluginOrigin = .builtIn, make: @escaping @Sendable (_ threads: Int) throws -> any Backend
    ) {
        entries.removeAll { $0.name == name }
        entries.append(
            Entry(
                name: name, summary: summary, priority: priority, rowsAreIndependent: rowsAreIndependent,
                origin: origin, make: make))
    }

    /// The names accepted by ``make(_:threads:for:)``, `auto` first.
    public var names: [String] { ["auto"] + entries.map(\.name) }

    /// The entries `auto` tries for `purpose`, best first.
    public func candidates(for purpose: Purpose) -> [Entry] {
        entries.filter { purpose == .training || $0.rowsAreIndependent }.sorted { $0.priority > $1.priority }
    }

    /// Makes the named backend; `auto` is the first of ``candidates(for:)``
    /// that can be made here.
    public func make(_ name: String, threads: Int, for purpose: Purpose = .inference) throws -> any Backend {
        let threads = max(1, threads)
        guard name == "auto" else {
            guard let entry = entries.first(where: { $0.name == name }) else {
                throw RegistryError.unknown(kind: "backend", name: name, known: names)
            }
            return try entry.make(threads)
        }
        var lastError: (any Error)?
        for entry in candidates(for: purpose) {
            do { return try entry.make(threads) } catch { lastError = error }
        }
        throw lastError ?? RegistryError.unknown(kind: "backend", name: "auto", known: names)
    }
}

/// An unknown plugin name.
public enum RegistryError: Error, CustomStringConvertible, Equatable {
    /// No plugin of this kind is registered under `name`; `known` lists those that are.
    case unknown(kind: String, name: String, known: [String])

    public var description: String {
        switch self {
        case .unknown(let kind, let name, let known):
            return "unknown \(kind) '\(name)' (known: \(known.joined(separator: ", ")))"
        }
    }
}
