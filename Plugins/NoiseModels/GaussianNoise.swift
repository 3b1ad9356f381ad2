import AEFilterCore

/// Adds N(0, σ²) to each pixel, σ = P, and clamps to [0, 1].
public struct GaussianNoise: NoiseModel {
    public let name = "gaussian"
    public let level: Float

    public init(level: Float) throws(NoiseError) {
        guard level.isFinite, level >= 0 else {
            throw NoiseError("gaussian noise needs a standard deviation of 0 or more, got \(level)")
        }
        self.level = level
    }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        guard level > 0 else { return }
        for i in pixels.indices {
            pixels[i] = min(max(pixels[i] + level * rng.nextNormal(), 0), 1)
        }
    }
}
