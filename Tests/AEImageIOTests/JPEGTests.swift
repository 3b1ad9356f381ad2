import AEFilterCore
import AEImageIO
import TestSupport
import Testing

@Suite struct JPEGTests {
    /// The PPM the JPEG fixtures were made from (cjpeg, jpegtran, ImageMagick).
    func original() throws -> [UInt8] {
        try decode(Fixtures.fixture("pattern.ppm")).grayPlane()
    }

    @Test(arguments: [("rgb-baseline.jpg", 3), ("rgb-progressive.jpg", 3), ("gray.jpg", 1), ("cmyk.jpg", 3)])
    func decodesEveryKindCloseToTheOriginal(name: String, channels: Int) throws {
        let bitmap = try decode(Fixtures.fixture(name))
        #expect(bitmap.width == 40 && bitmap.height == 30)
        #expect(bitmap.channels == channels)
        let worst = zip(bitmap.grayPlane(), try original()).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 10, "\(name): worst grey difference \(worst)")
    }

    @Test func decodesLibjpegTurboTestImages() throws {
        let baseline = try decode(Fixtures.corpus("libjpeg-turbo/testorig.jpg"))
        #expect(baseline.width == 227 && baseline.height == 149 && baseline.channels == 3)
        let arithmetic = try decode(Fixtures.corpus("libjpeg-turbo/testimgari.jpg"))
        #expect(arithmetic.width == 227 && arithmetic.height == 149)
    }

    @Test func twelveBitJPEGGetsAClearError() {
        #expect {
            _ = try decode(Fixtures.corpus("libjpeg-turbo/monkey12.jpg"))
        } throws: { error in
            "\(error)".hasPrefix("invalid JPEG: Unsupported JPEG data precision 12")
        }
    }

    @Test func truncatedJPEGIsAnError() throws {
        let bytes = try Fixtures.bytes(Fixtures.fixture("rgb-baseline.jpg"))
        #expect(throws: ImageError("invalid JPEG: truncated JPEG data")) {
            try Decode().process(EncodedImage(stream: 0, bytes: Array(bytes.prefix(bytes.count / 2))))
        }
    }

    @Test func hugeDimensionsAreRejectedBeforeDecoding() throws {
        var bytes = try Fixtures.bytes(Fixtures.fixture("rgb-baseline.jpg"))
        let sof = try #require((0..<bytes.count - 1).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        for i in 5...8 { bytes[sof + i] = i % 2 == 1 ? 0xFF : 0x00 }  // 65280 × 65280
        #expect(throws: ImageError("invalid JPEG: image too large (over the pixel limit; see --max-pixels)")) {
            try Decode().process(EncodedImage(stream: 0, bytes: bytes))
        }
    }
}
