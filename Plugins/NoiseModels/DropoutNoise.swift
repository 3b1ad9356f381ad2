import AEFilterCore

/// The tutorial's noise, `nn.Dropout(P)(ones) * image`: each pixel is zeroed
/// with probability P and each kept pixel is multiplied by 1/(1-P).
public struct DropoutNoise: NoiseModel {
    public let name = "dropout"
    public let level: Float

    public init(level: Float) throws(NoiseError) {
        self.level = try NoiseModels.probability(level, name)
    }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        guard level > 0, let base = pixels.baseAddress else { return }
        let scale: Float = level < 1 ? 1 / (1 - level) : 0
        rng.withKeepMasks(pixels.count, below: UnitThreshold(level)) { offset, masks in
            for j in masks.indices {
                base[offset + j] = Float(bitPattern: (base[offset + j] * scale).bitPattern & masks[j])
            }
        }
    }

    /// The zeroed image, without the 1/(1-P) scaling.
    public func appearance(of noisy: UnsafeMutableBufferPointer<Float>) {
        for i in noisy.indices { noisy[i] = min(max(noisy[i] * (1 - level), 0), 1) }
    }
}
