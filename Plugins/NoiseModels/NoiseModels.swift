import AEFilterCore

/// The standard noise models.
public enum NoiseModels {
    /// Registers `dropout` (the tutorial's), `mask`, `salt-pepper` and `gaussian`.
    public static func register(into registry: inout NoiseRegistry) {
        registry.register(
            name: "dropout",
            summary: "the tutorial's nn.Dropout(P): zero each pixel with probability P, scale kept ones by 1/(1-P)"
        ) {
            try DropoutNoise(level: $0)
        }
        registry.register(
            name: "mask", summary: "zero each pixel with probability P, no rescale (what a damaged image looks like)"
        ) {
            try MaskNoise(level: $0)
        }
        registry.register(
            name: "salt-pepper", summary: "replace each pixel with probability P by black or white, half each"
        ) {
            try SaltPepperNoise(level: $0)
        }
        registry.register(
            name: "gaussian", summary: "add N(0, P²) to each pixel (P is σ), clamped to [0, 1]",
            levelMeaning: "standard deviation", levels: 0...Float.greatestFiniteMagnitude
        ) {
            try GaussianNoise(level: $0)
        }
    }

    static func probability(_ level: Float, _ name: String) throws(NoiseError) -> Float {
        guard level.isFinite, level >= 0, level <= 1 else {
            throw NoiseError("\(name) noise needs a probability between 0 and 1, got \(level)")
        }
        return level
    }
}
