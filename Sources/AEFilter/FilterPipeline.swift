import AEFilterCore
import AEImageIO

/// Everything that shapes what the filter does to one image.
public struct FilterSettings: Sendable {
    public var fit: Fit = .pad
    public var invert: Invert = .auto
    public var noise: (any NoiseModel)? = nil
    public var seed: UInt64 = 0
    public var emit: Emit = .denoised
    public var scale: Int = 1
    public var maxPixels: Int = Decode.defaultMaxPixels
    public var maxBatch: Int = 256
    public var format: OutputFormat = .png

    public init() {}
}

/// The filter: load → decode → preprocess → noise → model → render → encode.
/// Every mode (one file, folders, streams, lines) runs this one chain.
public enum FilterPipeline {
    public static func make(
        model: any DenoisingModel, backend: any Backend, settings: FilterSettings
    ) -> some Stage<InputRecord, [UInt8]> {
        Load()
            .then(Decode(maxPixels: settings.maxPixels))
            .then(Preprocess(fit: settings.fit, invert: settings.invert))
            .then(AddNoise(noise: settings.noise, seed: settings.seed))
            .then(Denoise(model: model, backend: backend, maxBatch: settings.maxBatch))
            .then(Render(emit: settings.emit, scale: settings.scale, noise: settings.noise))
            .then(Encode(format: settings.format))
    }
}
