import AEFilterCore
import Glibc

/// The training loop: epochs of reshuffled batches, fresh noise for every
/// batch, evaluations on the test set, resumable checkpoints.
///
/// Every random draw comes from (seed, stream) pairs fixed by the epoch, the
/// iteration or the evaluation, so a resumed run reproduces an uninterrupted
/// one bit for bit (same seed and backend).
public struct TrainingRun {
    public let configuration: TrainingConfiguration
    public private(set) var trainer: any ModelTrainer
    /// Steps completed.
    public private(set) var iteration: Int
    /// The step whose loss was not finite, if the run diverged; it stopped
    /// there, with the weights of the step before.
    public private(set) var divergedAt: Int?
    /// The noise model's fault, if it left pixels that are not finite: the run
    /// stopped before that step, with the weights of the step before.
    public private(set) var noiseFault: NoiseFault?
    public private(set) var history: [EvaluationPoint]
    /// The noise of the evaluations, and of training unless the configuration has a range.
    public let noise: any NoiseModel
    /// A noise model by name at a level, for training with a range of levels or a mixture.
    let noiseAt: @Sendable (String, Float) throws -> any NoiseModel
    let train: ImageSet
    let test: ImageSet

    private var order: [Int] = []
    private var orderEpoch = -1
    private var lossSum = 0.0, lossCount = 0
    private var elapsedBefore = 0.0

    static let shuffleStream: UInt64 = 1 << 40
    static let noiseStream: UInt64 = 2 << 40
    static let evaluationStream: UInt64 = 3 << 40

    /// A run on `train`, evaluated on `test`; `resume` continues a saved one.
    /// `noiseAt` makes a noise model by name at a level, for a range of levels or a mixture.
    public init(
        configuration: TrainingConfiguration, train: ImageSet, test: ImageSet, noise: any NoiseModel,
        noiseAt: @escaping @Sendable (String, Float) throws -> any NoiseModel = { _, _ in throw NoiseError("no range")
        },
        architectures: ArchitectureRegistry, backend: any Backend, threads: Int, resume: Checkpoint? = nil
    ) throws {
        self.configuration = configuration
        self.train = train
        self.test = test
        self.noise = noise
        self.noiseAt = noiseAt
        let model: any DenoisingModel
        var optimizer: Adam
        if let resume {
            model = resume.model
            optimizer = Self.adam(for: model, configuration)
            for (index, parameter) in model.parameters.enumerated() {
                let count = parameter.values.count
                guard let expAvg = resume.extraTensors[Self.expAvgName(parameter.name)],
                    let expAvgSq = resume.extraTensors[Self.expAvgSqName(parameter.name)],
                    expAvg.values.count == count, expAvgSq.values.count == count
                else {
                    throw CheckpointError(
                        "not a resumable checkpoint: optimizer state for \(parameter.name) is missing")
                }
                optimizer.moments[index] = Adam.Moments(expAvg: expAvg.values, expAvgSq: expAvgSq.values)
            }
            guard let text = resume.metadata[.trainIteration], let done = Int(text), done >= 0,
                done <= configuration.iterations
            else {
                throw CheckpointError("not a resumable checkpoint: train.iteration is missing or invalid")
            }
            optimizer.step = done
            iteration = done
            history = Self.parseHistory(resume.metadata[.metricsHistory] ?? "")
            (lossSum, lossCount) = try Self.runningLoss(resume.metadata, done: done)
        } else {
            let entry = try architectures.entry(configuration.architecture)
            let values = try architectures.hyperparameters(
                for: configuration.architecture, given: configuration.hyperparameters)
            var rng = RandomGenerator(seed: configuration.seed)
            model = entry.make(values, &rng)
            optimizer = Self.adam(for: model, configuration)
            iteration = 0
            history = []
        }
        guard let trainable = model as? any TrainableModel else {
            throw CheckpointError("the \(model.architecture) architecture cannot be trained here")
        }
        trainer = trainable.makeTrainer(
            optimizer: optimizer, backend: backend, batchSize: configuration.batchSize, threads: threads)
    }

    /// A resumable checkpoint's loss since its last evaluation: a sum of
    /// `count` losses, each 0 or more, over at most the `done` steps.
    public static func runningLoss(_ metadata: [String: String], done: Int) throws(CheckpointError) -> (
        sum: Double, count: Int
    ) {
        let sumText = metadata[.trainRunningLossSum] ?? "0"
        let countText = metadata[.trainRunningLossCount] ?? "0"
        guard let sum = Double(sumText), sum.isFinite, sum >= 0 else {
            throw CheckpointError("metadata train.running_loss_sum is invalid: '\(sumText)'")
        }
        guard let count = Int(countText), (0...max(0, done)).contains(count) else {
            throw CheckpointError("metadata train.running_loss_count is invalid: '\(countText)' (0 to \(done) steps)")
        }
        guard count > 0 || sum == 0 else {
            throw CheckpointError(
                "metadata train.running_loss_sum is \(sumText) over no steps (train.running_loss_count is 0)")
        }
        return (sum, count)
    }

    static func adam(for model: any DenoisingModel, _ configuration: TrainingConfiguration) -> Adam {
        Adam(
            sizes: model.parameters.map(\.values.count), learningRate: configuration.learningRate,
            beta1: configuration.beta1, beta2: configuration.beta2, epsilon: configuration.epsilon)
    }

    /// The tensor names of Adam's averages in a resumable checkpoint, as PyTorch's optimizer state calls them.
    static func expAvgName(_ parameter: String) -> String { "optimizer.exp_avg.\(parameter)" }
    static func expAvgSqName(_ parameter: String) -> String { "optimizer.exp_avg_sq.\(parameter)" }

    public var isFinished: Bool { iteration >= configuration.iterations }

    /// Whether every weight and bias is finite.
    public var weightsAreFinite: Bool { trainer.model.isFinite }

    /// Trains until done or `shouldStop` says so, calling back at each
    /// evaluation and every `checkpointEvery` steps.
    public mutating func run(
        checkpointEvery: Int? = nil,
        onStep: (Int) -> Void = { _ in },
        onEvaluation: (EvaluationPoint) -> Void = { _ in },
        onCheckpoint: (TrainingRun) throws -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) rethrows {
        let start = Self.now()
        let startIteration = iteration
        let batch = configuration.batchSize
        let d = Geometry.pixels
        let batchesPerEpoch = (train.count + batch - 1) / batch
        var clean = [Float](repeating: 0, count: batch * d)
        var noisy = [Float](repeating: 0, count: batch * d)
        while !isFinished, divergedAt == nil, noiseFault == nil, !shouldStop() {
            let epoch = iteration / batchesPerEpoch
            let position = iteration % batchesPerEpoch
            if epoch != orderEpoch { shuffle(epoch: epoch) }
            let first = position * batch
            let count = min(batch, train.count - first)
            // Each image's noise has its own generator, seeded in order from the
            // iteration's, so the threads can draw it in parallel.
            var seeds = RandomGenerator(seed: configuration.seed, stream: Self.noiseStream + UInt64(iteration))
            let rowSeeds = (0..<count).map { _ in seeds.next() }
            let noise = self.noise
            let noiseAt = self.noiseAt
            let range = configuration.noiseRange
            let mix = configuration.noiseMix
            let noiseName = configuration.noiseModel
            train.pixels.withUnsafeBufferPointer { pixels in
                clean.withUnsafeMutableBufferPointer { target in
                    noisy.withUnsafeMutableBufferPointer { copy in
                        nonisolated(unsafe) let (pixels, target, copy) = (pixels, target, copy)
                        trainer.forEachShare(of: count) { rows in
                            for row in rows {
                                let source = pixels.baseAddress! + order[first + row] * d
                                let destination = target.baseAddress! + row * d
                                let corrupted = copy.baseAddress! + row * d
                                for j in 0..<d { destination[j] = Float(source[j]) / 255 }
                                corrupted.update(from: destination, count: d)
                                var rng = RandomGenerator(seed: rowSeeds[row])
                                var model = noise
                                if let mix {
                                    // A mixture: each image's noise model and level, from its own generator.
                                    let (name, level) = mix.draw(&rng)
                                    model = (try? noiseAt(name, level)) ?? noise
                                } else if let range {
                                    // Blind training: each image's level, from its own generator.
                                    let level =
                                        range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnitFloat()
                                    model = (try? noiseAt(noiseName, level)) ?? noise
                                }
                                model.apply(to: UnsafeMutableBufferPointer(start: corrupted, count: d), rng: &rng)
                            }
                        }
                    }
                }
            }
            // A noise model's NaN would otherwise look like a diverging run.
            let noiseIsFinite = noisy.withUnsafeBufferPointer {
                NoiseFault.allFinite(UnsafeBufferPointer(rebasing: $0[0..<count * d]))
            }
            guard noiseIsFinite else {
                noiseFault = NoiseFault(noise)
                break
            }
            trainer.learningRate = configuration.learningRate(at: iteration)
            let loss = noisy.withUnsafeBufferPointer { x in
                clean.withUnsafeBufferPointer { t in
                    trainer.step(noisy: x.baseAddress!, clean: t.baseAddress!, count: count)
                }
            }
            guard loss.isFinite else {
                divergedAt = iteration + 1
                break
            }
            lossSum += Double(loss)
            lossCount += 1
            iteration += 1
            onStep(iteration)

            if iteration % max(1, configuration.evalEvery) == 0 || isFinished {
                let elapsed = Self.now() - start
                let testMSE = evaluate(index: history.count, shouldStop: shouldStop)
                // A stop during the evaluation: the step counts, the figures are dropped.
                if shouldStop() { break }
                let point = EvaluationPoint(
                    iteration: iteration, trainLoss: lossSum / Double(max(1, lossCount)),
                    testMSE: testMSE, elapsedSeconds: elapsedBefore + elapsed,
                    imagesPerSecond: Double((iteration - startIteration) * batch) / max(elapsed, 1e-9))
                history.append(point)
                lossSum = 0
                lossCount = 0
                onEvaluation(point)
            }
            if let every = checkpointEvery, every > 0, iteration % every == 0, !isFinished {
                try onCheckpoint(self)
            }
        }
        elapsedBefore += Self.now() - start
    }

    /// Test MSE with the noise of evaluation number `index` (NaN if `shouldStop` cut it short).
    public func evaluate(index: Int, shouldStop: () -> Bool = { false }) -> Double {
        trainer.meanSquaredError(
            images: test, noise: noise, seed: configuration.seed, stream: Self.evaluationStream + UInt64(index),
            batchSize: 500, shouldStop: shouldStop)
    }

    /// The checkpoint now: model, configuration, metrics, and, when
    /// `resumable`, the optimizer state needed to continue. It holds no
    /// timings, so equal runs give byte-identical files.
    public func checkpoint(resumable: Bool, metadata extra: [String: String] = [:]) -> Checkpoint {
        var metadata = configuration.metadata.merging(extra) { _, new in new }
        metadata[.trainIteration] = "\(iteration)"
        metadata[.noiseModel] = noise.name
        metadata[.noise] = "\(noise.level)"
        metadata[.metricsHistory] = history.map { "\($0.iteration):\($0.testMSE)" }.joined(separator: ",")
        if let last = history.last {
            metadata[.metricsTestMSE] = "\(last.testMSE)"
            metadata[.metricsTestPSNR] = "\(last.testPSNR)"
            metadata[.metricsTrainLoss] = "\(last.trainLoss)"
        }
        var extraTensors: [String: SafeTensors.Tensor] = [:]
        if resumable {
            let optimizer = trainer.optimizer
            // The training loss since the last evaluation, so the next one reports the same figure.
            metadata[.trainRunningLossSum] = "\(lossSum)"
            metadata[.trainRunningLossCount] = "\(lossCount)"
            let model = trainer.model
            for (parameter, moments) in zip(model.parameters, optimizer.moments) {
                extraTensors[Self.expAvgName(parameter.name)] = .init(
                    shape: [moments.expAvg.count], values: moments.expAvg)
                extraTensors[Self.expAvgSqName(parameter.name)] = .init(
                    shape: [moments.expAvgSq.count], values: moments.expAvgSq)
            }
        }
        return Checkpoint(model: trainer.model, metadata: metadata, extraTensors: extraTensors)
    }

    private mutating func shuffle(epoch: Int) {
        var rng = RandomGenerator(seed: configuration.seed, stream: Self.shuffleStream + UInt64(epoch))
        order = Array(0..<train.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        orderEpoch = epoch
    }

    static func parseHistory(_ text: String) -> [EvaluationPoint] {
        text.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ":")
            guard parts.count == 2, let iteration = Int(parts[0]), let mse = Double(parts[1]) else { return nil }
            return EvaluationPoint(
                iteration: iteration, trainLoss: .nan, testMSE: mse, elapsedSeconds: .nan, imagesPerSecond: .nan)
        }
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
