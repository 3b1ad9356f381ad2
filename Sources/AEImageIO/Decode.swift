import AEFilterCore
import AESystem
import CAEImage
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
        if let extra = Self.anotherImage(after: bytes) {
            throw ImageError(
                "holds another \(extra.rawValue.uppercased()) image after the first, which would be lost: "
                    + "give the file on standard input to read every image in it")
        }
        bitmap.stream = input.stream
        return bitmap
    }

    /// The format of a second image that follows the first in `bytes`, if
    /// any. Other trailing bytes are ignored, as every decoder does.
    static func anotherImage(after bytes: [UInt8]) -> ImageFormat? {
        var reader = ByteReader(MemorySource(bytes), name: "")
        guard let length = try? ImageFraming.length(of: &reader, limit: bytes.count), length < bytes.count else {
            return nil
        }
        var rest = bytes[length...].drop { [0x20, 0x09, 0x0A, 0x0D, 0x00].contains($0) }
        if rest.count > 16 { rest = rest.prefix(16) }
        return ImageFormat.sniff(rest)
    }

    func decodePNG(_ bytes: [UInt8]) throws(ImageError) -> Bitmap {
        try decode(bytes, format: "PNG", with: CAEPNG_decode)
    }

    func decodeJPEG(_ bytes: [UInt8]) throws(ImageError) -> Bitmap {
        try decode(bytes, format: "JPEG", with: CAEJPEG_decode)
    }

    /// Runs one of the C decoders, which share the image struct.
    func decode(
        _ bytes: [UInt8], format: String,
        with decoder: (UnsafePointer<UInt8>?, Int, UInt64, UnsafeMutablePointer<CAEImage_bitmap>?) -> Int32
    ) throws(ImageError) -> Bitmap {
        // Measured first, then decoded straight into the bitmap's own storage:
        // the pixels exist once.
        var image = CAEImage_bitmap()
        var status = bytes.withUnsafeBufferPointer { decoder($0.baseAddress, $0.count, UInt64(maxPixels), &image) }
        guard status == 0 else { throw ImageError("invalid \(format): \(Self.message(&image.message))") }
        let count = CAEImage_size(&image)
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            image.pixels = buffer.baseAddress
            image.capacity = count
            status = bytes.withUnsafeBufferPointer { decoder($0.baseAddress, $0.count, UInt64(maxPixels), &image) }
            initialized = status == 0 ? count : 0
        }
        guard status == 0 else { throw ImageError("invalid \(format): \(Self.message(&image.message))") }
        return Bitmap(width: Int(image.width), height: Int(image.height), channels: Int(image.channels), pixels: pixels)
    }

    /// The C shim's NUL-terminated message buffer as a String.
    static func message<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
