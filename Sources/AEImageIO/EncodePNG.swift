import AEFilterCore

/// GrayImage → PNG bytes (8-bit greyscale), see ``PNGWriter``.
public struct EncodePNG: Stage {
    public init() {}

    public func process(_ image: GrayImage) -> [UInt8] {
        image.pixels.withUnsafeBufferPointer { PNGWriter.encode($0, width: image.width, height: image.height) }
    }
}
