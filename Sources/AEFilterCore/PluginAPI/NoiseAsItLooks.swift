/// A noise model whose output is its appearance: the damage as it looks, in [0, 1].
///
/// A model trained on a noise model gets that noise raw (dropout's 1/(1-P)
/// scaling included). Any other noise reaches it the way a damaged photo
/// would: as it looks. See ``Checkpoint/noiseAsSeen(_:)``.
public struct NoiseAsItLooks: NoiseModel {
    public let base: any NoiseModel
    public var name: String { base.name }
    public var level: Float { base.level }
    public var origin: PluginOrigin { base.origin }

    public init(_ base: any NoiseModel) { self.base = base }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        base.apply(to: pixels, rng: &rng)
        // Not finite stays not finite, so the fault is still the noise model's.
        guard NoiseFault.allFinite(UnsafeBufferPointer(pixels)) else { return }
        base.appearance(of: pixels)
    }
}

extension Checkpoint {
    /// `noise` as this model should get it: raw when the model records
    /// training on it (or records nothing), else as it looks.
    public func noiseAsSeen(_ noise: (any NoiseModel)?) -> (any NoiseModel)? {
        guard let noise, let trained = trainedNoiseModels, !trained.contains(noise.name) else { return noise }
        return NoiseAsItLooks(noise)
    }
}
