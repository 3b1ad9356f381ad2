import Glibc

/// Image quality measures on 28×28 images with values in [0, 1].
public enum Metrics {
    /// Mean squared error per pixel.
    public static func mse(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        var sum = 0.0
        for i in a.indices {
            let d = Double(a[i]) - Double(b[i])
            sum += d * d
        }
        return sum / Double(a.count)
    }

    /// Peak signal-to-noise ratio in dB for a peak of 1.
    public static func psnr(mse: Double) -> Double {
        10 * log10(1 / mse)
    }

    /// SSIM as scikit-image's `structural_similarity(data_range=1)` computes it:
    /// 7×7 uniform windows, K1 = 0.01, K2 = 0.03, sample covariances, mean
    /// over the windows that fit inside the image. Window sums come from
    /// summed-area tables.
    public static func ssim(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, side: Int = Geometry.side)
        -> Double
    {
        let window = 7
        let n = Double(window * window)
        let c1 = 0.0001
        let c2 = 0.0009
        let covNorm = n / (n - 1)
        let stride = side + 1
        var tables = [Double](repeating: 0, count: 5 * stride * stride)
        for r in 0..<side {
            for c in 0..<side {
                let a = Double(x[r * side + c])
                let b = Double(y[r * side + c])
                for (t, value) in [(0, a), (1, b), (2, a * a), (3, b * b), (4, a * b)] {
                    let base = t * stride * stride
                    tables[base + (r + 1) * stride + c + 1] =
                        value + tables[base + r * stride + c + 1]
                        + tables[base + (r + 1) * stride + c] - tables[base + r * stride + c]
                }
            }
        }
        func sum(_ t: Int, _ top: Int, _ left: Int) -> Double {
            let base = t * stride * stride
            let bottom = top + window
            let right = left + window
            return tables[base + bottom * stride + right] - tables[base + top * stride + right]
                - tables[base + bottom * stride + left] + tables[base + top * stride + left]
        }
        var total = 0.0
        var count = 0
        for top in 0...(side - window) {
            for left in 0...(side - window) {
                let mx = sum(0, top, left) / n
                let my = sum(1, top, left) / n
                let vx = covNorm * (sum(2, top, left) / n - mx * mx)
                let vy = covNorm * (sum(3, top, left) / n - my * my)
                let vxy = covNorm * (sum(4, top, left) / n - mx * my)
                total += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                count += 1
            }
        }
        return total / Double(count)
    }

    /// 3×3 median filter with mirrored borders (scipy's `reflect` mode).
    public static func median3x3(_ image: UnsafeBufferPointer<Float>, side: Int = Geometry.side) -> [Float] {
        func at(_ r: Int, _ c: Int) -> Float {
            let rr = r < 0 ? -r - 1 : (r >= side ? 2 * side - r - 1 : r)
            let cc = c < 0 ? -c - 1 : (c >= side ? 2 * side - c - 1 : c)
            return image[rr * side + cc]
        }
        var out = [Float](repeating: 0, count: side * side)
        var window = [Float](repeating: 0, count: 9)
        for r in 0..<side {
            for c in 0..<side {
                var k = 0
                for dr in -1...1 {
                    for dc in -1...1 {
                        window[k] = at(r + dr, c + dc)
                        k += 1
                    }
                }
                window.sort()
                out[r * side + c] = window[4]
            }
        }
        return out
    }
}
