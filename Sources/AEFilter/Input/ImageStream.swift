import AEData
import AEFilterCore
import AEImageIO
import AESystem

/// Images sent back to back on one byte stream: PNG, JPEG and PNM mixed, an
/// IDX3 images file, or any of these gzipped.
struct ImageStream {
    /// The largest single image a stream may carry.
    static let limit = 256 << 20

    private var reader: ByteReader
    private let name: String
    private var position = 0
    private var idx: (remaining: Int, rows: Int, columns: Int)?
    private var ended = false
    private var gzip: GzipSource?
    /// After an image that could not be framed, the next one is found by its signature.
    private var lost = false

    init(_ source: any ByteSource, name: String) {
        reader = ByteReader(source, name: name)
        self.name = name
    }

    func isWaiting() -> Bool { reader.isWaiting() }

    /// The next image's bytes, or an error that ends the stream, or nil at its end.
    mutating func next() -> (origin: InputOrigin, payload: InputPayload)? {
        guard !ended else { return nil }
        let origin = InputOrigin.stream(name: name, position: position)
        do {
            if position == 0 && idx == nil { try sniffContainer() }
            if let idx {
                guard idx.remaining > 0 else { return finish() }
                let size = idx.rows * idx.columns
                guard try reader.ensure(size) else {
                    ended = true
                    return (
                        origin, .failed(InputError("truncated IDX data: \(idx.remaining) of the images are missing"))
                    )
                }
                self.idx!.remaining -= 1
                position += 1
                let header = Array("P5 \(idx.columns) \(idx.rows) 255\n".utf8)
                return (origin, .bytes(header + reader.take(size)))
            }
            if lost {
                lost = false
                guard try skipToNextImage() else { return finish() }
            }
            // Whitespace may separate images (plain PNM ends with a newline).
            while try reader.ensure(1), [0x20, 0x09, 0x0A, 0x0D].contains(reader[0]) { reader.skip(1) }
            guard try !reader.isAtEnd() else { return finish() }
            let length = try ImageFraming.length(of: &reader, limit: Self.limit)
            position += 1
            return (origin, .bytes(reader.take(length)))
        } catch let image as ImageError where idx == nil {
            // The images after one that cannot be framed are found again by
            // their signatures, so each keeps its place (one failure for the
            // bad bytes between).
            lost = true
            position += 1
            if reader.offset > 0 {
                return (origin, .failed(InputError("\(image) (the image starts at byte \(reader.offset))")))
            }
            return (origin, .failed(image))
        } catch {
            // A read error, or a broken IDX: nothing after it can be had.
            ended = true
            return (origin, .failed(error))
        }
    }

    /// Skips a bad image's bytes up to the next PNG, JPEG or PNM signature
    /// (after its first byte); false if the stream ends first. Reads in
    /// pieces, so memory stays bounded whatever the length.
    private mutating func skipToNextImage() throws -> Bool {
        var from = 1
        while true {
            let more = try reader.ensure(reader.buffered + 1 << 16)
            let found = reader.withAvailable { bytes -> Int? in
                var index = from
                while index < bytes.count {
                    if Self.startsImage(bytes, at: index, complete: !more) { return index }
                    index += 1
                }
                return nil
            }
            if let found {
                reader.skip(found)
                return true
            }
            guard more else {
                reader.skip(reader.buffered)
                return false
            }
            // Keep a signature's length of bytes, which may begin one cut in two.
            let kept = min(reader.buffered, 7)
            reader.skip(reader.buffered - kept)
            from = 0
        }
    }

    /// Whether an image signature starts at `index`; near the end of the
    /// bytes at hand it is a match only if the input is `complete`.
    static func startsImage(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, complete: Bool) -> Bool {
        let first = bytes[index]
        guard first == 0x89 || first == 0xFF || first == UInt8(ascii: "P") else { return false }
        let rest = bytes.count - index
        if rest < 8 && !complete { return false }
        let head = UnsafeBufferPointer(rebasing: bytes[index..<min(bytes.count, index + 8)])
        switch ImageFormat.sniff(head) {
        case .png, .jpeg: return true
        case .pnm: return head.count >= 3 && [0x20, 0x09, 0x0A, 0x0D].contains(head[2])
        case nil: return false
        }
    }

    /// The end of the stream; data that was not read is reported, once.
    private mutating func finish() -> (origin: InputOrigin, payload: InputPayload)? {
        ended = true
        let origin = InputOrigin.stream(name: name, position: position)
        // Reading on finds what follows: more data, or (under gzip) data that is not gzip.
        let atEnd = try? reader.isAtEnd()
        if gzip?.trailing == true {
            return (origin, .failed(InputError("data after the gzip stream is not gzip; it was ignored")))
        }
        if let idx, idx.remaining == 0, atEnd == false {
            return (
                origin, .failed(InputError("data after the \(position) images the IDX header declares was ignored"))
            )
        }
        return nil
    }

    /// gzip is undone first; an IDX3 header switches to fixed-size records.
    private mutating func sniffContainer() throws {
        if try reader.ensure(2), reader[0] == 0x1F, reader[1] == 0x8B {
            let gzip = GzipSource(Prefixed(reader), name: InputOrigin.display(name))
            self.gzip = gzip
            reader = ByteReader(gzip, name: name)
        }
        guard try reader.ensure(4), reader[0] == 0, reader[1] == 0, reader[2] == 0x08 else { return }
        guard reader[3] == 3 else { throw InputError("an IDX file with \(reader[3]) dimensions, not images (IDX3)") }
        guard try reader.ensure(16) else { throw InputError("truncated IDX header") }
        func big32(_ at: Int) -> Int {
            Int(reader[at]) << 24 | Int(reader[at + 1]) << 16 | Int(reader[at + 2]) << 8 | Int(reader[at + 3])
        }
        let count = big32(4)
        let rows = big32(8)
        let columns = big32(12)
        guard rows > 0, columns > 0, rows <= Self.limit / columns else {
            throw InputError("invalid IDX image size \(rows)×\(columns)")
        }
        reader.skip(16)
        idx = (count, rows, columns)
    }
}

/// A reader's buffered bytes, then the rest of its source.
struct Prefixed: ByteSource {
    var reader: ByteReader

    init(_ reader: ByteReader) { self.reader = reader }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
        if reader.buffered == 0, try !reader.ensure(1) { return 0 }
        let count = min(buffer.count, reader.buffered)
        let bytes = reader.take(count)
        bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        return count
    }

    func isWaiting() -> Bool { reader.isWaiting() }
}
