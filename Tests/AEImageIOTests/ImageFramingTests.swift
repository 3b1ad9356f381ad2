import AEFilterCore
import AEImageIO
import AESystem
import TestSupport
import Testing

/// Bytes handed out a few at a time, like a trickling pipe.
struct Trickle: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    let step: Int

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        let count = min(step, buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    func isWaiting() -> Bool { false }
}

@Suite struct ImageFramingTests {
    static let images: [[UInt8]] = [
        try! Fixtures.bytes(Fixtures.root.appendingPathComponent("Samples/shirt.png").path),
        try! Fixtures.bytes(Fixtures.fixture("rgb-progressive.jpg")),
        try! Fixtures.bytes(Fixtures.fixture("pattern.ppm")),
        Array("P2 3 2 255\n# comment\n0 1 2\n3 4 255".utf8),
        Array("P1\n4 1\n0101".utf8),
        try! Fixtures.bytes(Fixtures.fixture("cmyk.jpg")),
    ]

    @Test(arguments: [1, 7, 1 << 16])
    func splitsAMixedStreamAtEachImage(step: Int) throws {
        var reader = ByteReader(Trickle(bytes: Self.images.flatMap { $0 }, step: step), name: "test", chunk: 16)
        for image in Self.images {
            let length = try ImageFraming.length(of: &reader, limit: 1 << 20)
            #expect(firstDifference(reader.take(length), image) == nil)
        }
        #expect(try reader.isAtEnd())
    }

    @Test func everyTruncationOfTheLastImageIsReported() throws {
        // Plain PNM is left out: a cut in its last number can leave a valid image.
        for image in Self.images where !(image[0] == UInt8(ascii: "P") && image[1] <= UInt8(ascii: "3")) {
            for cut in 1..<image.count {
                var reader = ByteReader(Trickle(bytes: Array(image[..<cut]), step: 1 << 16), name: "test", chunk: 256)
                #expect(throws: (any Error).self, "\(cut) of \(image.count)") {
                    _ = try ImageFraming.length(of: &reader, limit: 1 << 20)
                }
            }
        }
    }

    @Test func imagesOverTheLimitAreRefused() {
        var reader = ByteReader(Trickle(bytes: Self.images[0], step: 64), name: "test")
        #expect(throws: ImageError.self) { _ = try ImageFraming.length(of: &reader, limit: 100) }
    }
}

@Suite struct PNGWriterTests {
    @Test(arguments: [(1, 1), (28, 28), (84, 28), (5, 300), (1000, 3)])
    func outputDecodesToTheSamePixelsWithLibpng(width: Int, height: Int) throws {
        var rng = RandomGenerator(seed: UInt64(width * 1000 + height))
        // Noise, runs and repeated rows, so literals and both kinds of match occur.
        var pixels = (0..<width * height).map { i in i % 17 < 6 ? 0 : UInt8(truncatingIfNeeded: rng.next()) }
        for y in stride(from: 2, to: height, by: 3) {
            for x in 0..<width { pixels[y * width + x] = pixels[(y - 1) * width + x] }
        }
        let png = EncodePNG().process(GrayImage(width: width, height: height, pixels: pixels))
        let decoded = try Decode().process(EncodedImage(stream: 0, bytes: png))
        #expect(decoded.width == width && decoded.height == height && decoded.channels == 1)
        #expect(firstDifference(decoded.pixels, pixels) == nil)
    }

    @Test func compressesTypicalImagesWell() throws {
        let shirt = try Decode().process(
            EncodedImage(
                stream: 0, bytes: Fixtures.bytes(Fixtures.root.appendingPathComponent("Samples/shirt.png").path)))
        let png = EncodePNG().process(GrayImage(width: 28, height: 28, pixels: shirt.pixels))
        // Smaller than the bare pixels; a blank image is nearly all one run.
        #expect(png.count < 784)
        #expect(
            EncodePNG().process(GrayImage(width: 28, height: 28, pixels: .init(repeating: 0, count: 784))).count < 90)
    }
}
