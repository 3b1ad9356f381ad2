import AEFilterCore

/// Each pixel is zeroed with probability P; kept pixels stay as they are.
public struct MaskNoise: NoiseModel {
    public let name = "mask"
    public let level: Float

    public init(level: Float) throws(NoiseError) {
        self.level = try NoiseModels.probability(level, name)
    }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        guard level > 0 else { return }
        let threshold = UnitThreshold(level)
        for i in pixels.indices where rng.nextBelow(threshold) { pixels[i] = 0 }
    }
}
