import AEFilter
import AEFilterCore
import TestSupport
import Testing

/// Every registered backend against a float64 reference GEMM. A new backend
/// registers in `PluginSet.standard` and is tested here with no other change.
@Suite struct BackendConformanceTests {
    static let names = PluginSet.standard.backends.names

    struct Shape: Sendable, CustomStringConvertible {
        var m, n, k: Int
        var transA, transB: Bool
        var alpha, beta: Float
        var description: String { "\(m)x\(n)x\(k) tA=\(transA) tB=\(transB) α=\(alpha) β=\(beta)" }
    }

    static let shapes: [Shape] = [
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

    @Test(arguments: names, shapes)
    func gemmMatchesFloat64Reference(backendName: String, shape: Shape) throws {
        let backend = try PluginSet.standard.backends.make(backendName, threads: 2)
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var rng = RandomGenerator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        // Stored shapes: A is m×k (k×m if transposed), B is k×n (n×k if transposed).
        let lda = shape.transA ? m : k, ldb = shape.transB ? k : n, ldc = n + 3
        let a = (0..<m * k).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let b = (0..<k * n).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let c0 = (0..<m * ldc).map { _ in rng.nextUnitFloat() * 2 - 1 }
        var c = shape.beta == 0 ? [Float](repeating: .nan, count: m * ldc) : c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    backend.gemm(
                        transA: shape.transA, transB: shape.transB, m: m, n: n, k: k, alpha: shape.alpha,
                        a: ap.baseAddress!, lda: max(1, lda), b: bp.baseAddress!, ldb: max(1, ldb),
                        beta: shape.beta, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = shape.transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = shape.transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(av) * Double(bv)
                }
                let expected = Double(shape.alpha) * sum + (shape.beta == 0 ? 0 : Double(shape.beta) * Double(c0[i * ldc + j]))
                worst = max(worst, abs(Double(c[i * ldc + j]) - expected))
            }
            // The padding columns beyond n are never touched.
            for j in n..<ldc where shape.beta != 0 {
                #expect(c[i * ldc + j] == c0[i * ldc + j])
            }
        }
        // float32 accumulation over k terms of magnitude ≤ 1.
        #expect(worst <= 1e-6 * Double(max(k, 1)) * 4, "\(backendName) \(shape): worst error \(worst)")
    }
}

@Suite struct AutoBackendTests {
    @Test func routesLargeMultipliesToThePreferredBackend() throws {
        let auto = try #require(try PluginSet.standard.backends.make("auto", threads: 1) as? AutoBackend)
        #expect(auto.largeBackend.name == "blas")
        let portableOnly = try #require(try BackendRegistry().make("auto", threads: 1) as? AutoBackend)
        #expect(portableOnly.largeBackend.name == "swift")
    }

    @Test func fallsBackWhenThePreferredBackendCannotBeMade() throws {
        var registry = BackendRegistry()
        registry.register(name: "broken", summary: "always fails", priority: 99) { _ in throw NoiseError("no device") }
        let auto = try #require(try registry.make("auto", threads: 1) as? AutoBackend)
        #expect(auto.largeBackend.name == "swift")
        #expect(throws: NoiseError("no device")) { try registry.make("broken", threads: 1) }
    }
}
