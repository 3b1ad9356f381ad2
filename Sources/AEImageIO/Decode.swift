import AEFilterCore
import CAEJPEG
import CAEPNG

/// EncodedImage → Bitmap for PNG, JPEG and PNM, detected from the content.
public struct Decode: Stage {
    /// Images with more pixels than this are rejected before decoding.
    public var maxPixels: Int

    /// 64 megapixels.
    public static let defaultMaxPixels = 64_000_000

    public init(maxPixels: Int = Decode.defaultMaxPixels) {
        self.maxPixels = maxPixels
    }

    public func process(_ input: EncodedImage) throws(ImageError) -> Bitmap {
        let bytes = input.bytes
        guard !bytes.isEmpty else { throw ImageError("empty input") }
        var bitmap: Bitmap
        switch ImageFormat.sniff(bytes) {
        case .png: bitmap = try decodePNG(bytes)
        case .jpeg: bitmap = try decodeJPEG(bytes)
        case .pnm:
            var decoder = PNMDecoder(bytes, maxPixels: maxPixels)
            bitmap = try decoder.decode()
        case nil: throw ImageError("not a PNG, JPEG or PNM image")
        }
        bitmap.index = input.index
        return bitmap
    }

    func decodePNG(_ bytes: [UInt8]) throws(ImageError) -> Bitmap {
        var image = CAEPNG_image()
        let status = bytes.withUnsafeBufferPointer { CAEPNG_decode($0.baseAddress, $0.count, UInt64(maxPixels), &image) }
        guard status == 0 else { throw ImageError("invalid PNG: \(Self.message(&image.message))") }
        defer { CAEPNG_free(image.pixels) }
        return Self.bitmap(image.pixels, width: image.width, height: image.height, channels: image.channels)
    }

    func decodeJPEG(_ bytes: [UInt8]) throws(ImageError) -> Bitmap {
        var image = CAEJPEG_image()
        let status = bytes.withUnsafeBufferPointer { CAEJPEG_decode($0.baseAddress, $0.count, UInt64(maxPixels), &image) }
        guard status == 0 else { throw ImageError("invalid JPEG: \(Self.message(&image.message))") }
        defer { CAEJPEG_free(image.pixels) }
        return Self.bitmap(image.pixels, width: image.width, height: image.height, channels: image.channels)
    }

    static func bitmap(_ pixels: UnsafeMutablePointer<UInt8>?, width: UInt32, height: UInt32, channels: UInt32) -> Bitmap {
        let count = Int(width) * Int(height) * Int(channels)
        return Bitmap(
            width: Int(width), height: Int(height), channels: Int(channels),
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// The C shim's NUL-terminated message buffer as a String.
    static func message<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
