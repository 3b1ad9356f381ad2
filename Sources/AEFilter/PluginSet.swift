import AEFilterCore
import CPUBackend
import NoiseModels
import OutputFormats
import TutorialArchitecture
import UNetArchitecture

/// The registries a run uses, passed around as one value.
public struct PluginSet: Sendable {
    public var noise: NoiseRegistry
    public var backends: BackendRegistry
    public var architectures: ArchitectureRegistry
    public var formats: OutputFormatRegistry

    public init(
        noise: NoiseRegistry = NoiseRegistry(), backends: BackendRegistry = BackendRegistry(),
        architectures: ArchitectureRegistry = ArchitectureRegistry(),
        formats: OutputFormatRegistry = OutputFormatRegistry()
    ) {
        self.noise = noise
        self.backends = backends
        self.architectures = architectures
        self.formats = formats
    }

    /// What is compiled in: the standard noise models, the `cpu` backend, the architectures and the output formats.
    /// Modules (OpenBLAS's among them) are added by ``forRun(files:report:)``.
    public static var standard: PluginSet {
        var plugins = PluginSet()
        NoiseModels.register(into: &plugins.noise)
        CPUBackend.register(into: &plugins.backends)
        TutorialArchitecture.register(into: &plugins.architectures)
        UNetArchitecture.register(into: &plugins.architectures)
        OutputFormats.register(into: &plugins.formats)
        return plugins
    }

    /// The plugin set a run uses: these plugins, then every module on the
    /// search path (see ``PluginModules``), then `files` (`--plugin`).
    public func forRun(files: [String], report: PluginModules.Report) -> PluginSet {
        var plugins = self
        PluginModules.load(PluginModules.candidates(files: files, report: report), into: &plugins, report: report)
        return plugins
    }
}
