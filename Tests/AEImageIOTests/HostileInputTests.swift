import AEFilterCore
import AEImageIO
import Foundation
import TestSupport
import Testing

/// Generated damage: every truncation of small files, random byte flips.
/// Each decode either fails with an `ImageError` or yields a consistent
/// bitmap within the pixel limit; nothing crashes or runs away.
@Suite struct HostileInputTests {
    static let files = [
        Fixtures.root.appendingPathComponent("Samples/shirt.png").path, Fixtures.fixture("gray.jpg"),
        Fixtures.fixture("rgb-progressive.jpg"), Fixtures.fixture("pattern.ppm"),
    ]

    /// Decodes, checking the result is consistent; true when it decoded.
    func decodes(_ bytes: [UInt8], limit: Int = 1 << 22) -> Bool {
        do {
            let bitmap = try Decode(maxPixels: limit).process(EncodedImage(stream: 0, bytes: bytes))
            #expect(bitmap.width * bitmap.height <= limit)
            #expect(bitmap.pixels.count == bitmap.width * bitmap.height * bitmap.channels)
            return true
        } catch {
            // Typed throws: the only failure is an ImageError with a message.
            #expect(!error.description.isEmpty)
            return false
        }
    }

    @Test(arguments: files)
    func everyTruncationFailsCleanly(path: String) throws {
        let bytes = try Fixtures.bytes(path)
        #expect(decodes(bytes))
        var decoded = 0
        for cut in 0..<bytes.count where decodes(Array(bytes.prefix(cut))) { decoded += 1 }
        // A PNG needs its image data; a JPEG or PNM cut short is an error.
        // (libpng accepts a PNG whose IEND alone is missing: at most 12 cuts.)
        #expect(decoded <= (path.hasSuffix(".png") ? 12 : 0), "\(decoded) truncations of \(path) decoded")
    }

    @Test(arguments: files)
    func randomByteFlipsNeverCrash(path: String) throws {
        let original = try Fixtures.bytes(path)
        var rng = RandomGenerator(seed: UInt64(original.count))
        var failed = 0
        for _ in 0..<1500 {
            var bytes = original
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            if !decodes(bytes) { failed += 1 }
        }
        // Most flips land in pixel data, which decodes; headers and checksums catch others.
        #expect(failed > 0)
    }

    @Test func hugeHeadersAreRefusedWithoutAllocating() throws {
        // 100,000 × 100,000: PNG (IHDR with a fixed CRC), PNM; JPEG is in JPEGTests.
        var png = try Fixtures.bytes(Self.files[0])
        for (i, byte) in [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0].enumerated() { png[16 + i] = UInt8(byte) }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in png[12..<29] {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        for i in 0..<4 { png[29 + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(i))) }
        let pnm = Array("P5 100000 100000 255\n".utf8) + [0, 0, 0]
        for bytes in [png, pnm] {
            #expect(throws: ImageError.self) { try Decode().process(EncodedImage(stream: 0, bytes: bytes)) }
            do {
                _ = try Decode().process(EncodedImage(stream: 0, bytes: bytes))
            } catch {
                #expect("\(error)".contains("pixel limit"), "\(error)")
            }
        }
    }
}
