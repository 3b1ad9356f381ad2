import AEFilter
import AEFilterCore
import AETraining
import TestSupport
import Testing

/// `train --noise-mix`: how a mixture is written, read back, checked and drawn.
@Suite struct NoiseMixTests {
    @Test func parsesAndWritesTheSameText() throws {
        let mix = try #require(NoiseMix("dropout=0:0.7,gaussian=0.05:0.3"))
        #expect(mix.entries.map(\.name) == ["dropout", "gaussian"])
        #expect(mix.entries[1].range == 0.05...0.3)
        #expect(NoiseMix(mix.description) == mix)
    }

    @Test(arguments: [
        "", "dropout", "dropout=", "=0:1", "dropout=0.5:0.1", "dropout=0:1,dropout=0:0.5", "dropout=0:1,",
        "dropout=-1:0", "dropout=0:nan", "dropout=0:inf", "a=0:1;b=0:1",
    ])
    func refusesMalformedText(_ text: String) {
        #expect(NoiseMix(text) == nil, "\(text)")
    }

    @Test func refusesMoreThanItsLimit() {
        let text = (0...NoiseMix.maxEntries).map { "n\($0)=0:1" }.joined(separator: ",")
        #expect(NoiseMix(text) == nil)
    }

    /// Every entry is drawn about equally often, each level inside its range.
    @Test func drawsEveryEntryWithinItsRange() throws {
        let mix = try #require(NoiseMix("dropout=0:0.7,mask=0.2:0.3,salt-pepper=0.1:0.1,gaussian=0:0.4"))
        var rng = RandomGenerator(seed: 1)
        var counts: [String: Int] = [:]
        for _ in 0..<40_000 {
            let (name, level) = mix.draw(&rng)
            counts[name, default: 0] += 1
            let range = try #require(mix.entries.first { $0.name == name }).range
            #expect(range.contains(level), "\(name) \(level)")
        }
        #expect(counts.count == 4)
        #expect(counts.values.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }

    @Test func isKeptInTheMetadataOnlyWhenSet() throws {
        var configuration = TrainingConfiguration()
        #expect(configuration.metadata["train.noise_mix"] == nil, "older files read the same")
        #expect(try TrainingConfiguration(metadata: configuration.metadata) == configuration)
        configuration.noiseMix = NoiseMix("mask=0:0.6,gaussian=0:0.4")
        let metadata = configuration.metadata
        #expect(metadata["train.noise_mix"] == "mask=0.0:0.6,gaussian=0.0:0.4")
        #expect(try TrainingConfiguration(metadata: metadata) == configuration)
        var bad = metadata
        bad["train.noise_mix"] = "mask=0.6:0"
        #expect(throws: CheckpointError.self) { try TrainingConfiguration(metadata: bad) }
    }

    @Test func isCheckedAgainstTheNoiseModels() throws {
        let plugins = PluginSet.standard
        var configuration = TrainingConfiguration()
        configuration.noiseMix = NoiseMix("dropout=0:0.7,bogus=0:1")
        #expect(throws: ConfigurationProblem.self) {
            try configuration.check(noise: plugins.noise, architectures: plugins.architectures)
        }
        configuration.noiseMix = NoiseMix("dropout=0:0.7,salt-pepper=0:1.5")
        #expect(throws: ConfigurationProblem.self) {
            try configuration.check(noise: plugins.noise, architectures: plugins.architectures)
        }
        configuration.noiseMix = NoiseMix("dropout=0:0.7,gaussian=0:0.4")
        try configuration.check(noise: plugins.noise, architectures: plugins.architectures)
        configuration.noiseRange = 0...0.5
        #expect(throws: ConfigurationProblem.self) { try configuration.check() }
    }

    @Test func aCheckpointNamesTheNoiseItWasTrainedOn() throws {
        let model = Fixtures.randomModel()
        let mixed = Checkpoint(model: model, metadata: ["train.noise_mix": "dropout=0.0:0.7,gaussian=0.0:0.4"])
        #expect(mixed.trainedNoiseModels == ["dropout", "gaussian"])
        let single = Checkpoint(model: model, metadata: ["train.noise_model": "mask", "noise_model": "dropout"])
        #expect(single.trainedNoiseModels == ["mask"])
        #expect(Checkpoint(model: model, metadata: ["noise_model": "gaussian"]).trainedNoiseModels == ["gaussian"])
        #expect(Checkpoint(model: model, metadata: [:]).trainedNoiseModels == nil)
    }
}
