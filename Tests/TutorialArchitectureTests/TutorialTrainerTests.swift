import AEFilterCore
import AETraining
import CPUBackend
import Foundation
import TestSupport
import Testing
import TutorialArchitecture

/// One training step against a float64 reference of the same maths:
/// forward, MSE, backward through both layers, PyTorch's Adam update.
@Suite struct TutorialTrainerTests {
    /// `count` random noisy inputs in [0, 2) and targets in [0, 1).
    static func batch(_ count: Int, seed: UInt64) -> (x: [Float], t: [Float]) {
        var rng = RandomGenerator(seed: seed)
        let x = (0..<count * 784).map { _ in rng.nextUnitFloat() * 2 }
        return (x, (0..<count * 784).map { _ in rng.nextUnitFloat() })
    }

    @Test(arguments: [1, 3])
    func stepMatchesAFloat64Reference(steps: Int) {
        let h = 8
        let d = 784
        let batch = 3
        let start = Fixtures.randomModel(hidden: h, seed: 11)
        let (x, t) = Self.batch(batch, seed: 5)
        let sizes = [h * d, h, d * h, d]
        var trainer = TutorialTrainer(
            model: start, optimizer: Adam(sizes: sizes, learningRate: 0.01), backend: CPUBackend(threads: 2),
            batchSize: 4)
        var losses: [Float] = []
        for _ in 0..<steps {
            losses.append(
                x.withUnsafeBufferPointer { xp in
                    t.withUnsafeBufferPointer { tp in
                        trainer.step(noisy: xp.baseAddress!, clean: tp.baseAddress!, count: batch)
                    }
                })
        }

        // Reference, in Double.
        var p = [start.fc1Weight, start.fc1Bias, start.fc2Weight, start.fc2Bias].map { $0.map(Double.init) }
        var m = sizes.map { [Double](repeating: 0, count: $0) }
        var v = m
        var referenceLoss = 0.0
        for step in 1...steps {
            var g = sizes.map { [Double](repeating: 0, count: $0) }
            referenceLoss = 0
            for b in 0..<batch {
                var z = [Double](repeating: 0, count: h)
                var a = z
                for j in 0..<h {
                    z[j] = p[1][j] + (0..<d).reduce(0.0) { $0 + Double(x[b * d + $1]) * p[0][j * d + $1] }
                    a[j] = z[j] < 0 ? 0.01 * z[j] : z[j]
                }
                var da = [Double](repeating: 0, count: h)
                for i in 0..<d {
                    let y = 1 / (1 + exp(-(p[3][i] + (0..<h).reduce(0.0) { $0 + a[$1] * p[2][i * h + $1] })))
                    let diff = y - Double(t[b * d + i])
                    referenceLoss += diff * diff / Double(batch * d)
                    let dz = 2 * diff / Double(batch * d) * y * (1 - y)
                    g[3][i] += dz
                    for j in 0..<h {
                        g[2][i * h + j] += dz * a[j]
                        da[j] += dz * p[2][i * h + j]
                    }
                }
                for j in 0..<h {
                    let dz = z[j] < 0 ? 0.01 * da[j] : da[j]
                    g[1][j] += dz
                    for i in 0..<d { g[0][j * d + i] += dz * Double(x[b * d + i]) }
                }
            }
            let c1 = 1 - pow(0.9, Double(step))
            let c2 = 1 - pow(0.999, Double(step))
            for k in 0..<4 {
                for i in 0..<sizes[k] {
                    m[k][i] = 0.9 * m[k][i] + 0.1 * g[k][i]
                    v[k][i] = 0.999 * v[k][i] + 0.001 * g[k][i] * g[k][i]
                    p[k][i] -= 0.01 / c1 * m[k][i] / ((v[k][i] / c2).squareRoot() + 1e-8)
                }
            }
        }
        #expect(abs(Double(losses.last!) - referenceLoss) < 1e-6)
        let got = [
            trainer.autoencoder.fc1Weight, trainer.autoencoder.fc1Bias, trainer.autoencoder.fc2Weight,
            trainer.autoencoder.fc2Bias,
        ]
        for k in 0..<4 {
            let worst = zip(got[k], p[k]).map { abs(Double($0) - $1) }.max()!
            // Adam's first steps move each weight by about lr; float32 agrees to well within that.
            #expect(worst < 2e-5, "tensor \(k): \(worst)")
        }
        // And the step really moved the weights.
        #expect(zip(got[0], start.fc1Weight).map { abs($0 - $1) }.max()! > 0.005)
    }

    /// A step splits its work by hidden units, pixels and rows over its
    /// threads (here with empty shares too); the split must not show.
    @Test func theThreadCountDoesNotChangeTheResult() {
        let h = 20
        let d = 784
        let batch = 7
        let start = Fixtures.randomModel(hidden: h, seed: 3)
        let (x, t) = Self.batch(batch, seed: 9)
        let sizes = [h * d, h, d * h, d]
        func train(threads: Int) -> (model: Autoencoder, moments: [[Float]], losses: [Float]) {
            var trainer = TutorialTrainer(
                model: start, optimizer: Adam(sizes: sizes, learningRate: 0.01), backend: CPUBackend(threads: 1),
                batchSize: 8,
                threads: threads)
            let losses = (0..<3).map { _ in
                x.withUnsafeBufferPointer { xp in
                    t.withUnsafeBufferPointer { tp in
                        trainer.step(noisy: xp.baseAddress!, clean: tp.baseAddress!, count: batch)
                    }
                }
            }
            return (trainer.autoencoder, trainer.optimizer.moments.flatMap { [$0.expAvg, $0.expAvgSq] }, losses)
        }
        let one = train(threads: 1)
        let moved = one.model != start
        #expect(moved)
        for threads in [2, 3, 5] {
            let other = train(threads: threads)
            // Compared as Bools: a failure would otherwise print every weight.
            let (sameModel, sameMoments) = (other.model == one.model, other.moments == one.moments)
            #expect(sameModel, "\(threads) threads")
            #expect(sameMoments, "\(threads) threads")
            #expect(other.losses == one.losses, "\(threads) threads")
        }
    }

    /// A copied trainer steps on its own buffers, not the original's.
    @Test func copiesAreIndependent() {
        let h = 8
        let d = 784
        let sizes = [h * d, h, d * h, d]
        let x = [Float](repeating: 0.5, count: d)
        var original = TutorialTrainer(
            model: Fixtures.randomModel(hidden: h), optimizer: Adam(sizes: sizes), backend: CPUBackend(threads: 1),
            batchSize: 1, threads: 2)
        let before = original.autoencoder
        var copy = original
        _ = x.withUnsafeBufferPointer { copy.step(noisy: $0.baseAddress!, clean: $0.baseAddress!, count: 1) }
        let (untouched, moved) = (original.autoencoder == before, copy.autoencoder != before)
        #expect(untouched)
        #expect(moved)
        _ = x.withUnsafeBufferPointer { original.step(noisy: $0.baseAddress!, clean: $0.baseAddress!, count: 1) }
        let same = original.autoencoder == copy.autoencoder
        #expect(same)
    }

    /// The test-set MSE computed on the trainer's threads is the sequential
    /// one: same noise, same sums.
    @Test(arguments: [1, 3])
    func evaluationOnTheThreadsMatchesTheSequentialOne(threads: Int) {
        struct Zeroing: NoiseModel {
            let name = "zeroing", level: Float = 0.5
            func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
                for i in pixels.indices where rng.next() & 1 == 0 { pixels[i] = 0 }
            }
        }
        let h = 16
        let count = 1_234
        var rng = RandomGenerator(seed: 2)
        let images = ImageSet(
            pixels: (0..<count * 784).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
            labels: [UInt8](repeating: 0, count: count))
        let model = Fixtures.randomModel(hidden: h)
        let trainer = TutorialTrainer(
            model: model, optimizer: Adam(sizes: [h * 784, h, 784 * h, 784]), backend: CPUBackend(threads: 1),
            batchSize: 4,
            threads: threads)
        let expected = Evaluation.meanSquaredError(
            model: model, backend: CPUBackend(threads: 1), images: images, noise: Zeroing(), seed: 4, stream: 7,
            batchSize: 100)
        #expect(
            trainer.meanSquaredError(images: images, noise: Zeroing(), seed: 4, stream: 7, batchSize: 100) == expected)
        let clean = Evaluation.meanSquaredError(
            model: model, backend: CPUBackend(threads: 1), images: images, noise: nil, seed: 4, stream: 7,
            batchSize: 100)
        #expect(trainer.meanSquaredError(images: images, noise: nil, seed: 4, stream: 7, batchSize: 100) == clean)
        #expect(clean != expected)
    }
}
