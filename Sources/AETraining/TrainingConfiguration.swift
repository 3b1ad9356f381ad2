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
    /// Training on a mixture: each image draws its noise model and level
    /// from this (`noiseModel` and `noiseLevel` are then the evaluations').
    public var noiseMix: NoiseMix?
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
        /// The value a checkpoint written before this field existed stands for.
        var absent: String?

        init(
            _ key: MetadataKey, absent: String? = nil, write: @escaping @Sendable (TrainingConfiguration) -> String,
            read: @escaping @Sendable (inout TrainingConfiguration, String) -> Bool
        ) {
            self.key = key
            self.absent = absent
            self.write = write
            self.read = read
        }

        init<T: LosslessStringConvertible & SendableMetatype>(
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
        Field(.trainSeed, \.seed), Field(.trainEvalEvery, \.evalEvery),
        Field(.trainNoiseRange, write: { $0.noiseRangeText }, read: { $0.readNoiseRange($1) }),
        Field(
            .trainNoiseMix, absent: "none", write: { $0.noiseMix?.description ?? "none" }, read: { $0.readNoiseMix($1) }
        ),
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
    var noiseRangeText: String { noiseRange.map { "\($0.lowerBound):\($0.upperBound)" } ?? "none" }

    /// Reads `none` or a valid `LO:HI`; anything else is refused, never taken as `none`.
    mutating func readNoiseRange(_ text: String) -> Bool {
        if text == "none" {
            noiseRange = nil
            return true
        }
        guard let range = Self.range(text) else { return false }
        noiseRange = range
        return true
    }

    /// Reads `none` or a valid mixture.
    mutating func readNoiseMix(_ text: String) -> Bool {
        if text == "none" {
            noiseMix = nil
            return true
        }
        guard let mix = NoiseMix(text) else { return false }
        noiseMix = mix
        return true
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
        for field in Self.fields {
            // A field at its absent value is left out: older files read the same.
            let text = field.write(self)
            if text != field.absent { entries[field.key] = text }
        }
        return entries
    }

    /// Reads back what ``metadata`` wrote, and applies the checks the command
    /// line applies (``check(noise:architectures:)`` for the registries').
    public init(metadata: [String: String]) throws(CheckpointError) {
        for field in Self.fields {
            guard let text = metadata[field.key] ?? field.absent else {
                throw CheckpointError("metadata \(field.key.rawValue) is missing")
            }
            guard field.read(&self, text) else {
                throw CheckpointError("metadata \(field.key.rawValue) is invalid: \(Self.quoted(text))")
            }
        }
        do { try check() } catch { throw CheckpointError("metadata \(error)") }
    }

    static func quoted(_ text: String) -> String { "'\(text.count > 40 ? text.prefix(40) + "..." : text)'" }
}

/// A training setting out of range, named by its metadata key; the command
/// line names the option instead.
public struct ConfigurationProblem: Error, CustomStringConvertible, Equatable {
    public let key: MetadataKey
    public let message: String
    public var description: String { "\(key.rawValue)\(message.hasPrefix("must") ? "" : ":") \(message)" }
}

extension TrainingConfiguration {
    /// The most images in a batch: the training set's size.
    public static let batchSizes = 1...60_000

    /// The checks every configuration passes, from the command line or a file.
    public func check() throws(ConfigurationProblem) {
        func fail(_ key: MetadataKey, _ message: String) throws(ConfigurationProblem) {
            throw ConfigurationProblem(key: key, message: message)
        }
        if iterations < 1 { try fail(.trainIterations, "must be at least 1, got \(iterations)") }
        if !Self.batchSizes.contains(batchSize) {
            try fail(.trainBatchSize, "must be between 1 and 60000, got \(batchSize)")
        }
        if !(learningRate > 0 && learningRate.isFinite) {
            try fail(.trainLearningRate, "must be positive, got \(learningRate)")
        }
        if !(minLearningRate >= 0 && minLearningRate.isFinite) {
            try fail(.trainMinLearningRate, "must be 0 or more, got \(minLearningRate)")
        }
        if !(beta1 >= 0 && beta1 < 1) { try fail(.trainBeta1, "must be at least 0 and below 1, got \(beta1)") }
        if !(beta2 >= 0 && beta2 < 1) { try fail(.trainBeta2, "must be at least 0 and below 1, got \(beta2)") }
        if !(epsilon > 0 && epsilon.isFinite) { try fail(.trainEpsilon, "must be positive, got \(epsilon)") }
        if evalEvery < 1 { try fail(.trainEvalEvery, "must be at least 1, got \(evalEvery)") }
        if !noiseLevel.isFinite { try fail(.trainNoise, "must be a number, got \(noiseLevel)") }
        if noiseMix != nil, noiseRange != nil {
            try fail(.trainNoiseMix, "must not be set together with train.noise_range")
        }
    }

    /// The checks that need the registries: the noise model takes the level
    /// and the range's ends, and the architecture takes the hyper-parameters.
    public func check(noise: NoiseRegistry, architectures: ArchitectureRegistry) throws(ConfigurationProblem) {
        try check()
        if !noise.names.contains(noiseModel) {
            let error = RegistryError.unknown(kind: "noise model", name: noiseModel, known: noise.names)
            throw ConfigurationProblem(key: .trainNoiseModel, message: "\(error)")
        }
        do { _ = try noise.make(noiseModel, level: noiseLevel) } catch {
            throw ConfigurationProblem(key: .trainNoise, message: "\(error)")
        }
        if let noiseRange {
            for level in [noiseRange.lowerBound, noiseRange.upperBound] {
                do { _ = try noise.make(noiseModel, level: level) } catch {
                    throw ConfigurationProblem(key: .trainNoiseRange, message: "\(error)")
                }
            }
        }
        for entry in noiseMix?.entries ?? [] {
            if !noise.names.contains(entry.name) {
                let error = RegistryError.unknown(kind: "noise model", name: entry.name, known: noise.names)
                throw ConfigurationProblem(key: .trainNoiseMix, message: "\(error)")
            }
            for level in [entry.range.lowerBound, entry.range.upperBound] {
                do { _ = try noise.make(entry.name, level: level) } catch {
                    throw ConfigurationProblem(key: .trainNoiseMix, message: "\(error)")
                }
            }
        }
        do { _ = try architectures.hyperparameters(for: architecture, given: hyperparameters) } catch {
            throw ConfigurationProblem(key: .trainArchitecture, message: "\(error)")
        }
    }
}

extension TrainingConfiguration.Schedule: LosslessStringConvertible {
    public init?(_ description: String) { self.init(rawValue: description) }
    public var description: String { rawValue }
}
