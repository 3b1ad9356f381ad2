extension Bitmap {
    /// One 8-bit grey value per pixel: alpha composited over white, then
    /// ITU-R BT.601 luma with Pillow's `convert('L')` integer rounding.
    public func grayPlane() -> [UInt8] {
        if channels == 1 { return pixels }
        var out = [UInt8](repeating: 0, count: width * height)
        out.withUnsafeMutableBufferPointer { grays(from: 0, into: $0) }
        return out
    }

    /// Row `y`'s grey values, as ``grayPlane()`` has them, into `row` (`width` values).
    public func grayRow(_ y: Int, into row: UnsafeMutableBufferPointer<UInt8>) {
        grays(from: y * width, into: row)
    }

    /// The grey value of the pixel at (`x`, `y`).
    public func gray(x: Int, y: Int) -> UInt8 {
        var value: UInt8 = 0
        withUnsafeMutablePointer(to: &value) {
            grays(from: y * width + x, into: UnsafeMutableBufferPointer(start: $0, count: 1))
        }
        return value
    }

    /// The grey values of `out.count` pixels from pixel `first` on.
    func grays(from first: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let channels = self.channels
        pixels.withUnsafeBufferPointer { src in
            for i in 0..<out.count {
                let s = (first + i) * channels
                if channels == 1 {
                    out[i] = src[s]
                    continue
                }
                var r: UInt32
                var g: UInt32
                var b: UInt32
                if channels <= 2 {
                    r = UInt32(src[s])
                    g = r
                    b = r
                } else {
                    r = UInt32(src[s])
                    g = UInt32(src[s + 1])
                    b = UInt32(src[s + 2])
                }
                if channels == 2 || channels == 4 {
                    let a = UInt32(src[s + channels - 1])
                    r = overWhite(r, a)
                    g = overWhite(g, a)
                    b = overWhite(b, a)
                }
                out[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
            }
        }
    }
}

@inline(__always)
private func overWhite(_ value: UInt32, _ alpha: UInt32) -> UInt32 {
    (value * alpha + 255 * (255 - alpha) + 127) / 255
}
