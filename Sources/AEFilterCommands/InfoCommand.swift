import AEFilter
import AEFilterCore
import ArgumentParser

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a checkpoint's parameters, metadata and metrics."
    )

    @Argument(help: ArgumentHelp("Checkpoint file (the embedded default model if not given).", valueName: "FILE"))
    var file: String?

    func run() throws {
        let checkpoint = try loadModel(file)
        let m = checkpoint.model
        print("model: \(file ?? "embedded default")")
        print(
            "architecture: Linear(\(m.inputSize), \(m.hiddenSize)) → leaky_relu(\(m.negativeSlope)) → Linear(\(m.hiddenSize), \(m.inputSize)) → sigmoid"
        )
        print("parameters:")
        for parameter in Autoencoder.Parameter.allCases {
            let shape = m.shape(of: parameter).map(String.init).joined(separator: ", ")
            print("  \(parameter.name)  [\(shape)]  \(m[parameter].count)")
        }
        print("  total  \(m.parameterCount)")
        if !checkpoint.extraTensors.isEmpty {
            print("optimizer state: \(checkpoint.extraTensors.count) tensors (resumable)")
        }
        let metrics = checkpoint.metadata.keys.filter {
            $0.hasPrefix(MetadataKey.metricsPrefix) && $0 != MetadataKey.metricsHistory.rawValue
        }.sorted()
        if !metrics.isEmpty {
            print("metrics:")
            for key in metrics {
                print("  \(key.dropFirst(MetadataKey.metricsPrefix.count)): \(checkpoint.metadata[key]!)")
            }
        }
        let rest = checkpoint.metadata.keys.filter {
            !$0.hasPrefix(MetadataKey.metricsPrefix) || $0 == MetadataKey.metricsHistory.rawValue
        }.sorted()
        if !rest.isEmpty {
            print("metadata:")
            for key in rest { print("  \(key): \(checkpoint.metadata[key]!)") }
        }
    }
}
