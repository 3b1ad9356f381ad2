import AEFilterCore
import AEImageIO
import OutputFormats

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
    public var format: any OutputFormat = PNGFormat()

    public init() {}
}

/// The filter: load → decode → preprocess → noise → model → render → encode.
/// Every mode (one file, folders, streams, lines) runs this one chain.
public enum FilterPipeline {
    public static func make(
        model: any DenoisingModel, backend: any Backend, settings: FilterSettings
    ) -> some Stage<InputRecord, [UInt8]> {
        FilterStages(
            load: Load(wanted: ImageFormat.stopUnlessImage), decode: Decode(maxPixels: settings.maxPixels),
            preprocess: Preprocess(fit: settings.fit, invert: settings.invert),
            noise: AddNoise(noise: settings.noise, seed: settings.seed),
            denoise: Denoise(model: model, backend: backend, maxBatch: settings.maxBatch),
            render: Render(emit: settings.emit, scale: settings.scale, noise: settings.noise),
            encode: Encode(format: settings.format))
    }
}

/// The filter's stages as one plain type rather than `Load().then(...)`: the
/// Swift runtime makes a nested `Chain`'s metadata level by level, checking
/// each level's conformances with a search through every conformance of the
/// program, about a third of a one-image run's instructions.
struct FilterStages: Stage {
    let load: Load
    let decode: Decode
    let preprocess: Preprocess
    let noise: AddNoise
    let denoise: Denoise
    let render: Render
    let encode: Encode

    func process(_ input: InputRecord) throws -> [UInt8] {
        try encode.process(
            render.process(
                denoise.process(noise.process(preprocess.process(decode.process(load.process(input)))))))
    }

    /// Up to the model, one image at a time: a decoded bitmap is gone before
    /// the next is made, so a batch holds one at most (a batch of small
    /// files that declare large images costs one image, not the batch). The
    /// model then runs on the batch's 28×28 samples together.
    func processBatch(_ inputs: [InputRecord]) -> [Result<[UInt8], any Error>] {
        let noisy = inputs.map { input in
            Result { try noise.process(preprocess.process(decode.process(load.process(input)))) }
        }
        return encode.processBatch(after: render.processBatch(after: denoise.processBatch(after: noisy)))
    }
}
