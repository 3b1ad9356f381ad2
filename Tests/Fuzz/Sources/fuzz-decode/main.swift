import AEFilterCore
import AEImageIO
import AESystem
import CFuzzer
import Glibc

/// Bytes from memory, a few at a time, to exercise the stream reader's refills.
struct MemorySource: ByteSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        let count = min(buffer.count, bytes.count - offset, 37)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        offset += count
        return count
    }

    func isWaiting() -> Bool { false }
}

/// Any bytes: decode (PNG, JPEG, PNM by content) under a small pixel limit;
/// a decoded image must preprocess, render and re-encode to a PNG that decodes
/// to the same pixels. The same bytes as a stream must split without a crash.
func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let bitmap = try? Decode(maxPixels: 1 << 20).process(EncodedImage(stream: 0, bytes: bytes)) {
        precondition(bitmap.pixels.count == bitmap.width * bitmap.height * bitmap.channels)
        let sample = Preprocess(fit: .pad, invert: .auto).process(bitmap)
        let gray = Render().process(
            Denoised(stream: 0, clean: sample.pixels, noisy: sample.pixels, output: sample.pixels))
        let png = EncodePNG().process(gray)
        let again = try! Decode().process(EncodedImage(stream: 0, bytes: png))
        precondition(again.pixels == gray.pixels, "PNG round trip changed the pixels")
    }
    bytes.withUnsafeBytes { raw in
        var reader = ByteReader(MemorySource(bytes: raw), name: "fuzz", chunk: 64)
        for _ in 0..<64 {
            guard let length = try? ImageFraming.length(of: &reader, limit: 1 << 20) else { break }
            precondition(length > 0 && length <= reader.buffered)
            reader.skip(length)
        }
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzz($0, $1) })
