import AEData
import AEFilter
import AEFilterCore
import AESystem
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

/// Fashion-MNIST from `directory` or the usual places (``DataDirectory``),
/// the test files alone with `testOnly`; failures end the command with exit 1.
/// Files that are not the official ones get one warning line.
func loadData(_ directory: String?, testOnly: Bool = false, use: String = "training") throws -> FashionMNIST {
    let path = DataDirectory.resolve(directory)
    let data: FashionMNIST
    do {
        data = try FashionMNIST(directory: path, testOnly: testOnly)
    } catch {
        Diagnostics.report("data", "\(error)")
        throw ExitCode.failure
    }
    if !data.isOfficial {
        Diagnostics.report("data", "these are not the official Fashion-MNIST files (MD5 mismatch); \(use) anyway")
    }
    return data
}

/// How the noise model a checkpoint was trained with differs from the one
/// loaded under that name now (another module file, or none), or nil. A
/// module is known by its contents' SHA-256, recorded at training.
func noiseProvenance(_ checkpoint: Checkpoint, plugins: PluginSet) -> String? {
    guard let name = checkpoint.metadata[.noiseModel] else { return nil }
    let recordedSHA = checkpoint.metadata[.noiseModelSHA256]
    let recorded =
        recordedSHA.map { sha in
            " from \(Path.display(checkpoint.metadata[.noiseModelModule] ?? "a module")) (sha256 \(sha))"
        } ?? ""
    let trained = "trained with the noise model '\(name)'\(recorded)"
    guard let entry = plugins.noise.entries.first(where: { $0.name == name }) else {
        return "\(trained), which is not loaded"
    }
    switch (entry.origin, recordedSHA) {
    case (.builtIn, nil):
        return nil
    case (.module(_, _, let sha), let expected?) where sha == expected:
        return nil
    case (.module(let path, _, let sha), _):
        return "\(trained), but the loaded '\(name)' is from \(Path.display(path)) (sha256 \(sha))"
    case (.builtIn, _?):
        return "\(trained), but the loaded '\(name)' is built in"
    }
}
