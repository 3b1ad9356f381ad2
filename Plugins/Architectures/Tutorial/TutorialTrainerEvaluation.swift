import AEFilterCore
import AESystem
import AETraining

extension TutorialWorkspace {
    /// A batch per member at once.
    public static func evaluationBatches(members: Int) -> Int { members }

    /// ``Evaluation/meanSquaredError(model:backend:images:noise:seed:stream:batchSize:)``'s
    /// terms, one per batch (its MSE times its images), each batch on a
    /// member of its own: the same figure, bit for bit, as with a one-thread backend.
    public func squaredErrors(
        noisy: [UnsafeMutablePointer<Float>], clean: [UnsafeMutablePointer<Float>], counts: [Int],
        backend: any Backend, team: ThreadTeam
    ) -> [Double] {
        let d = Geometry.pixels
        let h = hiddenSize
        let slope = negativeSlope
        let (w1, b1) = (parameters[.fc1Weight], parameters[.fc1Bias])
        let (w2, b2) = (parameters[.fc2Weight], parameters[.fc2Bias])
        let size = counts.max() ?? 0
        // Per batch: hidden activations and output.
        let hidden = counts.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(1, size * h)) }
        let output = counts.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: max(1, size * d)) }
        defer { for buffer in hidden + output { buffer.deallocate() } }
        var mses = [Double](repeating: 0, count: counts.count)
        mses.withUnsafeMutableBufferPointer { mses in
            nonisolated(unsafe) let mses = mses
            // Batch b on member b.
            team.run { batch in
                if batch < counts.count, counts[batch] > 0 {
                    let count = counts[batch]
                    let x = noisy[batch]
                    let a = hidden[batch]
                    let y = output[batch]
                    backend.gemm(
                        transA: false, transB: true, m: count, n: h, k: d, alpha: 1, a: x, lda: d, b: w1, ldb: d,
                        beta: 0, c: a, ldc: h)
                    Elementwise.biasLeakyReLU(z: a, a: a, bias: b1, rows: count, columns: h, slope: slope, threads: 1)
                    backend.gemm(
                        transA: false, transB: true, m: count, n: d, k: h, alpha: 1, a: a, lda: h, b: w2, ldb: h,
                        beta: 0, c: y, ldc: d)
                    Elementwise.biasSigmoid(y: y, bias: b2, rows: count, columns: d, threads: 1)
                    mses[batch] = Metrics.mse(
                        UnsafeBufferPointer(start: y, count: count * d),
                        UnsafeBufferPointer(start: clean[batch], count: count * d))
                }
            }
        }
        return counts.indices.filter { counts[$0] > 0 }.map { mses[$0] * Double(counts[$0]) }
    }
}
