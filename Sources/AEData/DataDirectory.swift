import AESystem
import Glibc

/// Where the Fashion-MNIST files are: one lookup for `train`, `eval`,
/// `data fetch`, `data export` and the tests.
public enum DataDirectory {
    /// `explicit` (`--data`), else `$AE_FILTER_DATA`, else the user's cache:
    /// `$XDG_CACHE_HOME/ae-filter/fashion-mnist`, else `~/.cache/ae-filter/fashion-mnist`.
    public static func resolve(_ explicit: String? = nil) -> String {
        if let explicit { return explicit }
        if let data = variable("AE_FILTER_DATA") { return data }
        return cache + "/fashion-mnist"
    }

    /// The user's cache folder for ae-filter.
    public static var cache: String {
        if let xdg = variable("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return xdg + "/ae-filter" }
        return home + "/.cache/ae-filter"
    }

    /// How a user gets the data, for messages when it is missing.
    public static let howToGet =
        "run `ae-filter data fetch`, or set AE_FILTER_DATA to a folder with the four Fashion-MNIST files"

    static var home: String {
        if let home = variable("HOME") { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = Path.string(cString: value)
        return text.isEmpty ? nil : text
    }
}
