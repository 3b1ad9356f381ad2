/// How an image of another shape becomes 28×28.
public enum Fit: String, Sendable, CaseIterable {
    /// Keep the aspect ratio, fit the longest side, centre on the background
    /// (the mean of the image's border), as Fashion-MNIST itself was made.
    case pad
    /// Scale each axis to 28, ignoring the aspect ratio.
    case stretch
    /// Keep the aspect ratio, fit the shortest side, cut the centre.
    case crop
}

/// Whether to turn dark-on-light images into Fashion-MNIST's light-on-dark.
public enum Invert: String, Sendable, CaseIterable {
    /// Invert when the border pixels are mostly light.
    case auto
    /// Always invert.
    case on
    /// Never invert.
    case off
}

/// Bitmap → Sample: greyscale, optional inversion, resampling to 28×28.
///
/// A 28×28 image passes through without resampling, so 8-bit greyscale
/// input comes out bit-exact.
public struct Preprocess: Stage {
    public var fit: Fit
    public var invert: Invert

    /// Preprocessing with these choices (the filter's `--fit` and `--invert`).
    public init(fit: Fit = .pad, invert: Invert = .auto) {
        self.fit = fit
        self.invert = invert
    }

    /// The bitmap as a 28×28 model input. A bitmap of another size is read a
    /// row at a time into the resampler: no grey or float copy of it is made.
    public func process(_ bitmap: Bitmap) -> Sample {
        let (w, h) = (bitmap.width, bitmap.height)
        let side = Geometry.side
        guard w != side || h != side else {
            var gray = bitmap.grayPlane()
            if shouldInvert(Self.borderMean(bitmap)) {
                for i in gray.indices { gray[i] = 255 - gray[i] }
            }
            return Sample(stream: bitmap.stream, pixels: gray.map { min(max(Float($0), 0), 255) / 255 })
        }
        let border = Self.borderSum(bitmap)
        let inverted = shouldInvert(Self.mean(border))
        // Padding takes the image's own background: the mean of its border.
        let background = Float(Self.mean(inverted ? (255 * border.count - border.sum, border.count) : border))
        let plane = fitted(bitmap, inverted: inverted, background: background)
        return Sample(stream: bitmap.stream, pixels: plane.map { min(max($0, 0), 255) / 255 })
    }

    func shouldInvert(_ borderMean: Double) -> Bool {
        switch invert {
        case .on: return true
        case .off: return false
        case .auto: return borderMean > 127.5
        }
    }

    /// The sum and count of the grey values of the outermost ring of pixels.
    static func borderSum(_ bitmap: Bitmap) -> (sum: Int, count: Int) {
        let (width, height) = (bitmap.width, bitmap.height)
        var sum = 0
        var count = 0
        for y in 0..<height {
            let edgeRow = y == 0 || y == height - 1
            if edgeRow {
                for x in 0..<width { sum += Int(bitmap.gray(x: x, y: y)) }
                count += width
            } else {
                sum += Int(bitmap.gray(x: 0, y: y))
                count += 1
                if width > 1 {
                    sum += Int(bitmap.gray(x: width - 1, y: y))
                    count += 1
                }
            }
        }
        return (sum, count)
    }

    static func mean(_ border: (sum: Int, count: Int)) -> Double {
        border.count == 0 ? 0 : Double(border.sum) / Double(border.count)
    }

    /// The mean grey value of the outermost ring of pixels.
    static func borderMean(_ bitmap: Bitmap) -> Double { mean(borderSum(bitmap)) }

    /// The source region for the fit, and the size it is resampled to.
    func resampling(width: Int, height: Int) -> (box: (Double, Double, Double, Double), width: Int, height: Int) {
        let side = Geometry.side
        let (w, h) = (Double(width), Double(height))
        switch fit {
        case .stretch:
            return ((0, 0, w, h), side, side)
        case .crop:
            let cut = min(w, h)
            return (((w - cut) / 2, (h - cut) / 2, (w + cut) / 2, (h + cut) / 2), side, side)
        case .pad:
            let scale = Double(side) / max(w, h)
            let tw = min(side, max(1, Int((w * scale).rounded())))
            let th = min(side, max(1, Int((h * scale).rounded())))
            return ((0, 0, w, h), tw, th)
        }
    }

    /// The bitmap's grey values (inverted or not) resampled for the fit, 28×28.
    func fitted(_ bitmap: Bitmap, inverted: Bool, background: Float) -> [Float] {
        let side = Geometry.side
        let (box, tw, th) = resampling(width: bitmap.width, height: bitmap.height)
        var resampler = Resampler(
            width: bitmap.width, height: bitmap.height, box: box, outWidth: tw, outHeight: th)
        var gray = [UInt8](repeating: 0, count: bitmap.width)
        var values = [Float](repeating: 0, count: bitmap.width)
        for y in resampler.rowsNeeded {
            gray.withUnsafeMutableBufferPointer { bitmap.grayRow(y, into: $0) }
            for x in 0..<bitmap.width { values[x] = Float(inverted ? 255 - gray[x] : gray[x]) }
            values.withUnsafeBufferPointer { resampler.add(row: y, $0) }
        }
        let small = resampler.result
        guard tw != side || th != side else { return small }
        var out = [Float](repeating: background, count: side * side)
        let (left, top) = ((side - tw) / 2, (side - th) / 2)
        for y in 0..<th {
            for x in 0..<tw { out[(top + y) * side + left + x] = small[y * tw + x] }
        }
        return out
    }
}
