/// swift-argument-parser takes time quadratic in the number of values of an
/// array argument (10,000 files: 3 s; 30,000: 26 s). A shell glob passes
/// thousands, so when the parser must read a filter line (``FilterShortcut``
/// reads the rest in linear time), a long run of trailing file names is
/// taken off it and added to the parsed command's files
/// (``AEFilterCommand/parse(_:)``).
enum ManyFiles {
    /// The filter's options that take a value, by every spelling (from ``FilterOptions``).
    static let valued = Set(FilterOptions.all.filter(\.takesValue).flatMap(\.spellings))

    static let subcommands = CommandLineArguments.commands

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
