import AEFilterCore
import CAEPluginHost

/// A noise model registered by a plugin module, made for one level.
struct ModuleNoiseModel: NoiseModel {
    let descriptor: ModuleDescriptor<ae_filter_noise_model>
    let name: String
    let level: Float
    let origin: PluginOrigin

    func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        var state = ae_filter_rng(state: rng.state)
        CAEPluginHost_apply(descriptor.pointer, level, pixels.baseAddress, pixels.count, &state, ModuleHost.functions)
        rng.state = state.state
    }

    func appearance(of noisy: UnsafeMutableBufferPointer<Float>) {
        if CAEPluginHost_appearance(descriptor.pointer, level, noisy.baseAddress, noisy.count) == 0 {
            for i in noisy.indices { noisy[i] = min(max(noisy[i], 0), 1) }
        }
    }
}

/// A module's descriptor: constant and never freed (modules are never unloaded).
struct ModuleDescriptor<Value>: @unchecked Sendable {
    let pointer: UnsafePointer<Value>
}
