import AESystem
import ArgumentParser
import Glibc

/// The command line as the user typed it, before swift-argument-parser sees it.
enum CommandLineArguments {
    /// The arguments after the program name, each kept byte for byte (see ``Path``).
    static func raw() -> [String] {
        (1..<Int(CommandLine.argc)).map { Path.string(cString: CommandLine.unsafeArgv[$0]!) }
    }

    /// Short options that take a value, with their long names.
    static let valuedShort = ["-o": "--output", "-j": "--jobs"]

    /// Short flags some command has, which may be grouped (`-q0`).
    static let shortFlags: Set<Character> = ["h", "q", "0", "v"]

    /// The commands, for `help NAME`.
    static let commands: Set<String> = ["filter", "train", "eval", "info", "data", "plugins", "help"]

    /// What a Unix user means, in the form the parser takes: `-oFILE` and
    /// `-j4` are `-o FILE` and `-j 4`; a negative number after an option is
    /// its value (`--noise -0.1` is `--noise=-0.1`), not an unknown option.
    /// `--output=` with nothing after the `=` is an error, never the next argument.
    static func normalized(_ arguments: [String]) throws -> [String] {
        if arguments.prefix(while: { $0 != "--" }).contains("--version"), arguments.count > 1,
            !(arguments.count == 2 && (arguments.contains("-v") || arguments.contains("--verbose")))
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
            if let previous = out.last, isNegativeNumber(argument), previous.hasPrefix("-"), !previous.contains("=") {
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

    /// The command `arguments` run: the first, when it names one, else the default `filter`.
    static func command(_ arguments: [String]) -> String {
        guard let first = arguments.first, commands.contains(first), first != "help" else { return "filter" }
        return first
    }

    /// `-1`, `-0.5`, `-.5`, `-1e3`; not `-0`, which is a flag.
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), text != "-0", text.count > 1 else { return false }
        let body = text.dropFirst()
        guard let first = body.first, first.isNumber || first == "." else { return false }
        return Double(body) != nil
    }
}
