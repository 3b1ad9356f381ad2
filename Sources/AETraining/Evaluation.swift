import AEFilterCore

/// Test-set measurements of a model under noise.
public enum Evaluation {
    /// Per-pixel MSE of the model's output against the clean images, over
    /// `images`, with noise drawn from (`seed`, `stream`).
    public static func meanSquaredError(
        model: any DenoisingModel, backend: any Backend, images: ImageSet, noise: (any NoiseModel)?,
        seed: UInt64, stream: UInt64, batchSize: Int = 500
    ) -> Double {
        var rng = RandomGenerator(seed: seed, stream: stream)
        var total = 0.0
        forEachBatch(model: model, backend: backend, images: images, noise: noise, rng: &rng, batchSize: batchSize) {
            batch in
            total +=
                batch.output.withUnsafeBufferPointer { o in batch.clean.withUnsafeBufferPointer { Metrics.mse(o, $0) } }
                * Double(batch.count)
        }
        return total / Double(images.count)
    }

    /// One batch of test images: clean, with noise, and the model's output.
    public struct Batch {
        public var start: Int
        public var count: Int
        public var clean: [Float]
        public var noisy: [Float]
        public var output: [Float]
    }

    /// Runs the model over `images` in batches, noise drawn from `rng` in
    /// order, until done or `shouldStop` says so.
    public static func forEachBatch(
        model: any DenoisingModel, backend: any Backend, images: ImageSet, noise: (any NoiseModel)?,
        rng: inout RandomGenerator, batchSize: Int, shouldStop: () -> Bool = { false }, _ body: (Batch) -> Void
    ) {
        let d = Geometry.pixels
        var start = 0
        while start < images.count, !shouldStop() {
            let count = min(batchSize, images.count - start)
            let clean = images.pixels[start * d..<(start + count) * d].map { Float($0) / 255 }
            var noisy = clean
            if let noise { noisy.withUnsafeMutableBufferPointer { noise.apply(to: $0, rng: &rng) } }
            body(
                Batch(
                    start: start, count: count, clean: clean, noisy: noisy,
                    output: model.forward(noisy, batch: count, backend: backend)))
            start += count
        }
    }
}

/// One evaluation during training.
public struct EvaluationPoint: Sendable, Equatable {
    public var iteration: Int
    /// Mean training loss (per-pixel MSE) since the previous evaluation.
    public var trainLoss: Double
    public var testMSE: Double
    public var testPSNR: Double { Metrics.psnr(mse: testMSE) }
    public var elapsedSeconds: Double
    public var imagesPerSecond: Double

    /// The figures of one evaluation.
    public init(iteration: Int, trainLoss: Double, testMSE: Double, elapsedSeconds: Double, imagesPerSecond: Double) {
        self.iteration = iteration
        self.trainLoss = trainLoss
        self.testMSE = testMSE
        self.elapsedSeconds = elapsedSeconds
        self.imagesPerSecond = imagesPerSecond
    }
}
