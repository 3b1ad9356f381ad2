import AEFilter
import AEFilterCore
import NoiseModels
import TestSupport
import Testing

/// Noise a model was trained on reaches it raw; any other noise reaches it as it looks.
@Suite struct NoiseAsSeenTests {
    /// Leaves values above 1, and NaN where asked, as a module's noise may.
    struct Brighten: NoiseModel {
        let name = "brighten"
        let level: Float
        func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
            for i in pixels.indices { pixels[i] = level.isNaN ? .nan : pixels[i] * level }
        }
    }

    static func applied(_ noise: any NoiseModel, to pixels: [Float]) -> [Float] {
        var out = pixels
        var rng = RandomGenerator(seed: 3)
        out.withUnsafeMutableBufferPointer { noise.apply(to: $0, rng: &rng) }
        return out
    }

    let pixels: [Float] = (0..<784).map { Float($0 % 10) / 9 }
    let model = Fixtures.randomModel()

    @Test func noiseTheModelWasTrainedOnStaysRaw() throws {
        let checkpoint = Checkpoint(model: model, metadata: ["train.noise_mix": "dropout=0:0.7,brighten=1:3"])
        let dropout = try DropoutNoise(level: 0.5)
        let seen = try #require(checkpoint.noiseAsSeen(dropout))
        #expect(!(seen is NoiseAsItLooks))
        // Dropout's kept pixels are scaled by 2: raw values above 1 reach the model.
        #expect(Self.applied(seen, to: pixels).contains { $0 > 1 })
        #expect(checkpoint.noiseAsSeen(nil) == nil)
    }

    @Test func otherNoiseReachesTheModelAsItLooks() throws {
        let checkpoint = Checkpoint(model: model, metadata: ["train.noise_model": "mask"])
        for noise in [try DropoutNoise(level: 0.5) as any NoiseModel, Brighten(level: 3)] {
            let seen = try #require(checkpoint.noiseAsSeen(noise))
            #expect(seen is NoiseAsItLooks && seen.name == noise.name && seen.level == noise.level)
            var expected = Self.applied(noise, to: pixels)
            expected.withUnsafeMutableBufferPointer { noise.appearance(of: $0) }
            let got = Self.applied(seen, to: pixels)
            #expect(got.allSatisfy { (0...1).contains($0) })
            #expect(got.indices.first { got[$0] != expected[$0] } == nil)
        }
    }

    @Test func aModelThatRecordsNoNoiseGetsItRaw() throws {
        let seen = try #require(Checkpoint(model: model, metadata: [:]).noiseAsSeen(Brighten(level: 3)))
        #expect(!(seen is NoiseAsItLooks))
    }

    /// A noise model that leaves NaN is still caught as the culprit.
    @Test func notFiniteStaysNotFinite() throws {
        let checkpoint = Checkpoint(model: model, metadata: ["train.noise_model": "mask"])
        let seen = try #require(checkpoint.noiseAsSeen(Brighten(level: .nan)))
        #expect(Self.applied(seen, to: pixels).allSatisfy { $0.isNaN })
        #expect(throws: NoiseFault.self) {
            _ = try AddNoise(noise: seen, seed: 1).process(Sample(stream: 0, pixels: pixels))
        }
    }
}
