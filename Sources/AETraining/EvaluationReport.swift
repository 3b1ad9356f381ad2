import AEFilterCore

/// MSE, PSNR and SSIM on a test set, overall and per class, for the model
/// and for two baselines: the noisy input as it looks, and a 3×3 median of it.
public struct EvaluationReport: Sendable {
    /// Mean per-pixel MSE, PSNR (dB) and SSIM of one method on a set of images.
    public struct Scores: Sendable, Equatable {
        public var mse: Double
        public var psnr: Double { Metrics.psnr(mse: mse) }
        public var ssim: Double
    }

    /// One group of images (all, or one class) with the scores of the model and the baselines.
    public struct Row: Sendable {
        /// nil for the overall row.
        public var label: Int?
        public var count: Int
        public var model: Scores
        public var noisy: Scores
        public var median: Scores
    }

    public var rows: [Row]
    public var repeats: Int
    /// Set when the noise model left pixels that are not finite: the figures are then meaningless.
    public var noiseFault: NoiseFault?
    /// Set when the model's output was not finite for some image: the figures are then meaningless.
    public var outputIsNotFinite = false
    public var overall: Row { rows[0] }

    /// Evaluates `repeats` noise draws (seeds `seed`, `seed + 1`, ...) and
    /// averages them; `shouldStop` can end the work early (the figures are then partial).
    public init(
        model: any DenoisingModel, backend: any Backend, images: ImageSet, noise: (any NoiseModel)?, seed: UInt64,
        repeats: Int, batchSize: Int = 500, shouldStop: () -> Bool = { false }
    ) {
        let d = Geometry.pixels
        let classes = Int(images.labels.max() ?? 0) + 1
        // Sums per class: squared error and SSIM, for model, noisy, median.
        var squared = [[Double]](repeating: [0, 0, 0], count: classes)
        var structural = [[Double]](repeating: [0, 0, 0], count: classes)
        var counts = [Int](repeating: 0, count: classes)
        var fault: NoiseFault?
        var notFinite = false
        for repeat_ in 0..<max(1, repeats) {
            var rng = RandomGenerator(seed: seed &+ UInt64(repeat_))
            Evaluation.forEachBatch(
                model: model, backend: backend, images: images, noise: noise, rng: &rng, batchSize: batchSize,
                shouldStop: shouldStop
            ) { batch in
                if fault == nil, let noise, !batch.noisy.withUnsafeBufferPointer(NoiseFault.allFinite) {
                    fault = NoiseFault(noise)
                }
                if !notFinite, !batch.output.withUnsafeBufferPointer(NoiseFault.allFinite) { notFinite = true }
                var visible = batch.noisy
                if let noise {
                    visible.withUnsafeMutableBufferPointer { noise.appearance(of: $0) }
                } else {
                    visible = visible.map { min(max($0, 0), 1) }
                }
                for i in 0..<batch.count {
                    let label = Int(images.labels[batch.start + i])
                    let range = i * d..<(i + 1) * d
                    batch.clean[range].withUnsafeBufferPointer { c in
                        visible[range].withUnsafeBufferPointer { v in
                            let median = Metrics.median3x3(v)
                            let candidates: [[Float]] = [Array(batch.output[range]), Array(v), median]
                            for (kind, image) in candidates.enumerated() {
                                image.withUnsafeBufferPointer { p in
                                    squared[label][kind] += Metrics.mse(p, c)
                                    structural[label][kind] += Metrics.ssim(p, c)
                                }
                            }
                        }
                    }
                    counts[label] += 1
                }
            }
        }
        func row(_ label: Int?, _ classesIn: [Int]) -> Row {
            let n = Double(classesIn.map { counts[$0] }.reduce(0, +))
            func scores(_ kind: Int) -> Scores {
                Scores(
                    mse: classesIn.map { squared[$0][kind] }.reduce(0, +) / n,
                    ssim: classesIn.map { structural[$0][kind] }.reduce(0, +) / n)
            }
            return Row(
                label: label, count: Int(n) / max(1, repeats), model: scores(0), noisy: scores(1), median: scores(2))
        }
        let present = (0..<classes).filter { counts[$0] > 0 }
        rows = [row(nil, present)] + present.map { row($0, [$0]) }
        self.repeats = max(1, repeats)
        noiseFault = fault
        outputIsNotFinite = notFinite
    }
}
