import AEFilterCore

/// Each pixel is zeroed with probability P; kept pixels stay as they are.
public struct MaskNoise: NoiseModel {
    public let name = "mask"
    public let level: Float

    public init(level: Float) throws(NoiseError) {
        self.level = try NoiseModels.probability(level, name)
    }

    public func apply(to pixels: UnsafeMutableBufferPointer<Float>, rng: inout RandomGenerator) {
        guard level > 0, let base = pixels.baseAddress else { return }
        rng.withKeepMasks(pixels.count, below: UnitThreshold(level)) { offset, masks in
            for j in masks.indices { base[offset + j] = Float(bitPattern: base[offset + j].bitPattern & masks[j]) }
        }
    }
}
