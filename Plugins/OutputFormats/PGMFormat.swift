import AEFilterCore

/// `pgm`: binary PGM (P5), which netpbm tools read as a stream.
public struct PGMFormat: OutputFormat {
    public init() {}

    public let name = "pgm"
    public let layout = OutputLayout.stream

    public func record(_ image: GrayImage) -> [UInt8] {
        Array("P5\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
    }
}
