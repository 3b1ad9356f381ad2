import AEFilterCore
import NoiseModels
import Testing

func noisy(_ model: any NoiseModel, _ pixels: [Float], seed: UInt64 = 1) -> [Float] {
    var out = pixels
    var rng = RandomGenerator(seed: seed)
    out.withUnsafeMutableBufferPointer { model.apply(to: $0, rng: &rng) }
    return out
}

@Suite struct DropoutNoiseTests {
    @Test(arguments: [Float(0.1), 0.5, 0.7])
    func zeroesAboutPAndScalesTheRest(p: Float) throws {
        let n = 100_000
        let clean = (0..<n).map { Float($0 % 255 + 1) / 256 }
        let out = noisy(try DropoutNoise(level: p), clean)
        let kept = (0..<n).filter { out[$0] != 0 }
        let keptFraction = Double(kept.count) / Double(n)
        // 5 standard deviations of a binomial proportion.
        #expect(abs(keptFraction - Double(1 - p)) < 5 * (Double(p * (1 - p)) / Double(n)).squareRoot())
        #expect(kept.allSatisfy { abs(out[$0] - clean[$0] / (1 - p)) <= 1e-6 * out[$0] })
        // E[noisy] = clean, as with nn.Dropout.
        let ratio = out.reduce(0, +) / clean.reduce(0, +)
        #expect(abs(ratio - 1) < 0.02)
    }

    @Test func extremesAndInvalidLevels() throws {
        let clean: [Float] = [0.2, 0.4, 0.6]
        #expect(noisy(try DropoutNoise(level: 0), clean) == clean)
        #expect(noisy(try DropoutNoise(level: 1), clean) == [0, 0, 0])
        #expect(throws: NoiseError("dropout noise needs a probability between 0 and 1, got 1.5")) {
            try DropoutNoise(level: 1.5)
        }
        #expect(throws: NoiseError.self) { try DropoutNoise(level: -0.1) }
        #expect(throws: NoiseError.self) { try DropoutNoise(level: .nan) }
    }
}

@Suite struct OtherNoiseTests {
    let clean = (0..<50_000).map { Float($0 % 200 + 20) / 255 }

    @Test func maskZeroesWithoutRescaling() throws {
        let out = noisy(try MaskNoise(level: 0.3), clean)
        let zeroed = Double(out.filter { $0 == 0 }.count) / Double(clean.count)
        #expect(abs(zeroed - 0.3) < 0.01)
        #expect(zip(out, clean).allSatisfy { $0 == 0 || $0 == $1 })
    }

    @Test func saltPepperSetsBlackAndWhiteEvenly() throws {
        let out = noisy(try SaltPepperNoise(level: 0.2), clean)
        let black = Double(out.filter { $0 == 0 }.count) / Double(clean.count)
        let white = Double(out.filter { $0 == 1 }.count) / Double(clean.count)
        #expect(abs(black - 0.1) < 0.01 && abs(white - 0.1) < 0.01)
        #expect(zip(out, clean).allSatisfy { $0 == 0 || $0 == 1 || $0 == $1 })
    }

    @Test func gaussianAddsSigmaAndClamps() throws {
        let mid = [Float](repeating: 0.5, count: 50_000)
        let out = noisy(try GaussianNoise(level: 0.1), mid)
        let deviations = out.map { Double($0 - 0.5) }
        let sd = (deviations.map { $0 * $0 }.reduce(0, +) / Double(out.count)).squareRoot()
        #expect(abs(sd - 0.1) < 0.005)
        #expect(noisy(try GaussianNoise(level: 5), mid).allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(throws: NoiseError.self) { try GaussianNoise(level: -1) }
    }
}
