import Glibc

/// The proxy libcurl takes from the environment for a URL, found the way
/// libcurl finds it, so that a failure to connect can name it: a dead proxy
/// is not a server that refuses.
public struct ProxySetting: Equatable, Sendable {
    /// The variable it came from, e.g. `http_proxy`.
    public let variable: String
    public let value: String

    public init(variable: String, value: String) {
        self.variable = variable
        self.value = value
    }

    /// The proxy for `url` under `environment`, or nil for a direct connection.
    public static func forURL(_ url: String, environment: (String) -> String? = Self.variable) -> ProxySetting? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon].lowercased()
        let afterScheme = url[colon...].drop { $0 == ":" || $0 == "/" }
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        let host =
            hostPort.hasPrefix("[")
            ? String(hostPort.dropFirst().prefix { $0 != "]" }) : String(hostPort.prefix { $0 != ":" })
        if bypasses(host.lowercased(), environment("no_proxy") ?? environment("NO_PROXY")) { return nil }
        // libcurl reads http_proxy in lower case only; the others in either case.
        let names =
            (scheme == "http" ? ["http_proxy"] : ["\(scheme)_proxy", "\(scheme.uppercased())_PROXY"])
            + ["all_proxy", "ALL_PROXY"]
        for name in names {
            if let value = environment(name), !value.isEmpty { return ProxySetting(variable: name, value: value) }
        }
        return nil
    }

    /// Whether `no_proxy` (comma-separated hosts or domains, `*` for all) exempts `host`.
    static func bypasses(_ host: String, _ noProxy: String?) -> Bool {
        guard let noProxy else { return false }
        for entry in noProxy.split(separator: ",") {
            var pattern = entry.trimmingSpaces.lowercased()
            if pattern == "*" { return true }
            if pattern.hasPrefix(".") { pattern.removeFirst() }
            if pattern.isEmpty { continue }
            if host == pattern || host.hasSuffix("." + pattern) { return true }
        }
        return false
    }

    public static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
