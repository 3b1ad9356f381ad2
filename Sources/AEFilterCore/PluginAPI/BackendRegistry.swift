/// Maps backend names to factories. A value, passed to whoever needs it.
///
/// A new registry holds the portable ``SwiftBackend``; plugins add theirs
/// with ``register(name:summary:priority:make:)``. `auto` sends large
/// multiplies to the registered backend with the highest priority.
public struct BackendRegistry: Sendable {
    /// A registered backend: its name, a line for `ae-filter plugins`, its `auto` priority, its factory.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        /// Higher wins for `auto`.
        public let priority: Int
        public let make: @Sendable (_ threads: Int) throws -> any Backend
    }

    public private(set) var entries: [Entry] = []

    /// A registry holding the portable ``SwiftBackend``.
    public init() {
        register(name: "swift", summary: "portable pure-Swift SIMD GEMM, multi-threaded", priority: 0) { threads in
            SwiftBackend(threads: threads)
        }
    }

    /// Adds a backend; a later registration under the same name replaces the earlier one.
    public mutating func register(
        name: String, summary: String, priority: Int = 0,
        make: @escaping @Sendable (_ threads: Int) throws -> any Backend
    ) {
        entries.removeAll { $0.name == name }
        entries.append(Entry(name: name, summary: summary, priority: priority, make: make))
    }

    /// The names accepted by ``make(_:threads:)``, `auto` first.
    public var names: [String] { ["auto"] + entries.map(\.name) }

    /// Makes the named backend. `auto` is an ``AutoBackend`` over the
    /// portable backend and the highest-priority one that can be made here.
    public func make(_ name: String, threads: Int) throws -> any Backend {
        let threads = max(1, threads)
        guard name == "auto" else {
            guard let entry = entries.first(where: { $0.name == name }) else {
                throw RegistryError.unknown(kind: "backend", name: name, known: names)
            }
            return try entry.make(threads)
        }
        let ranked = entries.sorted { $0.priority > $1.priority }
        return AutoBackend(threads: threads) {
            var lastError: (any Error)?
            for entry in ranked {
                do { return try entry.make(threads) } catch { lastError = error }
            }
            throw lastError ?? RegistryError.unknown(kind: "backend", name: "auto", known: [])
        }
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
