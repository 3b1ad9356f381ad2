import AEFilterCore
import AEImageIO

/// `png`: one 8-bit greyscale PNG per image.
public struct PNGFormat: OutputFormat {
    public init() {}

    public let name = "png"
    public let layout = OutputLayout.filePerImage

    public func record(_ image: GrayImage) -> [UInt8] { EncodePNG().process(image) }
}
