import AEFilterCore
import AETraining
import Glibc

extension TutorialTrainer {
    /// ``Evaluation/meanSquaredError(model:backend:images:noise:seed:stream:batchSize:)``
    /// of the current model, on the trainer's threads: the same noise, batches
    /// and sums, so the same figure, bit for bit, as with a one-thread backend.
    public func meanSquaredError(
        images: ImageSet, noise: (any NoiseModel)?, seed: UInt64, stream: UInt64, batchSize: Int,
        shouldStop: () -> Bool
    ) -> Double {
        var rng = RandomGenerator(seed: seed, stream: stream)
        let d = Geometry.pixels
        let h = hiddenSize
        let slope = negativeSlope
        let s = storage
        let backend = backend
        let team = s.team
        let (w1, b1) = (s.parameters[.fc1Weight], s.parameters[.fc1Bias])
        let (w2, b2) = (s.parameters[.fc2Weight], s.parameters[.fc2Bias])
        // Per member: clean and noisy input, hidden activations, output.
        let clean = (0..<team.size).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * d) }
        let noisy = (0..<team.size).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * d) }
        let hidden = (0..<team.size).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * h) }
        let output = (0..<team.size).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batchSize * d) }
        defer { for buffer in clean + noisy + hidden + output { buffer.deallocate() } }
        var counts = [Int](repeating: 0, count: team.size)
        var mses = [Double](repeating: 0, count: team.size)

        var total = 0.0
        var start = 0
        while start < images.count {
            if shouldStop() { return .nan }
            // Noise is drawn in batch order, on this thread; the model runs one batch per member.
            for member in 0..<team.size {
                let count = min(batchSize, images.count - start)
                counts[member] = max(0, count)
                guard count > 0 else { continue }
                images.pixels.withUnsafeBufferPointer { pixels in
                    for i in 0..<count * d { clean[member][i] = Float(pixels[start * d + i]) / 255 }
                }
                noisy[member].update(from: clean[member], count: count * d)
                noise?.apply(to: UnsafeMutableBufferPointer(start: noisy[member], count: count * d), rng: &rng)
                start += count
            }
            mses.withUnsafeMutableBufferPointer { mses in
                nonisolated(unsafe) let mses = mses
                team.run { member in
                    let count = counts[member]
                    guard count > 0 else { return }
                    let x = noisy[member]
                    let a = hidden[member]
                    let y = output[member]
                    backend.gemm(
                        transA: false, transB: true, m: count, n: h, k: d, alpha: 1, a: x, lda: d, b: w1, ldb: d,
                        beta: 0, c: a, ldc: h)
                    Elementwise.biasLeakyReLU(z: a, a: a, bias: b1, rows: count, columns: h, slope: slope, threads: 1)
                    backend.gemm(
                        transA: false, transB: true, m: count, n: d, k: h, alpha: 1, a: a, lda: h, b: w2, ldb: h,
                        beta: 0, c: y, ldc: d)
                    Elementwise.biasSigmoid(y: y, bias: b2, rows: count, columns: d, threads: 1)
                    mses[member] = Metrics.mse(
                        UnsafeBufferPointer(start: y, count: count * d),
                        UnsafeBufferPointer(start: clean[member], count: count * d))
                }
            }
            for member in 0..<team.size where counts[member] > 0 { total += mses[member] * Double(counts[member]) }
        }
        return total / Double(images.count)
    }
}
