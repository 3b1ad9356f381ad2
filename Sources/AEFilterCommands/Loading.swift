import AEData
import AEFilter
import AEFilterCore
import ArgumentParser

/// The checkpoint `reference` names: an embedded model by name (`tutorial`),
/// else a file (`-` for standard input; a file named like a model is given
/// with a slash: `./tutorial`); the default embedded model when nil.
/// Failures end the command with exit 1.
func loadModel(_ reference: String?, plugins: PluginSet) throws -> Checkpoint {
    let name = reference ?? EmbeddedModels.defaultName
    do {
        if let embedded = try EmbeddedModels.load(name, architectures: plugins.architectures) { return embedded }
        return try Checkpoint(contentsOf: name, architectures: plugins.architectures)
    } catch {
        Diagnostics.report(reference ?? "default model", error)
        throw ExitCode.failure
    }
}

/// Fashion-MNIST from `directory` or the usual places (``DataDirectory``);
/// failures end the command with exit 1.
func loadData(_ directory: String?) throws -> FashionMNIST {
    let path = DataDirectory.resolve(directory)
    do {
        return try FashionMNIST(directory: path)
    } catch {
        Diagnostics.report("data", "\(error)")
        throw ExitCode.failure
    }
}
