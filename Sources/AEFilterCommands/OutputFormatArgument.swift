import AEFilterCore
import ArgumentParser

/// `--format NAME`: a format of the executable's ``OutputFormatRegistry``,
/// read as the parser reads a closed set (its names listed in help and in errors).
struct OutputFormatArgument: ExpressibleByArgument, CustomStringConvertible {
    let value: any OutputFormat

    init?(argument: String) {
        guard let format = try? CommandPlugins.builtIn.formats.format(argument) else { return nil }
        value = format
    }

    static var allValueStrings: [String] { CommandPlugins.builtIn.formats.names }

    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    var defaultValueDescription: String { value.name }

    var description: String { value.name }
}
