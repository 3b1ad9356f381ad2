import AEFilterCore
import CPUBackend
import Foundation
import TestSupport
import Testing
import TutorialArchitecture

@Suite struct AutoencoderTests {
    @Test func initMatchesPyTorchLinearDefaults() {
        let model = Fixtures.randomModel(hidden: 64)
        let bound1 = 1 / Float(784).squareRoot()
        let bound2 = 1 / Float(64).squareRoot()
        #expect(model.fc1Weight.allSatisfy { abs($0) <= bound1 })
        #expect(model.fc1Bias.allSatisfy { abs($0) <= bound1 })
        #expect(model.fc2Weight.allSatisfy { abs($0) <= bound2 })
        #expect(model.fc2Bias.allSatisfy { abs($0) <= bound2 })
        // Uniform on the whole interval: extremes near the bound, mean near 0.
        #expect(model.fc1Weight.max()! > bound1 * 0.99)
        #expect(abs(model.fc1Weight.reduce(0, +) / Float(model.fc1Weight.count)) < bound1 * 0.02)
    }

    @Test func forwardMatchesAFloat64Reference() {
        let model = Fixtures.randomModel(hidden: 24)
        var rng = RandomGenerator(seed: 3)
        let batch = 3
        let x = (0..<batch * 784).map { _ in rng.nextUnitFloat() * 2 }
        let y = model.forward(x, batch: batch, backend: CPUBackend(threads: 2))
        for row in 0..<batch {
            var hidden = [Double](repeating: 0, count: 24)
            for j in 0..<24 {
                var sum = Double(model.fc1Bias[j])
                for i in 0..<784 { sum += Double(x[row * 784 + i]) * Double(model.fc1Weight[j * 784 + i]) }
                hidden[j] = sum < 0 ? sum * 0.01 : sum
            }
            for i in 0..<784 {
                var sum = Double(model.fc2Bias[i])
                for j in 0..<24 { sum += hidden[j] * Double(model.fc2Weight[i * 24 + j]) }
                let expected = 1 / (1 + exp(-sum))
                #expect(abs(Double(y[row * 784 + i]) - expected) < 1e-6)
            }
        }
    }
}
