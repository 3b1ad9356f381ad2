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

    public var hiddenSize = 1176
    public var negativeSlope: Float = 0.01
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

    /// As `__metadata__` entries, prefixed `train.`.
    public var metadata: [String: String] {
        [
            "train.hidden_size": "\(hiddenSize)", "train.negative_slope": "\(negativeSlope)",
            "train.iterations": "\(iterations)", "train.batch_size": "\(batchSize)",
            "train.lr": "\(learningRate)", "train.min_lr": "\(minLearningRate)", "train.schedule": schedule.rawValue,
            "train.adam_beta1": "\(beta1)", "train.adam_beta2": "\(beta2)", "train.adam_eps": "\(epsilon)",
            "train.noise_model": noiseModel, "train.noise": "\(noiseLevel)",
            "train.seed": "\(seed)", "train.eval_every": "\(evalEvery)",
        ]
    }

    /// Reads back what ``metadata`` wrote.
    public init(metadata: [String: String]) throws(CheckpointError) {
        func value<T: LosslessStringConvertible>(_ key: String) throws(CheckpointError) -> T {
            guard let text = metadata["train.\(key)"], let value = T(text) else {
                throw CheckpointError("metadata train.\(key) is missing or invalid")
            }
            return value
        }
        hiddenSize = try value("hidden_size")
        negativeSlope = try value("negative_slope")
        iterations = try value("iterations")
        batchSize = try value("batch_size")
        learningRate = try value("lr")
        minLearningRate = try value("min_lr")
        let scheduleName: String = try value("schedule")
        guard let schedule = Schedule(rawValue: scheduleName) else { throw CheckpointError("metadata train.schedule '\(scheduleName)' is unknown") }
        self.schedule = schedule
        beta1 = try value("adam_beta1")
        beta2 = try value("adam_beta2")
        epsilon = try value("adam_eps")
        noiseModel = try value("noise_model")
        noiseLevel = try value("noise")
        seed = try value("seed")
        evalEvery = try value("eval_every")
    }
}
