import AEFilterCore
import AEImageIO
import Foundation
import TestSupport
import Testing

let pngsuite = Fixtures.corpus("pngsuite")
let pngsuiteFiles =
    (try? FileManager.default.contentsOfDirectory(atPath: pngsuite))?.filter { $0.hasSuffix(".png") }.sorted() ?? []

func decode(_ path: String, maxPixels: Int = Decode.defaultMaxPixels) throws -> Bitmap {
    try Decode(maxPixels: maxPixels).process(EncodedImage(stream: 0, bytes: Fixtures.bytes(path)))
}

@Suite struct PNGSuiteTests {
    @Test func corpusIsPresent() {
        #expect(pngsuiteFiles.count > 150)
    }

    @Test(arguments: pngsuiteFiles.filter { !$0.hasPrefix("x") })
    func validFilesDecodeTo28x28(name: String) throws {
        let bitmap = try decode("\(pngsuite)/\(name)")
        #expect(bitmap.width > 0 && bitmap.height > 0)
        let sample = Preprocess().process(bitmap)
        #expect(sample.pixels.count == 784 && sample.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test(arguments: pngsuiteFiles.filter { $0.hasPrefix("x") })
    func corruptFilesAreRejected(name: String) {
        #expect {
            _ = try decode("\(pngsuite)/\(name)")
        } throws: { error in
            error is ImageError && !"\(error)".isEmpty
        }
    }

    /// Interlaced files decode to exactly their non-interlaced twins.
    @Test(
        arguments: pngsuiteFiles.filter {
            $0.hasPrefix("basi") || ($0.hasPrefix("s") && $0.dropFirst(3).hasPrefix("i"))
        })
    func interlacedMatchesNonInterlaced(name: String) throws {
        let twin =
            name.hasPrefix("basi") ? "basn" + name.dropFirst(4) : String(name.prefix(3)) + "n" + name.dropFirst(4)
        #expect(try decode("\(pngsuite)/\(name)") == decode("\(pngsuite)/\(twin)"))
    }

    /// Compression levels and IDAT splits change nothing in the pixels.
    @Test func encodingVariantsDecodeIdentically() throws {
        let z = try ["z00n2c08", "z03n2c08", "z06n2c08", "z09n2c08"].map { try decode("\(pngsuite)/\($0).png") }
        #expect(Set(z.map(\.pixels)).count == 1)
        for kind in ["0g16", "2c16"] {
            let split = try ["oi1n", "oi2n", "oi4n", "oi9n"].map { try decode("\(pngsuite)/\($0)\(kind).png") }
            #expect(Set(split.map(\.pixels)).count == 1)
        }
    }

    @Test func lowBitDepthsExpandToFullRange() throws {
        #expect(Set(try decode("\(pngsuite)/basn0g01.png").pixels).isSubset(of: [0, 255]))
        #expect(Set(try decode("\(pngsuite)/basn0g02.png").pixels) == [0, 85, 170, 255])
        #expect(Set(try decode("\(pngsuite)/basn0g04.png").pixels).allSatisfy { $0 % 17 == 0 })
        let palette = try decode("\(pngsuite)/basn3p01.png")
        #expect(palette.channels == 3)
    }

    @Test func sixteenBitScalesToEightBits() throws {
        let wide = try decode("\(pngsuite)/basn0g16.png")
        #expect(wide.channels == 1)
        #expect(wide.pixels.max()! > 240 && wide.pixels.min()! < 15)
    }

    /// tRNS becomes alpha, and fully transparent pixels come out white.
    @Test(arguments: ["tbbn3p08", "tbwn0g16", "tbrn2c08", "tp1n3p08"])
    func transparencyIsCompositedOverWhite(name: String) throws {
        let bitmap = try decode("\(pngsuite)/\(name).png")
        #expect(bitmap.channels == 2 || bitmap.channels == 4)
        let gray = bitmap.grayPlane()
        let transparent = (0..<bitmap.width * bitmap.height).filter {
            bitmap.pixels[$0 * bitmap.channels + bitmap.channels - 1] == 0
        }
        #expect(!transparent.isEmpty)
        #expect(transparent.allSatisfy { gray[$0] == 255 })
    }

    @Test(arguments: ["PngSuite.png", "basn6a08.png", "basn4a16.png"])
    func alphaImagesKeepTheirAlpha(name: String) throws {
        let bitmap = try decode("\(pngsuite)/\(name)")
        #expect(bitmap.channels == 2 || bitmap.channels == 4 || name == "PngSuite.png")
    }
}
