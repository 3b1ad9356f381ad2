/// Antialiased separable resampling of a float plane: a triangle filter whose
/// support widens with the reduction factor, so downscaling averages every
/// source pixel it covers (as Pillow's `resize` does) and never point-samples.
///
/// Rows are fed one at a time (``add(row:_:)``), so an image is never held
/// whole: memory is one row and the result, whatever the source's size.
/// The sums are the ones a horizontal pass then a vertical pass make, in the
/// same order, so the result does not depend on how the rows arrive.
public struct Resampler {
    /// One output position's taps: source pixels `start ..< start + count`,
    /// weighted by the triangle at `center`, normalized by `total`.
    struct Taps {
        var start: Int
        var count: Int
        var center: Double
        var filterScale: Double
        /// The sum of the raw weights; 0 for a degenerate position (the nearest pixel, weight 1).
        var total: Double

        var end: Int { start + count }

        /// The weight of the `i`th tap, computed the same way every time.
        @inline(__always)
        func weight(_ i: Int) -> Float {
            guard total > 0 else { return 1 }
            return Float(Self.raw(start + i, center, filterScale) / total)
        }

        @inline(__always)
        static func raw(_ index: Int, _ center: Double, _ filterScale: Double) -> Double {
            max(0, 1 - abs((Double(index) - center + 0.5) / filterScale))
        }
    }

    public let width: Int
    public let outWidth: Int
    public let outHeight: Int
    let xs: [Taps]
    let ys: [Taps]
    /// The horizontal weights, kept when they are few (a very wide source computes them per row).
    let xWeights: [Float]?
    private var sums: [Float]
    private var row: [Float]
    private var firstOpen = 0

    /// Resamples the source region `box` (x0, y0, x1, y1 in source pixels)
    /// of a `width × height` plane to `outWidth × outHeight`.
    public init(
        width: Int, height: Int, box: (x0: Double, y0: Double, x1: Double, y1: Double), outWidth: Int,
        outHeight: Int
    ) {
        self.width = width
        self.outWidth = outWidth
        self.outHeight = outHeight
        xs = Self.taps(inSize: width, from: box.x0, to: box.x1, outSize: outWidth)
        ys = Self.taps(inSize: height, from: box.y0, to: box.y1, outSize: outHeight)
        let tapCount = xs.reduce(0) { $0 + $1.count }
        xWeights = tapCount <= 1 << 20 ? xs.flatMap { taps in (0..<taps.count).map(taps.weight) } : nil
        sums = [Float](repeating: 0, count: outWidth * outHeight)
        row = [Float](repeating: 0, count: outWidth)
    }

    /// The source rows the result depends on; others need not be added.
    public var rowsNeeded: Range<Int> {
        guard let first = ys.map(\.start).min(), let last = ys.map(\.end).max() else { return 0..<0 }
        return first..<last
    }

    /// Adds source row `y` (`width` values); rows come in increasing order.
    public mutating func add(row y: Int, _ values: UnsafeBufferPointer<Float>) {
        while firstOpen < ys.count && ys[firstOpen].end <= y { firstOpen += 1 }
        guard ys[firstOpen...].contains(where: { $0.start <= y && y < $0.end }) else { return }
        // Horizontal pass for this row.
        var weightIndex = 0
        for x in 0..<outWidth {
            let taps = xs[x]
            var sum: Float = 0
            if let xWeights {
                for i in 0..<taps.count { sum += values[taps.start + i] * xWeights[weightIndex + i] }
            } else {
                for i in 0..<taps.count { sum += values[taps.start + i] * taps.weight(i) }
            }
            weightIndex += taps.count
            row[x] = sum
        }
        // Vertical pass: each output row this source row reaches takes its share.
        for oy in firstOpen..<ys.count where ys[oy].start <= y && y < ys[oy].end {
            let w = ys[oy].weight(y - ys[oy].start)
            let base = oy * outWidth
            for x in 0..<outWidth { sums[base + x] += row[x] * w }
        }
    }

    /// The result, `outWidth × outHeight`, once every needed row was added.
    public var result: [Float] { sums }

    /// Resamples a whole plane at once.
    public static func resample(
        _ plane: [Float], width: Int, height: Int,
        box: (x0: Double, y0: Double, x1: Double, y1: Double),
        outWidth: Int, outHeight: Int
    ) -> [Float] {
        var resampler = Resampler(width: width, height: height, box: box, outWidth: outWidth, outHeight: outHeight)
        plane.withUnsafeBufferPointer { plane in
            for y in resampler.rowsNeeded {
                resampler.add(row: y, UnsafeBufferPointer(rebasing: plane[y * width..<(y + 1) * width]))
            }
        }
        return resampler.result
    }

    static func taps(inSize: Int, from start: Double, to end: Double, outSize: Int) -> [Taps] {
        let scale = (end - start) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filterScale
        return (0..<outSize).map { x in
            let center = start + (Double(x) + 0.5) * scale
            let low = max(0, Int((center - support + 0.5).rounded(.down)))
            let high = min(inSize, Int((center + support + 0.5).rounded(.down)))
            var total = 0.0
            if high > low {
                for i in low..<high { total += Taps.raw(i, center, filterScale) }
            }
            if total == 0 {
                // Degenerate: take the nearest pixel.
                let nearest = min(max(0, Int(center)), inSize - 1)
                return Taps(start: nearest, count: 1, center: center, filterScale: filterScale, total: 0)
            }
            return Taps(start: low, count: high - low, center: center, filterScale: filterScale, total: total)
        }
    }
}
