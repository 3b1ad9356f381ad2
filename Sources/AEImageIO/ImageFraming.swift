import AEFilterCore
import AESystem
import Glibc

/// Finds where the image at the front of a stream ends, without decoding it:
/// PNG by its chunks up to IEND, JPEG by its markers up to EOI, PNM by its
/// header and raster size. This is what lets images be sent back to back.
public enum ImageFraming {
    /// The byte length of the image starting at the reader's position.
    /// Throws ``ImageError`` for unknown or truncated data, or an image over
    /// `limit` bytes; ``FileError`` if reading fails.
    public static func length(of reader: inout ByteReader, limit: Int) throws -> Int {
        _ = try reader.ensure(8)
        let head = (0..<min(8, reader.buffered)).map { reader[$0] }
        switch ImageFormat.sniff(head) {
        case .png: return try png(&reader, limit: limit)
        case .jpeg: return try jpeg(&reader, limit: limit)
        case .pnm: return try pnm(&reader, limit: limit)
        case nil: throw ImageError("not a PNG, JPEG or PNM image")
        }
    }

    static func big32(_ reader: ByteReader, _ at: Int) -> Int {
        Int(reader[at]) << 24 | Int(reader[at + 1]) << 16 | Int(reader[at + 2]) << 8 | Int(reader[at + 3])
    }

    static func need(_ reader: inout ByteReader, _ count: Int, _ format: String, limit: Int) throws {
        guard count <= limit else {
            throw ImageError(
                "\(format) data that claims over the stream limit of \(limit >> 20) MiB: corrupt, cut short, or too large"
            )
        }
        guard try reader.ensure(count) else {
            throw ImageError("truncated \(format) data: the input ends before the image does")
        }
    }

    static func png(_ reader: inout ByteReader, limit: Int) throws -> Int {
        var position = 8
        while true {
            try need(&reader, position + 8, "PNG", limit: limit)
            let length = big32(reader, position)
            guard length <= 0x7FFF_FFFF else { throw ImageError("invalid PNG: chunk length \(length) over 2^31-1") }
            let isEnd =
                reader[position + 4] == 0x49 && reader[position + 5] == 0x45
                && reader[position + 6] == 0x4E && reader[position + 7] == 0x44
            position += 12 + length
            if isEnd {
                try need(&reader, position, "PNG", limit: limit)
                return position
            }
        }
    }

    static func jpeg(_ reader: inout ByteReader, limit: Int) throws -> Int {
        var position = 2
        while true {
            try need(&reader, position + 2, "JPEG", limit: limit)
            guard reader[position] == 0xFF else { throw ImageError("invalid JPEG: no marker at byte \(position)") }
            var marker = reader[position + 1]
            while marker == 0xFF {  // fill bytes
                position += 1
                try need(&reader, position + 2, "JPEG", limit: limit)
                marker = reader[position + 1]
            }
            position += 2
            if marker == 0xD9 { return position }  // EOI
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            try need(&reader, position + 2, "JPEG", limit: limit)
            let length = Int(reader[position]) << 8 | Int(reader[position + 1])
            guard length >= 2 else { throw ImageError("invalid JPEG: segment length \(length)") }
            position += length
            if marker == 0xDA { position = try entropyCodedEnd(&reader, from: position, limit: limit) }
        }
    }

    /// After a scan header: the position of the next marker that is not a
    /// stuffed 0xFF00 or a restart marker.
    static func entropyCodedEnd(_ reader: inout ByteReader, from start: Int, limit: Int) throws -> Int {
        var position = start
        while true {
            try need(&reader, position + 2, "JPEG", limit: limit)
            let found: Int? = reader.withAvailable { bytes in
                var i = position
                while i + 1 < bytes.count {
                    guard let hit = memchr(bytes.baseAddress! + i, 0xFF, bytes.count - 1 - i) else { return nil }
                    i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress!
                    let next = bytes[i + 1]
                    if next == 0x00 || (0xD0...0xD7).contains(next) {
                        i += 2
                    } else if next == 0xFF {
                        i += 1
                    } else {
                        return i
                    }
                }
                position = max(position, i)
                return nil
            }
            if let found { return found }
            position = max(position, reader.buffered - 1)
        }
    }

    static func pnm(_ reader: inout ByteReader, limit: Int) throws -> Int {
        let kind = Int(reader[1] - UInt8(ascii: "0"))
        var position = 2
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        func byte(_ at: Int) throws -> UInt8 {
            try need(&reader, at + 1, "PNM", limit: limit)
            return reader[at]
        }
        func skipSpace() throws {
            while true {
                let b = try byte(position)
                if b == UInt8(ascii: "#") {
                    while try byte(position) != 0x0A { position += 1 }
                } else if isSpace(b) {
                    position += 1
                } else {
                    return
                }
            }
        }
        func number() throws -> Int {
            try skipSpace()
            var value = 0
            var digits = 0
            // A plain image may end with its last number, at the end of the input.
            while try reader.ensure(position + 1), case let b = reader[position],
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
            {
                value = value * 10 + Int(b - UInt8(ascii: "0"))
                guard value <= 1 << 30 else { throw ImageError("invalid PNM: number too large") }
                digits += 1
                position += 1
            }
            guard digits > 0 else { throw ImageError("invalid PNM: expected a number at byte \(position)") }
            return value
        }
        let width = try number()
        let height = try number()
        let maxval = kind == 1 || kind == 4 ? 1 : try number()
        let channels = kind == 3 || kind == 6 ? 3 : 1
        let samples = width.multipliedReportingOverflow(by: height).partialValue * channels
        guard width <= 1 << 30, height <= 1 << 30, samples <= limit else {
            throw ImageError("PNM image larger than the stream limit of \(limit >> 20) MiB")
        }
        // A header the decoder would refuse is refused here, before its raster
        // is counted: the images after it are then found by their signatures
        // instead of being taken for its pixels.
        guard width > 0, height > 0 else { throw ImageError("invalid PNM: zero width or height") }
        guard (1...65535).contains(maxval) else {
            throw ImageError("invalid PNM: maxval \(maxval) is not in 1...65535")
        }
        if kind >= 4 {
            // One whitespace byte ends a binary header; anything else is not PNM.
            guard try isSpace(byte(position)) else {
                throw ImageError("invalid PNM: the header does not end with whitespace (byte \(position))")
            }
            let raster = kind == 4 ? (width + 7) / 8 * height : samples * (maxval > 255 ? 2 : 1)
            let end = position + 1 + raster
            try need(&reader, end, "PNM", limit: limit)
            return end
        }
        for _ in 0..<samples {
            if kind == 1 {
                try skipSpace()
                position += 1
            } else {
                _ = try number()
            }
        }
        return position
    }
}
