extension Bitmap {
    /// One 8-bit grey value per pixel: alpha composited over white, then
    /// ITU-R BT.601 luma with Pillow's `convert('L')` integer rounding.
    public func grayPlane() -> [UInt8] {
        let count = width * height
        if channels == 1 { return pixels }
        var out = [UInt8](repeating: 0, count: count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let s = i * channels
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
                    dst[i] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
                }
            }
        }
        return out
    }
}

@inline(__always)
private func overWhite(_ value: UInt32, _ alpha: UInt32) -> UInt32 {
    (value * alpha + 255 * (255 - alpha) + 127) / 255
}
