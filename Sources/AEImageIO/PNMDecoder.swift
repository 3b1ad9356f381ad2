import AEFilterCore

/// Netpbm: P1/P4 (bitmap), P2/P5 (grey) and P3/P6 (RGB), ASCII or binary,
/// with any maxval up to 65535.
struct PNMDecoder {
    let bytes: [UInt8]
    let maxPixels: Int
    var offset = 2

    init(_ bytes: [UInt8], maxPixels: Int) {
        self.bytes = bytes
        self.maxPixels = maxPixels
    }

    mutating func decode() throws(ImageError) -> Bitmap {
        let kind = Int(bytes[1] - UInt8(ascii: "0"))
        let isBitmap = kind == 1 || kind == 4
        let binary = kind >= 4
        let channels = (kind == 3 || kind == 6) ? 3 : 1
        let width = try number("width")
        let height = try number("height")
        let maxval = isBitmap ? 1 : try number("maxval")
        guard width > 0, height > 0 else { throw ImageError("invalid PNM: zero width or height") }
        guard width <= maxPixels, height <= maxPixels, width * height <= maxPixels else {
            throw ImageError("image too large (\(width)×\(height) is over the pixel limit; see --max-pixels)")
        }
        guard (1...65535).contains(maxval) else {
            throw ImageError("invalid PNM: maxval \(maxval) is not in 1...65535")
        }
        let count = width * height * channels
        var pixels = [UInt8](repeating: 0, count: count)

        if binary {
            // Exactly one whitespace byte separates the header from the raster.
            guard offset < bytes.count else { throw ImageError("truncated PNM data") }
            guard isSpace(bytes[offset]) else {
                throw ImageError("invalid PNM: the header does not end with whitespace")
            }
            offset += 1
        }
        if kind == 4 {
            let rowBytes = (width + 7) / 8
            guard bytes.count - offset >= rowBytes * height else { throw ImageError("truncated PNM data") }
            for y in 0..<height {
                for x in 0..<width {
                    let bit = (bytes[offset + y * rowBytes + x / 8] >> (7 - UInt8(x % 8))) & 1
                    pixels[y * width + x] = bit == 1 ? 0 : 255
                }
            }
            return Bitmap(width: width, height: height, channels: 1, pixels: pixels)
        }
        let wide = maxval > 255
        if binary {
            let size = wide ? 2 : 1
            guard bytes.count - offset >= count * size else { throw ImageError("truncated PNM data") }
            for i in 0..<count {
                let value =
                    wide ? Int(bytes[offset + 2 * i]) << 8 | Int(bytes[offset + 2 * i + 1]) : Int(bytes[offset + i])
                guard value <= maxval else { throw ImageError("invalid PNM: sample \(value) exceeds maxval \(maxval)") }
                pixels[i] = scaled(value, maxval)
            }
        } else {
            for i in 0..<count {
                let value = kind == 1 ? try bitmapDigit() : try number("sample")
                if kind == 1 {
                    pixels[i] = value == 1 ? 0 : 255
                    continue
                }
                guard value <= maxval else { throw ImageError("invalid PNM: sample \(value) exceeds maxval \(maxval)") }
                pixels[i] = scaled(value, maxval)
            }
        }
        return Bitmap(width: width, height: height, channels: channels, pixels: pixels)
    }

    private func scaled(_ value: Int, _ maxval: Int) -> UInt8 {
        maxval == 255 ? UInt8(value) : UInt8((value * 255 + maxval / 2) / maxval)
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Skips whitespace and `#` comments.
    private mutating func skipSpace() {
        while offset < bytes.count {
            if bytes[offset] == UInt8(ascii: "#") {
                while offset < bytes.count, bytes[offset] != 0x0A, bytes[offset] != 0x0D { offset += 1 }
            } else if isSpace(bytes[offset]) {
                offset += 1
            } else {
                return
            }
        }
    }

    private mutating func number(_ what: String) throws(ImageError) -> Int {
        skipSpace()
        var value = 0
        var digits = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0"))
            digits += 1
            offset += 1
            guard value <= 1 << 40 else { throw ImageError("invalid PNM: \(what) is too large") }
        }
        guard digits > 0 else {
            throw offset >= bytes.count
                ? ImageError("truncated PNM data") : ImageError("invalid PNM: expected a number for \(what)")
        }
        return value
    }

    /// P1 samples may run together without spaces.
    private mutating func bitmapDigit() throws(ImageError) -> Int {
        skipSpace()
        guard offset < bytes.count else { throw ImageError("truncated PNM data") }
        let byte = bytes[offset]
        guard byte == UInt8(ascii: "0") || byte == UInt8(ascii: "1") else {
            throw ImageError("invalid PNM: expected 0 or 1")
        }
        offset += 1
        return Int(byte - UInt8(ascii: "0"))
    }
}
