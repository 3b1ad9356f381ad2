import AEFilterCore
import CPUBackend
import Testing

/// The built-in backend's promise: the same bits on every code path, hence on
/// every CPU, and for every split of the work.
@Suite struct CPUBackendTests {
    static let shapes = [
        BackendConformance.Shape(m: 37, n: 1176, k: 784, transA: false, transB: true, alpha: 1, beta: 0),
        BackendConformance.Shape(m: 5, n: 784, k: 1176, transA: false, transB: true, alpha: 1, beta: 0),
        BackendConformance.Shape(m: 84, n: 784, k: 100, transA: true, transB: false, alpha: 1, beta: 0),
        BackendConformance.Shape(m: 100, n: 84, k: 784, transA: false, transB: false, alpha: 1, beta: 0),
        BackendConformance.Shape(m: 13, n: 17, k: 19, transA: true, transB: true, alpha: -0.5, beta: 0.25),
        BackendConformance.Shape(m: 3, n: 2, k: 1, transA: false, transB: false, alpha: 2, beta: 1),
    ]

    /// Every path this CPU has gives the generic path's bits.
    @Test(arguments: shapes)
    func everyPathGivesTheSameBits(shape: BackendConformance.Shape) throws {
        let paths = CPUBackend.availablePaths
        #expect(paths.first == "generic")
        defer { CPUBackend.usePath("auto") }
        var results: [String: [Float]] = [:]
        for path in paths {
            #expect(CPUBackend.usePath(path))
            results[path] = Self.multiply(shape, CPUBackend(threads: 2))
        }
        for path in paths.dropFirst() {
            #expect(BackendConformance.firstDifference(results["generic"]!, results[path]!) == nil, "\(path)")
        }
    }

    /// Every path gives the order `CAECPUKernels.h` documents, computed here an
    /// element at a time with Swift's fused `addingProduct`: the AVX2 and
    /// AVX-512 paths' `vfmadd` and the generic path's emulated one agree with
    /// IEEE's correctly rounded fused multiply-add, not only with each other.
    @Test(arguments: shapes)
    func everyPathFollowsTheDocumentedOrder(shape: BackendConformance.Shape) {
        defer { CPUBackend.usePath("auto") }
        let expected = Self.multiply(shape, DocumentedOrder())
        for path in CPUBackend.availablePaths {
            #expect(CPUBackend.usePath(path))
            #expect(
                BackendConformance.firstDifference(expected, Self.multiply(shape, CPUBackend(threads: 2))) == nil,
                "\(path)")
        }
    }

    /// Half-precision weights, multiplied in place, on every path this CPU has.
    @Test func everyPathMultipliesHalvesAsWidened() {
        defer { CPUBackend.usePath("auto") }
        for path in CPUBackend.availablePaths {
            #expect(CPUBackend.usePath(path))
            #expect(BackendConformance.halfProblems(CPUBackend(threads: 2)) == [], "\(path)")
        }
    }

    /// The small-k product (outer products, the filter's Winograd products)
    /// on every path this CPU has, split over threads or not: one chain of
    /// fused steps per element in increasing p, as `CAECPUKernels.h` documents,
    /// computed here with Swift's `addingProduct`. Full and partial column
    /// tiles, row counts around the tiles' 6.
    @Test(arguments: [(37, 33, 19), (5, 64, 1), (196, 32, 96), (13, 17, 7), (7, 70, 40), (1, 16, 3), (49, 64, 128)])
    func everyPathGivesTheSmallKOrder(m: Int, n: Int, k: Int) {
        defer { CPUBackend.usePath("auto") }
        var rng = RandomGenerator(seed: UInt64(m * n * k))
        let (lda, ldb, ldc) = (k + 1, n + 2, n + 3)
        let a = (0..<m * lda).map { (rng.nextUnitFloat() * 2 - 1) * ($0 % 7 == 0 ? 0x1p-12 : 1) }
        let b = (0..<k * ldb).map { _ in rng.nextUnitFloat() * 2 - 1 }
        var expected = [Float](repeating: 7, count: m * ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum = sum.addingProduct(a[i * lda + p], b[p * ldb + j]) }
                expected[i * ldc + j] = sum
            }
        }
        for path in CPUBackend.availablePaths {
            #expect(CPUBackend.usePath(path))
            for threads in [1, 2] {
                var c = [Float](repeating: 7, count: m * ldc)
                c.withUnsafeMutableBufferPointer {
                    CPUBackend(threads: threads).gemmSmallK(
                        m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: $0.baseAddress!, ldc: ldc)
                }
                #expect(BackendConformance.firstDifference(expected, c) == nil, "\(path), \(threads) threads")
            }
        }
    }

    /// A backend without a small-k kernel (blas, modules) multiplies with its `gemm`.
    @Test func aBackendWithoutASmallKKernelUsesItsGemm() {
        var rng = RandomGenerator(seed: 5)
        let (m, n, k) = (9, 20, 11)
        let a = (0..<m * k).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let b = (0..<k * n).map { _ in rng.nextUnitFloat() * 2 - 1 }
        var viaGemm = [Float](repeating: .nan, count: m * n)
        var viaSmallK = viaGemm
        let backend = DocumentedOrder()
        viaGemm.withUnsafeMutableBufferPointer {
            backend.gemm(
                transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0,
                c: $0.baseAddress!, ldc: n)
        }
        viaSmallK.withUnsafeMutableBufferPointer {
            backend.gemmSmallK(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: $0.baseAddress!, ldc: n)
        }
        #expect(BackendConformance.firstDifference(viaGemm, viaSmallK) == nil)
    }

    @Test func aPathThisCPUCannotRunIsRefused() {
        #expect(!CPUBackend.usePath("sse9"))
        #expect(CPUBackend.availablePaths.contains(CPUBackend.path))
    }

    /// The documented order, one element at a time: 16 partial sums of fused
    /// steps in increasing p, then the fixed tree, then alpha and beta.
    struct DocumentedOrder: Backend {
        let name = "documented-order"
        let threads = 1

        func gemm(
            transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
        ) {
            for i in 0..<m {
                for j in 0..<n {
                    var lanes = [Float](repeating: 0, count: 16)
                    for p in 0..<k {
                        let x = transA ? a[p * lda + i] : a[i * lda + p]
                        let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                        lanes[p % 16] = lanes[p % 16].addingProduct(x, y)
                    }
                    for width in [8, 4, 2, 1] {
                        for q in 0..<width { lanes[q] = lanes[q] + lanes[q + width] }
                    }
                    let sum = lanes[0]
                    c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j]
                }
            }
        }
    }

    /// C for `shape` with fixed operands, leading dimensions wider than the matrices.
    static func multiply(_ shape: BackendConformance.Shape, _ backend: any Backend) -> [Float] {
        var rng = RandomGenerator(seed: 3)
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let lda = (shape.transA ? m : k) + 1
        let ldb = (shape.transB ? k : n) + 2
        let ldc = n + 3
        // Every seventh value of A small, so products meet sums far larger than themselves.
        let a = (0..<(shape.transA ? k : m) * lda).map { (rng.nextUnitFloat() * 2 - 1) * ($0 % 7 == 0 ? 0x1p-12 : 1) }
        let b = (0..<(shape.transB ? n : k) * ldb).map { _ in rng.nextUnitFloat() * 2 - 1 }
        var c = (0..<m * ldc).map { _ in rng.nextUnitFloat() }
        c.withUnsafeMutableBufferPointer { cp in
            backend.gemm(
                transA: shape.transA, transB: shape.transB, m: m, n: n, k: k, alpha: shape.alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: shape.beta, c: cp.baseAddress!, ldc: ldc)
        }
        return c
    }
}
