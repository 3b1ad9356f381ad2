import AEFilter
import ArgumentParser

/// The `ae-filter` command tree; an executable calls ``main(plugins:)``.
public struct AEFilterCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ae-filter",
        abstract: "Denoise images with an overcomplete autoencoder trained on Fashion-MNIST.",
        discussion: """
            Reads PNG, JPEG and PNM images (files, folders, or any number on standard input; \
            told apart by their content), turns each into a 28x28 greyscale image, optionally \
            adds noise, runs it through the autoencoder and writes 8-bit greyscale PNGs (or a \
            PGM stream, or an IDX file), in input order.
            """,
        version: AEFilterVersion.current,
        subcommands: [
            Filter.self, TrainCommand.self, EvalCommand.self, InfoCommand.self, DataCommand.self, PluginsCommand.self,
        ],
        defaultSubcommand: Filter.self
    )

    public init() {}

    /// Parses the command line and runs the command it names with `plugins`.
    public static func main(plugins: PluginSet) {
        CommandPlugins.current = plugins
        let (arguments, files) = ManyFiles.split(Array(CommandLine.arguments.dropFirst()))
        ManyFiles.trailing = files
        main(arguments)
    }
}
