import Dispatch

/// The row-wise operations around the matrix multiplies, vectorized and
/// split over threads by rows. Results do not depend on the thread count.
public enum Elementwise {
    typealias V = SIMD8<Float>

    /// e^x for each lane: range reduction to r ∈ [-ln2/2, ln2/2], a degree-6
    /// polynomial, then scaling by 2^n. Within 2 ulp of expf for |x| ≤ 87.
    @inline(__always)
    static func exp(_ x: V) -> V {
        // Masked replacement, not clamped(lowerBound:upperBound:), whose generic
        // pointwise min and max stay calls.
        let low = V(repeating: -87.3)
        let high = V(repeating: 88.3)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Adding 1.5·2^23 rounds to an integer n and leaves n in the low mantissa bits.
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        let r = clamped - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 0.166_666_66
        p = p * r + 0.5
        p = p * r * r + r + 1
        let bits = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: V.self)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Runs `body(rowRange)` over `rows`, in up to `threads` parts.
    static func parallelRows(_ rows: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = min(max(1, threads), max(1, rows / 16))
        if parts == 1 { return body(0..<rows) }
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            body(rows * part / parts..<rows * (part + 1) / parts)
        }
    }

    /// z += bias per row; a = leaky_relu(z, slope). Rows are `stride` apart
    /// (default `columns`), so a block of columns can be done on its own.
    public static func biasLeakyReLU(
        z: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
        rows: Int, columns: Int, stride: Int? = nil, slope: Float, threads: Int
    ) {
        nonisolated(unsafe) let (z, a, bias) = (z, a, bias)
        let stride = stride ?? columns
        parallelRows(rows, threads: threads) { range in
            for row in range {
                let zr = z + row * stride
                let ar = a + row * stride
                var j = 0
                while j + 8 <= columns {
                    let v = load(zr + j) + load(bias + j)
                    store(v, zr + j)
                    store(v.replacing(with: v * slope, where: v .< 0), ar + j)
                    j += 8
                }
                while j < columns {
                    let v = zr[j] + bias[j]
                    zr[j] = v
                    ar[j] = v < 0 ? v * slope : v
                    j += 1
                }
            }
        }
    }

    /// y = sigmoid(y + bias) per row; rows `stride` apart (default `columns`).
    public static func biasSigmoid(
        y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int? = nil,
        threads: Int
    ) {
        nonisolated(unsafe) let (y, bias) = (y, bias)
        let stride = stride ?? columns
        parallelRows(rows, threads: threads) { range in
            for row in range {
                let yr = y + row * stride
                var j = 0
                while j + 8 <= columns {
                    store(1 / (1 + exp(-(load(yr + j) + load(bias + j)))), yr + j)
                    j += 8
                }
                while j < columns {
                    var tail = V(repeating: 0)
                    tail[0] = -(yr[j] + bias[j])
                    yr[j] = 1 / (1 + exp(tail)[0])
                    j += 1
                }
            }
        }
    }

    /// output = sigmoid(input), `count` values.
    public static func sigmoid(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(1 / (1 + exp(-load(input + i))), output + i)
            i += 8
        }
        if i < count {
            var tail = V(repeating: 0)
            for j in 0..<count - i { tail[j] = -input[i + j] }
            let values = 1 / (1 + exp(tail))
            for j in 0..<count - i { output[i + j] = values[j] }
        }
    }

    /// For the MSE of sigmoid outputs `y` against `target`: writes
    /// dz = scale·(y - t)·y(1 - y) and returns the sum of squared errors.
    public static func sigmoidMSEGradient(
        y: UnsafePointer<Float>, target: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>,
        rows: Int, columns: Int, scale: Float, threads: Int
    ) -> Double {
        nonisolated(unsafe) let (y, target, dz) = (y, target, dz)
        let partial = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows)
        defer { partial.deallocate() }
        nonisolated(unsafe) let sums = partial.baseAddress!
        parallelRows(rows, threads: threads) { range in
            sigmoidMSEGradient(
                y: y + range.lowerBound * columns, target: target + range.lowerBound * columns,
                dz: dz + range.lowerBound * columns, rows: range.count, columns: columns, scale: scale,
                rowSums: sums + range.lowerBound)
        }
        return partial.reduce(0, +)
    }

    /// The same on one thread, writing each row's sum of squared errors to
    /// `rowSums`: summed in row order, the total does not depend on how the
    /// rows were split.
    public static func sigmoidMSEGradient(
        y: UnsafePointer<Float>, target: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>,
        rows: Int, columns: Int, scale: Float, rowSums: UnsafeMutablePointer<Double>
    ) {
        for row in 0..<rows {
            let offset = row * columns
            var acc = V(repeating: 0)
            var j = 0
            while j + 8 <= columns {
                let out = load(y + offset + j)
                let diff = out - load(target + offset + j)
                acc += diff * diff
                store(scale * diff * out * (1 - out), dz + offset + j)
                j += 8
            }
            var sum = acc.sum()
            while j < columns {
                let out = y[offset + j]
                let diff = out - target[offset + j]
                sum += diff * diff
                dz[offset + j] = scale * diff * out * (1 - out)
                j += 1
            }
            rowSums[row] = Double(sum)
        }
    }

    /// da ← da ⊙ leaky_relu'(z).
    public static func leakyReLUGradient(
        da: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>, count: Int, slope: Float
    ) {
        var i = 0
        while i + 8 <= count {
            let g = load(da + i)
            store(g.replacing(with: g * slope, where: load(z + i) .< 0), da + i)
            i += 8
        }
        while i < count {
            if z[i] < 0 { da[i] *= slope }
            i += 1
        }
    }

    /// out[j] = Σ_rows m[row, j], summed in row order; rows `stride` apart (default `columns`).
    public static func columnSums(
        _ m: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int? = nil, into out: UnsafeMutablePointer<Float>
    ) {
        let stride = stride ?? columns
        for j in 0..<columns { out[j] = 0 }
        for row in 0..<rows {
            let r = m + row * stride
            var j = 0
            while j + 8 <= columns {
                store(load(out + j) + load(r + j), out + j)
                j += 8
            }
            while j < columns {
                out[j] += r[j]
                j += 1
            }
        }
    }
}
