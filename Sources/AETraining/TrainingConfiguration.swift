import AEFilterCore
import Glibc

/// Everything that decides what a training run computes. The defaults are the
/// tutorial's protocol; every field goes into the checkpoint's metadata.
public struct TrainingConfiguration: Sendable, Equatable {
    /// How the learning rate moves: constant, or cosine from `learningRate` to `minLearningRate`.
    public enum Schedule: String, Sendable, CaseIterable {
        /// The tutorial's: the same learning rate throughout.
        case constant
        /// Cosine decay from the learning rate to `minLearningRate` over the run.
        case cosine
    }

    /// The architecture's registered name, and the hyper-parameters given
    /// (the others take the architecture's defaults).
    public var architecture = "tutorial"
    public var hyperparameters: [String: Int] = [:]
    public var iterations = 4800
    public var batchSize = 100
    public var learningRate: Float = 1e-3
    public var minLearningRate: Float = 0
    public var schedule = Schedule.constant
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var noiseModel = "dropout"
    public var noiseLevel: Float = 0.5
    /// Blind training: each image's level is drawn uniformly from this range
    /// (`noiseLevel` is then the level of the evaluations).
    public var noiseRange: ClosedRange<Float>?
    public var seed: UInt64 = 0
    public var evalEvery = 500

    /// The tutorial's protocol.
    public init() {}

    /// The learning rate for the step that follows `iteration` steps.
    public func learningRate(at iteration: Int) -> Float {
        switch schedule {
        case .constant:
            return learningRate
        case .cosine:
            let progress = Double(iteration) / Double(max(1, iterations))
            return minLearningRate + (learningRate - minLearningRate) * Float(0.5 * (1 + cos(Double.pi * progress)))
        }
    }

    /// One field of the configuration and the metadata key it is kept under.
    struct Field: Sendable {
        let key: MetadataKey
        let write: @Sendable (TrainingConfiguration) -> String
        let read: @Sendable (inout TrainingConfiguration, String) -> Bool

        init<T: LosslessStringConvertible>(
            _ key: MetadataKey, _ path: WritableKeyPath<TrainingConfiguration, T> & Sendable
        ) {
            self.key = key
            write = { "\($0[keyPath: path])" }
            read = { configuration, text in
                guard let value = T(text) else { return false }
                configuration[keyPath: path] = value
                return true
            }
        }
    }

    /// Every field, written and read through the same table.
    static let fields: [Field] = [
        Field(.trainArchitecture, \.architecture), Field(.trainHyperparameters, \.hyperparameterText),
        Field(.trainIterations, \.iterations), Field(.trainBatchSize, \.batchSize),
        Field(.trainLearningRate, \.learningRate), Field(.trainMinLearningRate, \.minLearningRate),
        Field(.trainSchedule, \.schedule), Field(.trainBeta1, \.beta1), Field(.trainBeta2, \.beta2),
        Field(.trainEpsilon, \.epsilon), Field(.trainNoiseModel, \.noiseModel), Field(.trainNoise, \.noiseLevel),
        Field(.trainSeed, \.seed), Field(.trainEvalEvery, \.evalEvery), Field(.trainNoiseRange, \.noiseRangeText),
    ]

    /// The hyper-parameters as `name=value,...`, in name order.
    var hyperparameterText: String {
        get { hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
        set {
            hyperparameters = [:]
            for item in newValue.split(separator: ",") {
                let parts = item.split(separator: "=")
                if parts.count == 2, let value = Int(parts[1]) { hyperparameters[String(parts[0])] = value }
            }
        }
    }

    /// The noise range as `LO:HI`, or `none`.
    var noiseRangeText: String {
        get { noiseRange.map { "\($0.lowerBound):\($0.upperBound)" } ?? "none" }
        set { noiseRange = Self.range(newValue) }
    }

    /// `LO:HI` with 0 ≤ LO ≤ HI, both finite; nil otherwise.
    public static func range(_ text: String) -> ClosedRange<Float>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Float(parts[0]), let high = Float(parts[1]), low.isFinite, high.isFinite,
            low >= 0, low <= high
        else { return nil }
        return low...high
    }

    /// As `__metadata__` entries, prefixed `train.`.
    public var metadata: [String: String] {
        var entries: [String: String] = [:]
        for field in Self.fields { entries[field.key] = field.write(self) }
        return entries
    }

    /// Reads back what ``metadata`` wrote.
    public init(metadata: [String: String]) throws(CheckpointError) {
        for field in Self.fields {
            guard let text = metadata[field.key], field.read(&self, text) else {
                throw CheckpointError("metadata \(field.key.rawValue) is missing or invalid")
            }
        }
    }
}

extension TrainingConfiguration.Schedule: LosslessStringConvertible {
    public init?(_ description: String) { self.init(rawValue: description) }
    public var description: String { rawValue }
}
