import AEData
import AEFilter
import AEFilterCore
import ArgumentParser

/// The checkpoint at `path` (`-` for standard input), or the embedded
/// default; failures end the command with exit 1.
func loadModel(_ path: String?) throws -> Checkpoint {
    do {
        return try path.map { try Checkpoint(contentsOf: $0) } ?? DefaultModel.load()
    } catch {
        Diagnostics.report(path ?? "default model", error)
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
