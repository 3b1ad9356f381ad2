import AEFilterCore
import TestSupport
import Testing

/// The row-at-a-time resampler gives the bits of the whole-plane passes it
/// replaced (kept here as the reference): the same sums in the same order.
@Suite struct ResamplerTests {
    /// The earlier implementation: a horizontal pass over every row into a
    /// buffer, then a vertical pass, with the weights stored.
    static func reference(
        _ plane: [Float], width: Int, height: Int, box: (x0: Double, y0: Double, x1: Double, y1: Double),
        outWidth: Int, outHeight: Int
    ) -> [Float] {
        func coefficients(inSize: Int, from start: Double, to end: Double, outSize: Int) -> [(Int, [Float])] {
            let scale = (end - start) / Double(outSize)
            let filterScale = max(scale, 1)
            return (0..<outSize).map { x in
                let center = start + (Double(x) + 0.5) * scale
                let low = max(0, Int((center - filterScale + 0.5).rounded(.down)))
                let high = min(inSize, Int((center + filterScale + 0.5).rounded(.down)))
                var raw: [Double] = []
                var total = 0.0
                if high > low {
                    for i in low..<high {
                        let w = max(0, 1 - abs((Double(i) - center + 0.5) / filterScale))
                        raw.append(w)
                        total += w
                    }
                }
                if total == 0 { return (min(max(0, Int(center)), inSize - 1), [1]) }
                return (low, raw.map { Float($0 / total) })
            }
        }
        let xs = coefficients(inSize: width, from: box.x0, to: box.x1, outSize: outWidth)
        let ys = coefficients(inSize: height, from: box.y0, to: box.y1, outSize: outHeight)
        var horizontal = [Float](repeating: 0, count: height * outWidth)
        for y in 0..<height {
            for x in 0..<outWidth {
                var sum: Float = 0
                for (i, w) in xs[x].1.enumerated() { sum += plane[y * width + xs[x].0 + i] * w }
                horizontal[y * outWidth + x] = sum
            }
        }
        var out = [Float](repeating: 0, count: outHeight * outWidth)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                var sum: Float = 0
                for (i, w) in ys[y].1.enumerated() { sum += horizontal[(ys[y].0 + i) * outWidth + x] * w }
                out[y * outWidth + x] = sum
            }
        }
        return out
    }

    @Test(arguments: [
        (28, 28, 28, 28), (29, 31, 28, 28), (300, 200, 28, 19), (1, 500, 1, 28), (500, 1, 28, 1), (7, 5, 28, 28),
        (1000, 37, 28, 28), (64, 64, 13, 28), (3, 3, 28, 28), (1, 1, 28, 28),
    ])
    func rowsGiveTheWholePlanesBits(width: Int, height: Int, outWidth: Int, outHeight: Int) {
        var rng = RandomGenerator(seed: UInt64(width * 1000 + height))
        let plane = (0..<width * height).map { _ in Float(rng.next() % 256) }
        let (w, h) = (Double(width), Double(height))
        let cut = min(w, h)
        for box in [(0, 0, w, h), ((w - cut) / 2, (h - cut) / 2, (w + cut) / 2, (h + cut) / 2)] {
            let got = Resampler.resample(
                plane, width: width, height: height, box: box, outWidth: outWidth, outHeight: outHeight)
            let expected = Self.reference(
                plane, width: width, height: height, box: box, outWidth: outWidth, outHeight: outHeight)
            #expect(firstDifference(bits: got, expected) == nil, "\(width)x\(height) box \(box)")
        }
    }
}
