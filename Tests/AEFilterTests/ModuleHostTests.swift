import AEFilter
import AEFilterCore
import CAEPluginHost
import Testing

/// A module's noise draws through `ae_filter_host`, which is
/// ``RandomGenerator`` called back over the C ABI: the same stream as the
/// built-ins', and the stream the host's former C copy gave (pinned below).
@Suite struct ModuleHostTests {
    /// Seed and stream, then two `next_u64`, one `next_unit_float` and two
    /// `next_normal` (floats as bit patterns), as the C copy that lived in
    /// host.c drew them.
    static let pinned: [(UInt64, UInt64, [UInt64])] = [
        (0, 0, [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x3DD2_FC20, 0xBDE2_B587, 0xC066_0E72]),
        (1, 0, [0xB3F2_AF6D_0FC7_10C5, 0x853B_5596_4736_4CEA, 0x3F12_F897, 0xBEA6_3C3E, 0x3F00_8FD1]),
        (42, 0, [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0x3F2E_1753, 0x4011_5C74, 0xBEA8_6EF8]),
        (7, 3, [0xD88D_886B_B833_247C, 0xCAE3_895E_9C25_6B2D, 0x3DEA_B968, 0x3C59_A299, 0xBFD8_0C83]),
        (.max, 1, [0x1BF8_D11D_66EA_4C3D, 0x1727_69BE_71ED_8DBF, 0x3EB8_CA1E, 0xBFF1_B8F1, 0xBEC2_018C]),
    ]

    @Test func theHostDrawsRandomGeneratorsStream() {
        let host = ModuleHost.functions.pointee
        for (seed, stream, expected) in Self.pinned {
            var generator = RandomGenerator(seed: seed, stream: stream)
            var rng = ae_filter_rng(state: generator.state)
            let viaHost: [UInt64] = [
                host.next_u64(&rng), host.next_u64(&rng), UInt64(host.next_unit_float(&rng).bitPattern),
                UInt64(host.next_normal(&rng).bitPattern), UInt64(host.next_normal(&rng).bitPattern),
            ]
            let inSwift: [UInt64] = [
                generator.next(), generator.next(), UInt64(generator.nextUnitFloat().bitPattern),
                UInt64(generator.nextNormal().bitPattern), UInt64(generator.nextNormal().bitPattern),
            ]
            #expect(viaHost == expected, "seed \(seed), stream \(stream)")
            #expect(inSwift == expected, "seed \(seed), stream \(stream)")
            #expect(rng.state == generator.state)
        }
    }
}
