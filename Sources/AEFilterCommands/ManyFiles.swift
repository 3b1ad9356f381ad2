/// swift-argument-parser takes time quadratic in the number of values of an
/// array argument (10,000 files: 3 s; 30,000: 26 s). A shell glob passes
/// thousands, so a long run of trailing file names is taken off the command
/// line before parsing and handed to the filter directly.
enum ManyFiles {
    /// The file names taken off the command line.
    nonisolated(unsafe) static var trailing: [String] = []

    /// The filter's options that take a value (a test keeps these in step with the command).
    static let valued = Set(FilterShortcut.valued.keys)

    static let subcommands: Set<String> = ["filter", "train", "eval", "info", "data", "plugins", "help"]

    /// The arguments to parse, and the trailing file names split off (only for
    /// the filter, and only when there are many).
    static func split(_ arguments: [String], threshold: Int = 64) -> (parse: [String], files: [String]) {
        guard arguments.count > threshold else { return (arguments, []) }
        let offset = arguments.first == "filter" ? 1 : 0
        guard offset == 1 || !subcommands.contains(arguments.first ?? "") else { return (arguments, []) }
        if let dashes = arguments.firstIndex(of: "--") {
            return (Array(arguments[..<dashes]), Array(arguments[(dashes + 1)...]))
        }
        var start = arguments.count
        while start > offset, !arguments[start - 1].hasPrefix("-") { start -= 1 }
        // The first of them may be the value of the option before it.
        if start > offset, valued.contains(arguments[start - 1]), start < arguments.count { start += 1 }
        guard arguments.count - start > threshold else { return (arguments, []) }
        return (Array(arguments[..<start]), Array(arguments[start...]))
    }
}
