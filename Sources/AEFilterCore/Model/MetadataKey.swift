/// The names of a checkpoint's `__metadata__` entries: every writer and
/// every reader goes through this one table.
public struct MetadataKey: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }

    // The model.
    public static let format = MetadataKey("format")
    public static let architecture = MetadataKey("architecture")
    public static let negativeSlope = MetadataKey("negative_slope")
    public static let noiseModel = MetadataKey("noise_model")
    public static let noise = MetadataKey("noise")
    /// For a noise model from a plugin module: the module's path and SHA-256.
    public static let noiseModelModule = MetadataKey("noise_model.module")
    public static let noiseModelSHA256 = MetadataKey("noise_model.sha256")
    public static let version = MetadataKey("ae_filter.version")

    /// A hyper-parameter of the model's architecture, e.g. `architecture.channels`.
    public static func hyperparameter(_ name: String) -> MetadataKey { MetadataKey("architecture.\(name)") }

    // The training run: its configuration and where it stands.
    public static let trainCommand = MetadataKey("train.command")
    public static let trainBackend = MetadataKey("train.backend")
    public static let trainThreads = MetadataKey("train.threads")
    public static let trainIteration = MetadataKey("train.iteration")
    public static let trainRunningLossSum = MetadataKey("train.running_loss_sum")
    public static let trainRunningLossCount = MetadataKey("train.running_loss_count")
    public static let trainArchitecture = MetadataKey("train.architecture")
    public static let trainHyperparameters = MetadataKey("train.hyperparameters")
    public static let trainNoiseRange = MetadataKey("train.noise_range")
    public static let trainNoiseMix = MetadataKey("train.noise_mix")
    public static let trainIterations = MetadataKey("train.iterations")
    public static let trainBatchSize = MetadataKey("train.batch_size")
    public static let trainLearningRate = MetadataKey("train.lr")
    public static let trainMinLearningRate = MetadataKey("train.min_lr")
    public static let trainSchedule = MetadataKey("train.schedule")
    public static let trainBeta1 = MetadataKey("train.adam_beta1")
    public static let trainBeta2 = MetadataKey("train.adam_beta2")
    public static let trainEpsilon = MetadataKey("train.adam_eps")
    public static let trainNoiseModel = MetadataKey("train.noise_model")
    public static let trainNoise = MetadataKey("train.noise")
    public static let trainSeed = MetadataKey("train.seed")
    public static let trainEvalEvery = MetadataKey("train.eval_every")

    // Results.
    public static let metricsPrefix = "metrics."
    public static let metricsHistory = MetadataKey("metrics.history")
    public static let metricsTestMSE = MetadataKey("metrics.test_mse")
    public static let metricsTestPSNR = MetadataKey("metrics.test_psnr")
    public static let metricsTrainLoss = MetadataKey("metrics.train_loss")

    // The data trained on.
    public static let dataOfficial = MetadataKey("data.official")
    /// The MD5 of one of the data files, by its name.
    public static func dataMD5(_ file: String) -> MetadataKey { MetadataKey("data.md5.\(file)") }
}

extension Dictionary where Key == String, Value == String {
    /// The entry under a metadata key.
    public subscript(key: MetadataKey) -> String? {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}
