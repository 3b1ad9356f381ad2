import AEFilterCore
import BLASBackend
import CPUBackend
import NoiseModels

/// The registries a run uses, passed around as one value.
public struct PluginSet: Sendable {
    public var noise: NoiseRegistry
    public var backends: BackendRegistry

    public init(noise: NoiseRegistry = NoiseRegistry(), backends: BackendRegistry = BackendRegistry()) {
        self.noise = noise
        self.backends = backends
    }

    /// Everything that ships with ae-filter: the standard noise models, the
    /// built-in `cpu` backend and the OpenBLAS backend.
    public static var standard: PluginSet {
        var plugins = PluginSet()
        NoiseModels.register(into: &plugins.noise)
        CPUBackend.register(into: &plugins.backends)
        BLASBackend.register(into: &plugins.backends)
        return plugins
    }
}
