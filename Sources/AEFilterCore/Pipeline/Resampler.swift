/// Antialiased separable resampling of a float plane: a triangle filter whose
/// support widens with the reduction factor, so downscaling averages every
/// source pixel it covers (as Pillow's `resize` does) and never point-samples.
public enum Resampler {
    /// Resamples the source region `box` (x0, y0, x1, y1 in source pixels) to `outWidth × outHeight`.
    public static func resample(
        _ plane: [Float], width: Int, height: Int,
        box: (x0: Double, y0: Double, x1: Double, y1: Double),
        outWidth: Int, outHeight: Int
    ) -> [Float] {
        let xs = coefficients(inSize: width, from: box.x0, to: box.x1, outSize: outWidth)
        let ys = coefficients(inSize: height, from: box.y0, to: box.y1, outSize: outHeight)
        // Horizontal pass: height × outWidth.
        var horizontal = [Float](repeating: 0, count: height * outWidth)
        for y in 0..<height {
            for x in 0..<outWidth {
                let c = xs[x]
                var sum: Float = 0
                for (i, w) in c.weights.enumerated() { sum += plane[y * width + c.start + i] * w }
                horizontal[y * outWidth + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: outHeight * outWidth)
        for y in 0..<outHeight {
            let c = ys[y]
            for x in 0..<outWidth {
                var sum: Float = 0
                for (i, w) in c.weights.enumerated() { sum += horizontal[(c.start + i) * outWidth + x] * w }
                out[y * outWidth + x] = sum
            }
        }
        return out
    }

    struct Coefficients {
        var start: Int
        var weights: [Float]
    }

    static func coefficients(inSize: Int, from start: Double, to end: Double, outSize: Int) -> [Coefficients] {
        let scale = (end - start) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filterScale
        return (0..<outSize).map { x in
            let center = start + (Double(x) + 0.5) * scale
            var low = max(0, Int((center - support + 0.5).rounded(.down)))
            let high = min(inSize, Int((center + support + 0.5).rounded(.down)))
            var weights: [Float] = []
            var total = 0.0
            var raw: [Double] = []
            if high > low {
                for i in low..<high {
                    let w = max(0, 1 - abs((Double(i) - center + 0.5) / filterScale))
                    raw.append(w)
                    total += w
                }
            }
            if total == 0 {
                // Degenerate: take the nearest pixel.
                low = min(max(0, Int(center)), inSize - 1)
                return Coefficients(start: low, weights: [1])
            }
            weights = raw.map { Float($0 / total) }
            return Coefficients(start: low, weights: weights)
        }
    }
}
