import AEFilterCore

/// The encodings ae-filter writes.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One PNG per image (a stream of PNGs on standard output).
    case png
    /// Binary PGM (P5); netpbm tools read a stream of them.
    case pgm
    /// One IDX3 file holding every image.
    case idx
}

/// GrayImage → bytes in an ``OutputFormat``. For IDX that is the bare
/// pixels; the file header is the writer's business.
public struct Encode: Stage {
    public var format: OutputFormat

    public init(format: OutputFormat) {
        self.format = format
    }

    public func process(_ image: GrayImage) throws(ImageError) -> [UInt8] {
        switch format {
        case .png: return EncodePNG().process(image)
        case .pgm: return Array("P5\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
        case .idx: return image.pixels
        }
    }
}
