import AEFilterCore
import CAEPluginHost

/// What ae-filter gives a module's noise model to draw with (`ae_filter_host`
/// in `Plugins/include/ae_filter_plugin.h`): ``RandomGenerator``'s own
/// methods, called back over the C ABI on the module's `ae_filter_rng`. There
/// is one xoshiro256** and one Box–Muller, so a module's draws are the
/// built-ins' bit for bit.
public enum ModuleHost {
    /// The table passed to every module's `apply`; it lives as long as the process.
    nonisolated(unsafe) public static let functions: UnsafePointer<ae_filter_host> = {
        let table = UnsafeMutablePointer<ae_filter_host>.allocate(capacity: 1)
        table.initialize(
            to: ae_filter_host(
                next_u64: { rng in draw(rng) { $0.next() } },
                next_unit_float: { rng in draw(rng) { $0.nextUnitFloat() } },
                next_normal: { rng in draw(rng) { $0.nextNormal() } }))
        return UnsafePointer(table)
    }()

    /// `body` on a generator at `rng`'s state, which then holds the new one.
    private static func draw<T>(
        _ rng: UnsafeMutablePointer<ae_filter_rng>?, _ body: (inout RandomGenerator) -> T
    ) -> T {
        var generator = RandomGenerator(state: rng!.pointee.state)
        defer { rng!.pointee.state = generator.state }
        return body(&generator)
    }
}
