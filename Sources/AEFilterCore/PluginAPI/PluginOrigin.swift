/// Where a registered plugin comes from: compiled into ae-filter, or a
/// module loaded at run time (see `Plugins/include/ae_filter_plugin.h`).
public enum PluginOrigin: Sendable, Equatable, CustomStringConvertible {
    case builtIn
    /// A module file, with the plugin ABI version it reported and its SHA-256.
    case module(path: String, abiVersion: UInt32, sha256: String)

    public var description: String {
        switch self {
        case .builtIn: return "built in"
        case .module(let path, let abiVersion, _): return "\(path) (ABI \(abiVersion))"
        }
    }
}
