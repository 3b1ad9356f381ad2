import AESystem
import ArgumentParser
import Glibc

/// The command line as the user typed it, before swift-argument-parser sees it.
enum CommandLineArguments {
    /// The arguments after the program name, each kept byte for byte (see ``Path``).
    static func raw() -> [String] {
        (1..<Int(CommandLine.argc)).map { Path.string(cString: CommandLine.unsafeArgv[$0]!) }
    }

    /// Short options that take a value, with their long names (from ``FilterOptions``).
    static let valuedShort: [String: String] = Dictionary(
        uniqueKeysWithValues: FilterOptions.all.compactMap { option in
            guard option.takesValue, let short = option.short else { return nil }
            return ("-" + String(short), "--" + option.long)
        })

    /// Short flags some command has, which may be grouped (`-q0`): the
    /// filter's, `-h` (help) and `-v` (`--version -v`).
    static let shortFlags: Set<Character> = Set(
        FilterOptions.all.filter { !$0.takesValue }.compactMap(\.short) + ["h", "v"])

    /// The commands, for `help NAME`: the command tree's, and `help`.
    static let commands: Set<String> = Set(
        AEFilterCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"])

    /// What a Unix user means, in the form the parser takes: `-oFILE` and
    /// `-j4` are `-o FILE` and `-j 4`; a negative number after an option is
    /// its value (`--noise -0.1` is `--noise=-0.1`), not an unknown option.
    /// `--output=` with nothing after the `=` is an error, never the next argument.
    static func normalized(_ arguments: [String]) throws -> [String] {
        // `--version` alone, after a command's name (`train --version`), or as `--version -v`.
        let options = arguments.drop { commands.contains($0) || $0 == "export" || $0 == "fetch" }
        if options.prefix(while: { $0 != "--" }).contains("--version"), options.count > 1,
            !(options.count == 2 && (options.contains("-v") || options.contains("--verbose")))
        {
            throw ValidationError("--version takes no other arguments but -v")
        }
        if arguments.first == "help", arguments.count > 1, !commands.contains(arguments[1]) {
            throw ValidationError(
                "no command '\(Path.sanitized(arguments[1]))' (commands: \(commands.sorted().joined(separator: ", ")))")
        }
        var out: [String] = []
        var afterDashes = false
        for argument in arguments {
            if afterDashes || argument == "--" {
                afterDashes = true
                out.append(argument)
                continue
            }
            if let previous = out.last, isNegativeValue(argument), previous.hasPrefix("-"), !previous.contains("=") {
                if previous.hasPrefix("--") {
                    out[out.count - 1] = previous + "=" + argument
                    continue
                }
                if let long = valuedShort[previous] {
                    out[out.count - 1] = long + "=" + argument
                    continue
                }
            }
            if argument.hasPrefix("--"), argument.hasSuffix("="), argument.count > 3 {
                throw ValidationError("\(Path.sanitized(argument)) has no value after the =")
            }
            let prefix = String(argument.prefix(2))
            // A group of short flags with a letter no command has (`-dash.png` would be -d -a -s -h: help).
            if argument.count > 2, !argument.hasPrefix("--"), argument.hasPrefix("-"), valuedShort[prefix] == nil,
                !isNegativeNumber(argument),
                let unknown = argument.dropFirst().first(where: { !shortFlags.contains($0) })
            {
                throw ValidationError(
                    "unknown option '-\(Path.sanitized(String(unknown)))' in '\(Path.sanitized(argument))'; "
                        + "a file whose name starts with - is ./\(Path.sanitized(argument)) or follows --")
            }
            if argument.count > 2, !argument.hasPrefix("--"), valuedShort[prefix] != nil {
                out.append(prefix)
                out.append(String(argument.dropFirst(2)))
                continue
            }
            out.append(argument)
        }
        return out
    }

    /// The command `arguments` run, followed by a space (`train `, `data export `):
    /// the default `filter ` when none is named, nothing for `help`.
    static func command(_ arguments: [String]) -> String {
        guard let first = arguments.first, commands.contains(first) else { return "filter " }
        if first == "help" { return "" }
        if first == "data", arguments.count > 1, ["export", "fetch"].contains(arguments[1]) {
            return "data \(arguments[1]) "
        }
        return first + " "
    }

    /// `message` with every argument (or value after `=`) that holds a control
    /// byte replaced by its escaped form, so that a value quoted in a message
    /// cannot start a line of its own or reach the terminal as a command.
    static func escapingArguments(_ message: String, _ arguments: [String]) -> String {
        var message = message
        let values = arguments.flatMap { argument -> [String] in
            guard let equals = argument.firstIndex(of: "=") else { return [argument] }
            return [argument, String(argument[argument.index(after: equals)...])]
        }
        for value in values.sorted(by: { $0.utf8.count > $1.utf8.count })
        where value.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            message = message.replacing(value, with: Path.sanitized(value))
        }
        return message
    }

    /// A value that starts with a minus sign and a digit or point (`-1`,
    /// `-0.1:0.5`), which no option name does; not a group of flags (`-0`, `-0q`).
    static func isNegativeValue(_ text: String) -> Bool {
        if isNegativeNumber(text) { return true }
        guard text.hasPrefix("-"), let first = text.dropFirst().first, first.isNumber || first == "." else {
            return false
        }
        return !text.dropFirst().allSatisfy { shortFlags.contains($0) }
    }

    /// `-1`, `-0.5`, `-.5`, `-1e3`; not `-0`, which is a flag.
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), text != "-0", text.count > 1 else { return false }
        let body = text.dropFirst()
        guard let first = body.first, first.isNumber || first == "." else { return false }
        return Double(body) != nil
    }
}
