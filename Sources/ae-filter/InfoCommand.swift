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
        print("architecture: Linear(\(m.inputSize), \(m.hiddenSize)) → leaky_relu(\(m.negativeSlope)) → Linear(\(m.hiddenSize), \(m.inputSize)) → sigmoid")
        print("parameters:")
        let shapes: [(String, [Int], Int)] = [
            ("fc1.weight", [m.hiddenSize, m.inputSize], m.fc1Weight.count), ("fc1.bias", [m.hiddenSize], m.fc1Bias.count),
            ("fc2.weight", [m.inputSize, m.hiddenSize], m.fc2Weight.count), ("fc2.bias", [m.inputSize], m.fc2Bias.count),
        ]
        for (name, shape, count) in shapes {
            print("  \(name)  [\(shape.map(String.init).joined(separator: ", "))]  \(count)")
        }
        print("  total  \(m.parameterCount)")
        if !checkpoint.extraTensors.isEmpty {
            print("optimizer state: \(checkpoint.extraTensors.count) tensors (resumable)")
        }
        let metrics = checkpoint.metadata.keys.filter { $0.hasPrefix("metrics.") && $0 != "metrics.history" }.sorted()
        if !metrics.isEmpty {
            print("metrics:")
            for key in metrics { print("  \(key.dropFirst(8)): \(checkpoint.metadata[key]!)") }
        }
        let rest = checkpoint.metadata.keys.filter { !$0.hasPrefix("metrics.") || $0 == "metrics.history" }.sorted()
        if !rest.isEmpty {
            print("metadata:")
            for key in rest { print("  \(key): \(checkpoint.metadata[key]!)") }
        }
    }
}
