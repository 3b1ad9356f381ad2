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

    /// The bitmap as a 28×28 model input.
    public func process(_ bitmap: Bitmap) -> Sample {
        var gray = bitmap.grayPlane()
        let (w, h) = (bitmap.width, bitmap.height)
        if shouldInvert(gray, width: w, height: h) {
            for i in gray.indices { gray[i] = 255 - gray[i] }
        }
        let side = Geometry.side
        var plane = gray.map { Float($0) }
        if w != side || h != side {
            // Padding takes the image's own background: the mean of its border.
            let background = Float(Self.borderMean(gray, width: w, height: h))
            plane = fitted(plane, width: w, height: h, background: background)
        }
        return Sample(stream: bitmap.stream, pixels: plane.map { min(max($0, 0), 255) / 255 })
    }

    func shouldInvert(_ gray: [UInt8], width: Int, height: Int) -> Bool {
        switch invert {
        case .on: return true
        case .off: return false
        case .auto: return Self.borderMean(gray, width: width, height: height) > 127.5
        }
    }

    /// The mean grey value of the outermost ring of pixels.
    static func borderMean(_ gray: [UInt8], width: Int, height: Int) -> Double {
        var sum = 0
        var count = 0
        for y in 0..<height {
            let edgeRow = y == 0 || y == height - 1
            for x in 0..<width where edgeRow || x == 0 || x == width - 1 {
                sum += Int(gray[y * width + x])
                count += 1
            }
        }
        return count == 0 ? 0 : Double(sum) / Double(count)
    }

    func fitted(_ plane: [Float], width: Int, height: Int, background: Float) -> [Float] {
        let side = Geometry.side
        let (w, h) = (Double(width), Double(height))
        switch fit {
        case .stretch:
            return Resampler.resample(
                plane, width: width, height: height, box: (0, 0, w, h), outWidth: side, outHeight: side)
        case .crop:
            let cut = min(w, h)
            let box = ((w - cut) / 2, (h - cut) / 2, (w + cut) / 2, (h + cut) / 2)
            return Resampler.resample(plane, width: width, height: height, box: box, outWidth: side, outHeight: side)
        case .pad:
            let scale = Double(side) / max(w, h)
            let tw = min(side, max(1, Int((w * scale).rounded())))
            let th = min(side, max(1, Int((h * scale).rounded())))
            let small = Resampler.resample(
                plane, width: width, height: height, box: (0, 0, w, h), outWidth: tw, outHeight: th)
            var out = [Float](repeating: background, count: side * side)
            let (left, top) = ((side - tw) / 2, (side - th) / 2)
            for y in 0..<th {
                for x in 0..<tw { out[(top + y) * side + left + x] = small[y * tw + x] }
            }
            return out
        }
    }
}
