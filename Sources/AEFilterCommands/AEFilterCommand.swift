import AEFilter
import AESystem
import ArgumentParser
import CAESystem
import Glibc

/// The `ae-filter` command tree; an executable calls ``main(plugins:)``.
public struct AEFilterCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ae-filter",
        abstract: "Denoise images with models trained on Fashion-MNIST (by default the blind U-Net).",
        discussion: """
            Reads PNG, JPEG and PNM images (files, folders, or any number on standard input; \
            told apart by their content), turns each into a 28x28 greyscale image, optionally \
            adds noise, runs it through the model (--model) and writes 8-bit greyscale PNGs (or a \
            PGM stream, or an IDX file), in input order.
            """,
        version: "ae-filter \(AEFilterVersion.current)",
        subcommands: [
            FilterCommand.self, TrainCommand.self, EvalCommand.self, InfoCommand.self, DataCommand.self,
            PluginsCommand.self,
        ],
        defaultSubcommand: FilterCommand.self
    )

    public init() {}

    /// Parses the command line, runs the command it names with `plugins`,
    /// and exits: 0, 1 when something failed, 64 for a usage error, 128 + N
    /// when signal N asked to stop.
    public static func main(plugins: PluginSet) -> Never {
        CommandPlugins.builtIn = plugins
        var status: Int32
        let raw = CommandLineArguments.raw()
        if raw.count == 2, raw.contains("--version"), raw.contains("-v") || raw.contains("--verbose") {
            print(VersionReport.text(plugins: plugins))
            exit(status: 0)
        }
        // What the parser would print, without building its tree.
        if raw == ["--version"] {
            print(configuration.version)
            exit(status: 0)
        }
        var normalized: [String]
        do {
            normalized = try CommandLineArguments.normalized(raw)
            if raw.first == "train" {
                normalized = try HyperparameterOptions.rewritten(normalized, registry: plugins.architectures)
            }
        } catch {
            // Caught before the parser knows the command: name its help, not the root's usage.
            usageError("\(error)", raw: raw)
        }
        do {
            var command = try parse(normalized)
            do {
                try command.run()
            } catch let error as ValidationError {
                // Found while running (a value the data or the model rules out): the command's help.
                usageError(error.message, raw: raw)
            }
            status = 0
        } catch {
            status = exitCode(for: error).rawValue
            let message = CommandLineArguments.escapingArguments(fullMessage(for: error), raw)
            if status == 0 {
                // --help, --version: the requested text, on standard output.
                print(message)
            } else if !message.isEmpty {
                for (index, line) in message.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let text = index == 0 && line.hasPrefix("Error: ") ? line.dropFirst(7) : line
                    if index == 0 {
                        Diagnostics.line(String(text))
                    } else if !text.isEmpty {
                        FileWriter.writeLine(String(text), to: STDERR_FILENO)
                    }
                }
            }
        }
        exit(status: status)
    }

    /// Flushes standard output and exits with `status`; output that could
    /// not be written is an error, not silence.
    static func exit(status: Int32) -> Never {
        var status = status
        let failure = CAESystem_flush_stdout()
        if failure == EPIPE { Glibc.exit(128 + SIGPIPE) }
        if failure != 0 {
            Diagnostics.line("cannot write standard output: \(String(cString: strerror(failure)))")
            if status == 0 { status = 1 }
        }
        if let stop = StopSignal.exitStatus { status = stop }
        Glibc.exit(status)
    }

    /// The command `arguments` name: the common filter lines through
    /// ``FilterShortcut``, everything else (and every error) through the parser.
    static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        if let filter = FilterShortcut.parse(arguments) { return filter }
        let (options, trailing) = ManyFiles.split(arguments)
        // The parser reads the line without its many trailing files, which
        // then join the files it read, and the whole is checked again. A line
        // it refuses either way is read whole, for the parser's own words
        // (slowly, with thousands of files, but only for an error).
        if !trailing.isEmpty, var filter = try? parseAsRoot(options) as? FilterCommand {
            filter.files += trailing
            if (try? filter.validate()) != nil { return filter }
        }
        return try parseAsRoot(arguments)
    }

    /// A usage error: its line, where the command's help is, and exit 64.
    static func usageError(_ message: String, raw: [String]) -> Never {
        Diagnostics.line(CommandLineArguments.escapingArguments(message, raw))
        FileWriter.writeLine(
            "See 'ae-filter \(CommandLineArguments.command(raw))--help' for more information.", to: STDERR_FILENO)
        _ = CAESystem_flush_stdout()
        Glibc.exit(StopSignal.exitStatus ?? 64)
    }
}
