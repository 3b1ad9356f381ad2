/// Sample → NoisySample through a ``NoiseModel``; without one the copy is clean.
///
/// Item `i` draws from its own generator (`seed`, stream `i`), so results do
/// not depend on how the work is split or ordered.
public struct AddNoise: Stage {
    public var noise: (any NoiseModel)?
    public var seed: UInt64

    /// Corrupts with `noise` (none: a clean copy); a sample uses its own stream of `seed`.
    public init(noise: (any NoiseModel)?, seed: UInt64) {
        self.noise = noise
        self.seed = seed
    }

    /// The sample and its corrupted copy; a noise model that leaves pixels
    /// that are not finite fails the image, named as the culprit.
    public func process(_ sample: Sample) throws(NoiseFault) -> NoisySample {
        var noisy = sample.pixels
        if let noise {
            var rng = RandomGenerator(seed: seed, stream: sample.stream)
            noisy.withUnsafeMutableBufferPointer { noise.apply(to: $0, rng: &rng) }
            guard noisy.withUnsafeBufferPointer(NoiseFault.allFinite) else { throw NoiseFault(noise) }
        }
        return NoisySample(stream: sample.stream, clean: sample.pixels, noisy: noisy)
    }
}
