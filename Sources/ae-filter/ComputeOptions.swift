import AEFilter
import AEFilterCore
import ArgumentParser
import Glibc

/// `--backend` and `--threads`, shared by every command that computes.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Compute backend: auto, or a name from `ae-filter plugins`.", valueName: "NAME"))
    var backend: String = "auto"

    @Option(help: ArgumentHelp("Compute threads (default: the number of cores).", valueName: "N"))
    var threads: Int = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    func validate() throws {
        let names = PluginSet.standard.backends.names
        guard names.contains(backend) else {
            throw ValidationError("--backend: \(RegistryError.unknown(kind: "backend", name: backend, known: names))")
        }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
    }

    func makeBackend() throws -> any Backend {
        try PluginSet.standard.backends.make(backend, threads: threads)
    }
}
