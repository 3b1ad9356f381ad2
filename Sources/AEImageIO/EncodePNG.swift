import AEFilterCore
import CAEPNG

/// GrayImage → PNG bytes (8-bit greyscale).
public struct EncodePNG: Stage {
    public init() {}

    public func process(_ image: GrayImage) throws(ImageError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            CAEPNG_encode_gray8(pixels.baseAddress, UInt32(image.width), UInt32(image.height), &out, &size, &message, message.count)
        }
        guard status == 0, let out else {
            throw ImageError("PNG encoding failed: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        defer { CAEPNG_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
