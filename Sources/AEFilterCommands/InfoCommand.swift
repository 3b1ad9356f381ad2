import AEFilter
import AEFilterCore
import AESystem
import ArgumentParser

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a checkpoint's parameters, metadata and metrics."
    )

    @Argument(
        help: ArgumentHelp(
            "An embedded model by name (\(EmbeddedModels.names.joined(separator: ", "))), or a checkpoint file (- for standard input); the default model if not given.",
            valueName: "MODEL"))
    var file: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let checkpoint = try loadModel(file, plugins: CommandPlugins.withModules())
        let m = checkpoint.model
        let parameters = m.parameters.map { ($0.name, $0.shape, $0.values.count) }
        let metrics = checkpoint.metadata.keys.filter {
            $0.hasPrefix(MetadataKey.metricsPrefix) && $0 != MetadataKey.metricsHistory.rawValue
        }.sorted()
        let rest = checkpoint.metadata.keys.filter {
            !$0.hasPrefix(MetadataKey.metricsPrefix) || $0 == MetadataKey.metricsHistory.rawValue
        }.sorted()
        let architecture = "\(m.architecture): \(m.summary)"
        if json {
            let output = JSONOutput.object([
                ("model", .string(file ?? EmbeddedModels.defaultName)),
                ("architecture", .string(m.architecture)), ("summary", .string(m.summary)),
                (
                    "hyperparameters",
                    .object(m.hyperparameters.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
                ),
                (
                    "parameters",
                    .array(
                        parameters.map { name, shape, count in
                            .object([
                                ("name", .string(name)), ("shape", .array(shape.map { .integer($0) })),
                                ("count", .integer(count)),
                            ])
                        })
                ),
                ("parameter_count", .integer(m.parameterCount)),
                ("resumable", .bool(!checkpoint.extraTensors.isEmpty)),
                (
                    "metrics",
                    .object(
                        metrics.map { key in
                            let value = checkpoint.metadata[key]!
                            return (
                                String(key.dropFirst(MetadataKey.metricsPrefix.count)),
                                Double(value).map { JSONOutput.number($0) } ?? .string(value)
                            )
                        })
                ),
                (
                    "metadata",
                    .object(checkpoint.metadata.keys.sorted().map { ($0, .string(checkpoint.metadata[$0]!)) })
                ),
            ])
            print(output.text)
            return
        }
        // Metadata comes from the file: printed escaped, it can't forge lines or reach the terminal as commands.
        print("model: \(Path.display(file ?? EmbeddedModels.defaultName))")
        print("architecture: \(architecture)")
        print("parameters:")
        for (name, shape, count) in parameters {
            print("  \(name)  [\(shape.map(String.init).joined(separator: ", "))]  \(count)")
        }
        print("  total  \(m.parameterCount)")
        if !checkpoint.extraTensors.isEmpty {
            print("optimizer state: \(checkpoint.extraTensors.count) tensors (resumable)")
        }
        if !metrics.isEmpty {
            print("metrics:")
            for key in metrics {
                print(
                    "  \(Path.display(String(key.dropFirst(MetadataKey.metricsPrefix.count)))): \(Path.display(checkpoint.metadata[key]!))"
                )
            }
        }
        if !rest.isEmpty {
            print("metadata:")
            for key in rest { print("  \(Path.display(key)): \(Path.display(checkpoint.metadata[key]!))") }
        }
    }
}
