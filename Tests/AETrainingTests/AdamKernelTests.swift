import AEFilterCore
import CAEAdam
import Testing

/// The C Adam kernel against the scalar formula, and its AVX2 build against
/// its baseline build: bit for bit, so results never depend on the CPU.
@Suite struct AdamKernelTests {
    static func state(_ count: Int, seed: UInt64) -> (p: [Float], g: [Float], expAvg: [Float], expAvgSq: [Float]) {
        var rng = RandomGenerator(seed: seed)
        func values(_ scale: Float) -> [Float] { (0..<count).map { _ in (rng.nextUnitFloat() * 2 - 1) * scale } }
        return (values(0.1), values(0.01), values(0.001), values(1e-4).map(abs))
    }

    @Test(arguments: [1, 8, 1_003])
    func matchesTheScalarFormulaAndBothBuildsAgree(count: Int) {
        let (beta1, beta2, epsilon, stepSize, root): (Float, Float, Float, Float, Float) = (
            0.9, 0.999, 1e-8, 1.2e-3, 0.0447
        )
        var expected = Self.state(count, seed: 5)
        for i in 0..<count {
            let g = expected.g[i]
            expected.expAvg[i] = expected.expAvg[i] + (1 - beta1) * (g - expected.expAvg[i])
            expected.expAvgSq[i] = beta2 * expected.expAvgSq[i] + (1 - beta2) * g * g
            expected.p[i] -= stepSize * expected.expAvg[i] / (expected.expAvgSq[i].squareRoot() / root + epsilon)
        }
        for kernel in [CAEAdam_step, CAEAdam_step_baseline] {
            var (p, g, expAvg, expAvgSq) = Self.state(count, seed: 5)
            kernel(&p, &g, &expAvg, &expAvgSq, count, beta1, beta2, epsilon, stepSize, root, 1)
            #expect(p.map(\.bitPattern) == expected.p.map(\.bitPattern))
            #expect(expAvg.map(\.bitPattern) == expected.expAvg.map(\.bitPattern))
            #expect(expAvgSq.map(\.bitPattern) == expected.expAvgSq.map(\.bitPattern))
            #expect(g.allSatisfy { $0 == 0 })
        }
    }
}
