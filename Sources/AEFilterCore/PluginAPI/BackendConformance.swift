import AESystem
import CAENumerics
import Glibc

/// What every ``Backend`` must do, checked against a float64 reference GEMM:
/// transposes, `alpha` and `beta`, leading dimensions wider than the matrix
/// (never writing past `n`), `k == 0`, `beta == 0` with NaN in `C`, the
/// model's own shapes, and calls from several threads at once.
///
/// ae-filter's own tests run it on every registered backend; run it on yours:
///
/// ```swift
/// @Test func myBackendConforms() throws {
///     #expect(BackendConformance.problems(try MyBackend(threads: 2)) == [])
/// }
/// ```
public enum BackendConformance {
    /// One multiply to check: `C(m×n) = alpha * op(A) * op(B) + beta * C`.
    public struct Shape: Sendable, CustomStringConvertible {
        public var m, n, k: Int
        public var transA, transB: Bool
        public var alpha, beta: Float

        public init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float, beta: Float) {
            (self.m, self.n, self.k, self.transA, self.transB, self.alpha, self.beta) = (
                m, n, k, transA, transB, alpha, beta
            )
        }

        public var description: String { "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB) α=\(alpha) β=\(beta)" }
    }

    /// Small edge cases and the shapes of the model's forward and backward passes.
    public static let shapes: [Shape] = [
        Shape(m: 1, n: 1, k: 1, transA: false, transB: false, alpha: 1, beta: 0),
        Shape(m: 7, n: 5, k: 3, transA: false, transB: false, alpha: 1, beta: 0),
        Shape(m: 13, n: 17, k: 19, transA: true, transB: false, alpha: 0.5, beta: 0),
        Shape(m: 6, n: 16, k: 33, transA: false, transB: true, alpha: 1, beta: 1),
        Shape(m: 31, n: 47, k: 1, transA: true, transB: true, alpha: -2, beta: 0.25),
        Shape(m: 100, n: 1176, k: 784, transA: false, transB: true, alpha: 1, beta: 0),
        Shape(m: 100, n: 784, k: 1176, transA: false, transB: true, alpha: 1, beta: 0),
        Shape(m: 1176, n: 784, k: 100, transA: true, transB: false, alpha: 1, beta: 1),
        Shape(m: 100, n: 1176, k: 784, transA: false, transB: false, alpha: 1, beta: 0),
        Shape(m: 5, n: 3, k: 0, transA: false, transB: false, alpha: 1, beta: 0.5),
        Shape(m: 1, n: 1176, k: 784, transA: false, transB: true, alpha: 1, beta: 0),
        Shape(m: 2, n: 9, k: 37, transA: false, transB: true, alpha: 0.5, beta: 2),
    ]

    /// Every problem found, as sentences; empty when `backend` conforms.
    public static func problems(_ backend: any Backend) -> [String] {
        shapes.flatMap { problems(backend, shape: $0) } + concurrencyProblems(backend) + halfProblems(backend)
            + smallKProblems(backend)
    }

    /// ``Backend/gemmSmallK(m:n:k:a:lda:b:ldb:c:ldc:)`` must match the
    /// float64 product, write only C's `n` columns (never read it), and, on
    /// a backend whose rows are independent, give each row alone its bits.
    public static func smallKProblems(_ backend: any Backend) -> [String] {
        let cases: [(m: Int, n: Int, k: Int)] = [
            (1, 32, 1), (7, 32, 32), (33, 64, 32), (50, 64, 96), (5, 17, 3), (3, 5, 0),
        ]
        var found: [String] = []
        for (m, n, k) in cases {
            let (lda, ldb, ldc) = (k + 1, n + 2, n + 3)
            var rng = RandomGenerator(seed: UInt64(m * 7919 + n * 31 + k + 5))
            let a = (0..<max(1, m * lda)).map { _ in rng.nextUnitFloat() * 2 - 1 }
            let b = (0..<max(1, k * ldb)).map { _ in rng.nextUnitFloat() * 2 - 1 }
            let start = (0..<m * ldc).map { $0 % ldc < n ? Float.nan : Float($0) }
            func multiply(rows: Range<Int>, into c: inout [Float]) {
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            backend.gemmSmallK(
                                m: rows.count, n: n, k: k, a: ap.baseAddress! + rows.lowerBound * lda, lda: lda,
                                b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress! + rows.lowerBound * ldc, ldc: ldc)
                        }
                    }
                }
            }
            var c = start
            multiply(rows: 0..<m, into: &c)
            let expected = (0..<m * n).map { index in
                let (i, j) = index.quotientAndRemainder(dividingBy: n)
                return (0..<k).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(b[$1 * ldb + j]) }
            }
            var problem = resultProblems(c, initialC: start, expected: expected, m: m, n: n, k: k, ldc: ldc).first
            if problem == nil, backend.rowsAreIndependent {
                var alone = start
                for i in 0..<m { multiply(rows: i..<i + 1, into: &alone) }
                if let difference = firstDifference(c, alone) { problem = "a row alone differs: \(difference)" }
            }
            if let problem { found.append("\(backend.name) small-k \(m)x\(n)x\(k): \(problem)") }
        }
        return found
    }

    /// ``Backend/gemmHalf(m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` must give
    /// the bits of ``Backend/gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// on the widened values, whatever the shape, stride or alignment of `B`.
    public static func halfProblems(_ backend: any Backend) -> [String] {
        let cases: [(m: Int, n: Int, k: Int, ldb: Int, offset: Int, alpha: Float, beta: Float)] = [
            (1, 1176, 784, 784, 0, 1, 0), (3, 784, 1176, 1176, 0, 1, 0), (7, 5, 3, 3, 1, 1, 0),
            (6, 16, 33, 40, 1, 0.5, 1), (33, 9, 37, 37, 0, 2, 0.25), (4, 3, 0, 1, 0, 1, 0.5),
        ]
        var found: [String] = []
        for item in cases {
            var rng = RandomGenerator(seed: UInt64(item.m * 7919 + item.n * 31 + item.k))
            let a = (0..<max(1, item.m * item.k)).map { _ in rng.nextUnitFloat() * 2 - 1 }
            // Finite halves of either sign, exponents 2^-14 ... 2^1, subnormals and zeros among them.
            let halves = (0..<max(1, item.n * item.ldb)).map { _ in UInt16(truncatingIfNeeded: rng.next()) & 0xbfff }
            var bytes = [UInt8](repeating: 0, count: item.offset + 2 * halves.count)
            for (i, h) in halves.enumerated() {
                bytes[item.offset + 2 * i] = UInt8(h & 0xff)
                bytes[item.offset + 2 * i + 1] = UInt8(h >> 8)
            }
            var widened = [Float](repeating: 0, count: halves.count)
            bytes.withUnsafeBytes { raw in
                widened.withUnsafeMutableBufferPointer {
                    CAENumerics_half_to_float(raw.baseAddress! + item.offset, $0.baseAddress!, halves.count)
                }
            }
            let ldc = item.n + 1
            let start = (0..<item.m * ldc).map { _ in item.beta == 0 ? Float.nan : rng.nextUnitFloat() }
            var expected = start
            var got = start
            a.withUnsafeBufferPointer { ap in
                widened.withUnsafeBufferPointer { bp in
                    expected.withUnsafeMutableBufferPointer { cp in
                        backend.gemm(
                            transA: false, transB: true, m: item.m, n: item.n, k: item.k, alpha: item.alpha,
                            a: ap.baseAddress!, lda: max(1, item.k), b: bp.baseAddress!, ldb: item.ldb,
                            beta: item.beta, c: cp.baseAddress!, ldc: ldc)
                    }
                }
                bytes.withUnsafeBytes { raw in
                    got.withUnsafeMutableBufferPointer { cp in
                        backend.gemmHalf(
                            m: item.m, n: item.n, k: item.k, alpha: item.alpha, a: ap.baseAddress!,
                            lda: max(1, item.k), b: raw.baseAddress! + item.offset, ldb: item.ldb, beta: item.beta,
                            c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
            if let difference = firstDifference(expected, got) {
                found.append(
                    "\(backend.name) half-precision B \(item.m)x\(item.n)x\(item.k) ldb=\(item.ldb) "
                        + "offset \(item.offset): \(difference)")
            }
        }
        return found
    }

    /// The problems with one shape.
    public static func problems(_ backend: any Backend, shape: Shape) -> [String] {
        let run = Run(shape)
        var c = run.initialC
        run.multiply(backend, into: &c)
        return resultProblems(
            c, initialC: run.initialC, expected: run.expected, m: shape.m, n: shape.n, k: shape.k, ldc: run.ldc
        ).map { "\(backend.name) \(shape): \($0)" }
    }

    /// What is wrong with `c` (`m` rows of `ldc`, from `initialC`) as the
    /// float64 product `expected` (`m`×`n`) of `k` terms: values written past
    /// `n`, values that are not finite, and the worst error.
    static func resultProblems(
        _ c: [Float], initialC: [Float], expected: [Double], m: Int, n: Int, k: Int, ldc: Int
    ) -> [String] {
        var found: [String] = []
        var worst = 0.0
        var notFinite: (Int, Int, Float)?
        for i in 0..<m {
            for j in 0..<n {
                let value = c[i * ldc + j]
                // max() would drop a NaN: a value that is not finite is a failure of its own.
                guard value.isFinite else {
                    if notFinite == nil { notFinite = (i, j, value) }
                    continue
                }
                worst = max(worst, abs(Double(value) - expected[i * n + j]))
            }
            for j in n..<ldc where c[i * ldc + j].bitPattern != initialC[i * ldc + j].bitPattern {
                found.append("wrote C[\(i), \(j)], beyond n")
                break
            }
        }
        if let (i, j, value) = notFinite { found.append("C[\(i), \(j)] is \(value), not a finite number") }
        // float32 accumulation over k terms of magnitude ≤ 1.
        if !(worst <= 4e-6 * Double(max(k, 1))) { found.append("worst error \(worst)") }
        return found
    }

    /// The same multiplies from four threads at once must match one at a time.
    public static func concurrencyProblems(_ backend: any Backend) -> [String] {
        let shape = Shape(m: 64, n: 300, k: 200, transA: false, transB: true, alpha: 1, beta: 0)
        let run = Run(shape)
        var first = run.initialC
        run.multiply(backend, into: &first)
        let serial = first
        let results = Results()
        let threads = (0..<4).map { _ in
            WorkerThread {
                for _ in 0..<5 {
                    var c = run.initialC
                    run.multiply(backend, into: &c)
                    if c.map(\.bitPattern) != serial.map(\.bitPattern) { results.fail() }
                }
            }
        }
        for thread in threads { thread.join() }
        return results.failed ? ["\(backend.name): concurrent calls gave different results"] : []
    }

    final class Results: @unchecked Sendable {
        private let lock = Lock()
        private var failures = 0
        func fail() { lock.locked { failures += 1 } }
        var failed: Bool { lock.locked { failures > 0 } }
    }

    /// For a backend that claims ``Backend/rowsAreIndependent``: each row of
    /// a product must come out with the same bits when computed alone, among
    /// other rows at another position, in a call with another `m`, and with
    /// another thread count. `make` makes the backend with a thread count.
    public static func rowIndependenceProblems(_ make: (_ threads: Int) throws -> any Backend) rethrows -> [String] {
        let cases = [
            Shape(m: 37, n: 1176, k: 784, transA: false, transB: true, alpha: 1, beta: 0),
            Shape(m: 37, n: 784, k: 1176, transA: false, transB: true, alpha: 1, beta: 0),
            Shape(m: 9, n: 45, k: 33, transA: true, transB: false, alpha: 0.5, beta: 1),
            Shape(m: 5, n: 19, k: 17, transA: false, transB: false, alpha: 1, beta: 0),
        ]
        var found: [String] = []
        for shape in cases {
            let backend = try make(1)
            let run = Run(shape)
            var whole = run.initialC
            run.multiply(backend, into: &whole)
            func differs(_ other: [Float], _ how: String) {
                if let difference = Self.firstDifference(whole, other) {
                    found.append("\(backend.name) \(shape): \(how) differs from the whole product at \(difference)")
                }
            }
            // Row by row, and in two blocks of uneven height.
            var single = run.initialC
            for row in 0..<shape.m { run.multiply(backend, into: &single, rows: row..<row + 1, columns: 0..<shape.n) }
            differs(single, "each row alone")
            var blocks = run.initialC
            let cut = shape.m / 3 + 1
            run.multiply(backend, into: &blocks, rows: 0..<cut, columns: 0..<shape.n)
            run.multiply(backend, into: &blocks, rows: cut..<shape.m, columns: 0..<shape.n)
            differs(blocks, "blocks of rows 0..<\(cut) and \(cut)..<\(shape.m)")
            // More threads.
            var threaded = run.initialC
            run.multiply(try make(3), into: &threaded)
            differs(threaded, "the product with 3 threads")
            // Every row again, in reverse order, among rows of other values.
            differs(run.multiplyReversed(backend), "each row among other rows at another position")
        }
        return found
    }

    /// Where two results first differ, as `C[i] = x, not y`; nil when equal bit for bit.
    public static func firstDifference(_ expected: [Float], _ got: [Float]) -> String? {
        guard expected.count == got.count else { return "size \(got.count), not \(expected.count)" }
        for i in expected.indices where expected[i].bitPattern != got[i].bitPattern {
            return "element \(i): \(got[i]), not \(expected[i])"
        }
        return nil
    }

    /// Random operands for a shape, with the float64 answer.
    struct Run: Sendable {
        let shape: Shape
        let a, b, initialC: [Float]
        let expected: [Double]
        let lda, ldb, ldc: Int

        init(_ shape: Shape) {
            self.shape = shape
            let (m, n, k) = (shape.m, shape.n, shape.k)
            var rng = RandomGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
            // Stored shapes: A is m×k (k×m if transposed), B is k×n (n×k if transposed).
            lda = max(1, shape.transA ? m : k)
            ldb = max(1, shape.transB ? k : n)
            ldc = n + 3
            a = (0..<m * k).map { _ in rng.nextUnitFloat() * 2 - 1 }
            b = (0..<k * n).map { _ in rng.nextUnitFloat() * 2 - 1 }
            let c0 = (0..<m * ldc).map { _ in rng.nextUnitFloat() * 2 - 1 }
            // With beta 0, C may hold anything, NaN included, and must not be read.
            let width = ldc
            initialC = shape.beta == 0 ? c0.enumerated().map { $0.offset % width < n ? .nan : $0.element } : c0
            var expected = [Double](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k {
                        let av = shape.transA ? a[p * lda + i] : a[i * lda + p]
                        let bv = shape.transB ? b[j * ldb + p] : b[p * ldb + j]
                        sum += Double(av) * Double(bv)
                    }
                    expected[i * n + j] =
                        Double(shape.alpha) * sum + (shape.beta == 0 ? 0 : Double(shape.beta) * Double(c0[i * ldc + j]))
                }
            }
            self.expected = expected
        }

        func multiply(_ backend: any Backend, into c: inout [Float]) {
            multiply(backend, into: &c, rows: 0..<shape.m, columns: 0..<shape.n)
        }

        /// C computed from op(A) with its rows reversed and twice as many
        /// rows of other values between them, then put back in order.
        func multiplyReversed(_ backend: any Backend) -> [Float] {
            let (m, n, k) = (shape.m, shape.n, shape.k)
            let height = 2 * m + 1
            var rng = RandomGenerator(seed: 99)
            // op(A) row i of the original goes to row 2(m - 1 - i) + 1.
            var rows = (0..<height * k).map { _ in rng.nextUnitFloat() * 2 - 1 }
            for i in 0..<m {
                for p in 0..<k { rows[(2 * (m - 1 - i) + 1) * k + p] = shape.transA ? a[p * lda + i] : a[i * lda + p] }
            }
            var c = [Float](repeating: 0, count: height * ldc)
            for i in 0..<m { for j in 0..<ldc { c[(2 * (m - 1 - i) + 1) * ldc + j] = initialC[i * ldc + j] } }
            rows.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        backend.gemm(
                            transA: false, transB: shape.transB, m: height, n: n, k: k, alpha: shape.alpha,
                            a: ap.baseAddress ?? UnsafePointer(bitPattern: 8)!, lda: max(1, k),
                            b: bp.baseAddress ?? UnsafePointer(bitPattern: 8)!, ldb: ldb, beta: shape.beta,
                            c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
            var result = initialC
            for i in 0..<m { for j in 0..<n { result[i * ldc + j] = c[(2 * (m - 1 - i) + 1) * ldc + j] } }
            return result
        }

        /// Only the block `rows` × `columns` of C.
        func multiply(_ backend: any Backend, into c: inout [Float], rows: Range<Int>, columns: Range<Int>) {
            let i = rows.lowerBound
            let j = columns.lowerBound
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        let a = (ap.baseAddress ?? UnsafePointer(bitPattern: 8)!) + (shape.transA ? i : i * lda)
                        let b = (bp.baseAddress ?? UnsafePointer(bitPattern: 8)!) + (shape.transB ? j * ldb : j)
                        backend.gemm(
                            transA: shape.transA, transB: shape.transB, m: rows.count, n: columns.count, k: shape.k,
                            alpha: shape.alpha, a: a, lda: lda, b: b, ldb: ldb,
                            beta: shape.beta, c: cp.baseAddress! + i * ldc + j, ldc: ldc)
                    }
                }
            }
        }
    }
}
