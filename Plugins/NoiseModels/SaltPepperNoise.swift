import AEFilterCore

/// Each pixel is replaced with probability P by black or white, with equal odds.
public struct SaltPepperNoise: NoiseModel {
    public let name = "salt-pepper"
    public let level: Float

    public init(level: Float) throws(NoiseError) {
        self.level = try NoiseModels.probability(level, name)
    }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        guard level > 0 else { return }
        for i in pixels.indices {
            let u = rng.nextUnitFloat()
            if u < level { pixels[i] = u < level / 2 ? 0 : 1 }
        }
    }
}
