import Dispatch

/// The portable backend: a packed, register-blocked SIMD GEMM in pure Swift,
/// split across threads by column panels.
public struct SwiftBackend: Backend {
    public let name = "swift"
    public let threads: Int

    /// A backend that splits each multiply over `threads` threads.
    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    static let mr = 6
    static let nr = 16

    /// A blocked, SIMD multiply; see ``Backend``.
    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            Self.scale(c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        if m <= 2, !transA, transB {
            // A few rows against B stored n×k: contiguous dot products, no packing.
            dotProducts(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let mr = Self.mr
        let nr = Self.nr
        let rowPanels = (m + mr - 1) / mr
        let columnPanels = (n + nr - 1) / nr

        // Pack op(A) into zero-padded panels of `mr` rows, k-major inside a panel.
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: rowPanels * mr * k)
        defer { packedA.deallocate() }
        for panel in 0..<rowPanels {
            let base = packedA + panel * mr * k
            for r in 0..<mr {
                let i = panel * mr + r
                if i < m {
                    for p in 0..<k { base[p * mr + r] = transA ? a[p * lda + i] : a[i * lda + p] }
                } else {
                    for p in 0..<k { base[p * mr + r] = 0 }
                }
            }
        }

        let workers = min(threads, columnPanels, max(1, (m * n * k) / 250_000))
        // Workers write disjoint column panels of C and only read the rest.
        nonisolated(unsafe) let (b, c, panelsA) = (b, c, UnsafePointer(packedA))
        let work: @Sendable (Int) -> Void = { worker in
            let first = worker * columnPanels / workers
            let last = (worker + 1) * columnPanels / workers
            let packedB = UnsafeMutablePointer<Float>.allocate(capacity: k * nr)
            defer { packedB.deallocate() }
            for panel in first..<last {
                let j0 = panel * nr
                let cols = min(nr, n - j0)
                for p in 0..<k {
                    for col in 0..<nr {
                        let j = j0 + col
                        packedB[p * nr + col] = j < n ? (transB ? b[j * ldb + p] : b[p * ldb + j]) : 0
                    }
                }
                for rowPanel in 0..<rowPanels {
                    let i0 = rowPanel * mr
                    Self.kernel(
                        k: k, a: panelsA + rowPanel * mr * k, b: packedB,
                        c: c + i0 * ldc + j0, ldc: ldc, rows: min(mr, m - i0), cols: cols,
                        alpha: alpha, beta: beta)
                }
            }
        }
        if workers == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
        }
    }

    func dotProducts(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let vectorEnd = k & ~15
        for i in 0..<m {
            let row = UnsafeRawPointer(a + i * lda)
            for j in 0..<n {
                let column = UnsafeRawPointer(b + j * ldb)
                var acc = SIMD16<Float>()
                var p = 0
                while p < vectorEnd {
                    acc +=
                        row.loadUnaligned(fromByteOffset: p * 4, as: SIMD16<Float>.self)
                        * column.loadUnaligned(fromByteOffset: p * 4, as: SIMD16<Float>.self)
                    p += 16
                }
                var sum = acc.sum()
                while p < k {
                    sum += a[i * lda + p] * b[j * ldb + p]
                    p += 1
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * sum + old
            }
        }
    }

    /// C tile (rows×cols, at most 6×16) = alpha * Apanel·Bpanel + beta * C tile.
    @inline(__always)
    static func kernel(
        k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, alpha: Float, beta: Float
    ) {
        var c0 = SIMD16<Float>()
        var c1 = SIMD16<Float>()
        var c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>()
        var c4 = SIMD16<Float>()
        var c5 = SIMD16<Float>()
        var ap = a
        var bp = UnsafeRawPointer(b)
        for _ in 0..<k {
            let bv = bp.loadUnaligned(as: SIMD16<Float>.self)
            c0 += ap[0] * bv
            c1 += ap[1] * bv
            c2 += ap[2] * bv
            c3 += ap[3] * bv
            c4 += ap[4] * bv
            c5 += ap[5] * bv
            ap += 6
            bp += 64
        }
        for r in 0..<rows {
            let row = c + r * ldc
            let acc: SIMD16<Float>
            switch r {
            case 0: acc = c0
            case 1: acc = c1
            case 2: acc = c2
            case 3: acc = c3
            case 4: acc = c4
            default: acc = c5
            }
            let value = alpha * acc
            if cols == 16 {
                let old =
                    beta == 0 ? SIMD16<Float>() : beta * UnsafeRawPointer(row).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(row).storeBytes(of: value + old, as: SIMD16<Float>.self)
            } else {
                for col in 0..<cols { row[col] = value[col] + (beta == 0 ? 0 : beta * row[col]) }
            }
        }
    }

    static func scale(_ c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, beta: Float) {
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
        }
    }
}
