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

    /// What a Unix user means, in the form the parser takes: `-oFILE` and
    /// `-j4` are `-o FILE` and `-j 4`; a negative number after an option is
    /// its value (`--noise -0.1` is `--noise=-0.1`), not an unknown option.
    /// `--output=` with nothing after the `=` is an error, never the next argument.
    static func normalized(_ arguments: [String]) throws -> [String] {
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
            if argument.count > 2, !argument.hasPrefix("--"), valuedShort[prefix] != nil {
                out.append(prefix)
                out.append(String(argument.dropFirst(2)))
                continue
            }
            out.append(argument)
        }
        return out
    }

    /// `-1`, `-0.5`, `-.5`, `-1e3`; not `-0`, which is a flag.
    static func isNegativeNumber(_ text: String) -> Bool {
        guard text.hasPrefix("-"), text != "-0", text.count > 1 else { return false }
        let body = text.dropFirst()
        guard let first = body.first, first.isNumber || first == "." else { return false }
        return Double(body) != nil
    }
}
