import AEFilter
import AEFilterCore
import ArgumentParser
import Glibc

/// `--backend` and `--threads`, shared by every command that computes.
struct ComputeOptions: ParsableArguments {
    // Names, help and defaults: the filter's table, FilterOptions.
    @Option(name: FilterOptions.backend.name, help: FilterOptions.backend.help)
    var backend: String = FilterOptions.backend.defaultValue

    @Option(name: FilterOptions.threads.name, help: FilterOptions.threads.help)
    var threads: Int?

    @Option(name: FilterOptions.plugin.name, help: FilterOptions.plugin.help)
    var pluginFiles: [String] = FilterOptions.plugin.defaultValue

    /// The plugins this run uses.
    var plugins: PluginSet { CommandPlugins.withModules(pluginFiles) }

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
