import AEFilterCore
import Testing

@Suite struct RandomGeneratorTests {
    @Test func isReproducibleAndStreamsDiffer() {
        var a = RandomGenerator(seed: 42)
        var b = RandomGenerator(seed: 42)
        var c = RandomGenerator(seed: 42, stream: 1)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func uniformAndNormalHaveTheRightMoments() {
        var rng = RandomGenerator(seed: 1)
        let n = 200_000
        let uniform = (0..<n).map { _ in rng.nextUnitFloat() }
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(uniform.reduce(0, +) / Float(n) - 0.5) < 0.005)
        let normal = (0..<n).map { _ in Double(rng.nextNormal()) }
        let mean = normal.reduce(0, +) / Double(n)
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    /// Probabilities at and beside every kind of edge: 0, 1, exact multiples
    /// of 2^-24, their neighbours, and values with more bits than 24.
    static let probabilities: [Float] = {
        var values: [Float] = [0, 1, 0.5, 0.25, 0.1, 1.0 / 3, 0.9999999, 1e-9, 0x1p-24, 0x1p-25]
        for k: Float in [1, 2, 3, 12_345, 8_388_608, 16_777_215] {
            let exact = k * 0x1p-24
            values += [exact, exact.nextUp, exact.nextDown]
        }
        var rng = RandomGenerator(seed: 7)
        values += (0..<200).map { _ in Float(rng.next() >> 11) * 0x1p-53 }
        return values.filter { $0 >= 0 && $0 <= 1 }
    }()

    @Test func nextBelowAgreesWithTheFloatComparison() {
        for p in Self.probabilities {
            let threshold = UnitThreshold(p)
            // Every 24-bit draw near the threshold, plus a random run.
            let centre = Int(p * 0x1p24)
            for k in max(0, centre - 3)...min(1 << 24 - 1, centre + 3) {
                #expect((k < Int(threshold.bits)) == (Float(k) * 0x1p-24 < p), "p \(p), k \(k)")
            }
            var a = RandomGenerator(seed: 3)
            var b = RandomGenerator(seed: 3)
            for _ in 0..<1_000 {
                #expect(a.nextBelow(threshold) == (b.nextUnitFloat() < p))
            }
        }
    }

    @Test(arguments: [0, 1, 7, 8, 255, 256, 257, 1_000])
    func keepMasksAreTheSameDraws(count: Int) {
        for p: Float in [0, 0.5, 1.0 / 3, 1] {
            let threshold = UnitThreshold(p)
            var a = RandomGenerator(seed: 11)
            var b = RandomGenerator(seed: 11)
            var masks: [UInt32] = []
            a.withKeepMasks(count, below: threshold) { offset, chunk in
                #expect(offset == masks.count)
                masks += chunk
            }
            #expect(masks == (0..<count).map { _ in b.nextBelow(threshold) ? 0 : ~0 })
            // Both generators are at the same place afterwards.
            #expect(a.next() == b.next())
        }
    }
}
