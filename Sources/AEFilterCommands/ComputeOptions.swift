import AEFilter
import AEFilterCore
import ArgumentParser
import Glibc

/// `--backend` and `--threads`, shared by every command that computes.
struct ComputeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Compute backend: auto, or a name from `ae-filter plugins`.", valueName: "NAME"))
    var backend: String = "auto"

    @Option(
        help: ArgumentHelp(
            "Threads per compute call; train splits each step over them (default: the cores; for the filter 1 per worker, see --jobs).",
            valueName: "N"))
    var threads: Int?

    @Option(
        name: .customLong("plugin"),
        help: ArgumentHelp(
            "Load a plugin module (repeatable), besides those on AE_FILTER_PLUGIN_PATH and in PREFIX/lib/ae-filter/plugins.",
            valueName: "FILE"))
    var pluginFiles: [String] = []

    /// The plugins this run uses.
    var plugins: PluginSet { CommandPlugins.set(files: pluginFiles) }

    static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// `--threads`, or `fallback`.
    func threads(or fallback: Int = Self.cores) -> Int { threads ?? fallback }

    func validate() throws {
        let names = plugins.backends.names
        guard names.contains(backend) else {
            throw ValidationError("--backend: \(RegistryError.unknown(kind: "backend", name: backend, known: names))")
        }
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be between 1 and 256, got \(threads)")
        }
    }

    func makeBackend(threads fallback: Int = Self.cores) throws -> any Backend {
        try plugins.backends.make(backend, threads: threads(or: fallback))
    }
}
