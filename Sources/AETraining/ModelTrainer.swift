import AEFilterCore

/// Trains one model a step at a time: forward, MSE against the clean images,
/// backward, Adam: a ``Trainer`` with the architecture's ``TrainingWorkspace``
/// (see ``TrainableModel``).
///
/// Results must not depend on the thread count: the same steps give the
/// same weights with any `threads`, on any backend.
public protocol ModelTrainer {
    /// The model as of the last step.
    var model: any DenoisingModel { get }
    /// Adam's settings, step count and moments, one pair per parameter, in
    /// the order of the model's ``DenoisingModel/parameters``.
    var optimizer: Adam { get }
    /// The learning rate of the next step.
    var learningRate: Float { get set }

    /// Trains on `count` images (≤ the batch size): `noisy` in, `clean` as
    /// the target. Returns the batch's mean squared error before the update;
    /// when that is not finite, nothing is updated and the step does not count.
    mutating func step(noisy: UnsafePointer<Float>, clean: UnsafePointer<Float>, count: Int) -> Float

    /// Per-pixel MSE of the current model on `images`, with noise drawn in
    /// order from (`seed`, `stream`), on the trainer's threads. Between
    /// batches it looks at `shouldStop`; once that is true the result is NaN.
    func meanSquaredError(
        images: ImageSet, noise: (any NoiseModel)?, seed: UInt64, stream: UInt64, batchSize: Int,
        shouldStop: () -> Bool
    ) -> Double

    /// Runs `body` on each thread's share of `0..<count` (the rows of a
    /// batch, say), on the trainer's threads; `body` must be safe to run concurrently.
    func forEachShare(of count: Int, _ body: (Range<Int>) -> Void)
}

/// A model that can be trained here.
public protocol TrainableModel: DenoisingModel {
    /// A trainer that continues from this model and `optimizer`, with
    /// `batchSize` images per step on `threads` threads.
    func makeTrainer(optimizer: Adam, backend: any Backend, batchSize: Int, threads: Int) -> any ModelTrainer
}

extension ModelTrainer {
    /// Per-pixel MSE of the current model on all of `images`.
    public func meanSquaredError(
        images: ImageSet, noise: (any NoiseModel)?, seed: UInt64, stream: UInt64, batchSize: Int
    ) -> Double {
        meanSquaredError(images: images, noise: noise, seed: seed, stream: stream, batchSize: batchSize) { false }
    }
}
