import AEFilter
import AEFilterCore
import CPUBackend
import TestSupport
import Testing

extension OpenBLASSuites {
    /// Every registered backend through ``BackendConformance``. A new backend
    /// registers in `PluginSet.standard` or ships as a module and is tested here with no other change.
    @Suite struct BackendConformanceTests {
        static let names = Fixtures.plugins.backends.names

        @Test(arguments: names, BackendConformance.shapes)
        func gemmMatchesFloat64Reference(backendName: String, shape: BackendConformance.Shape) throws {
            let backend = try Fixtures.plugins.backends.make(backendName, threads: 2)
            #expect(BackendConformance.problems(backend, shape: shape) == [])
        }

        /// Backends that claim independent rows keep the claim; the filter's
        /// independence of batching rests on it.
        @Test(arguments: Fixtures.plugins.backends.entries.filter(\.rowsAreIndependent).map(\.name))
        func rowsAreIndependentWhereClaimed(backendName: String) throws {
            let entry = try #require(Fixtures.plugins.backends.entries.first { $0.name == backendName })
            #expect(try entry.make(1).rowsAreIndependent)
            #expect(try BackendConformance.rowIndependenceProblems(entry.make) == [])
        }

        @Test(arguments: names)
        func concurrentCallsAgree(backendName: String) throws {
            #expect(
                BackendConformance.concurrencyProblems(try Fixtures.plugins.backends.make(backendName, threads: 1))
                    == [])
        }

        @Test(arguments: names)
        func halfPrecisionWeightsGiveTheSameBits(backendName: String) throws {
            #expect(BackendConformance.halfProblems(try Fixtures.plugins.backends.make(backendName, threads: 2)) == [])
        }

        @Test(arguments: names)
        func smallKProductsMatchTheReference(backendName: String) throws {
            #expect(
                BackendConformance.smallKProblems(try Fixtures.plugins.backends.make(backendName, threads: 2)) == [])
        }

        /// The checker catches a small-k product that is wrong, or that writes past C's columns.
        @Test func aWrongSmallKProductIsCaught() {
            struct Sloppy: Backend {
                let name = "sloppy", threads = 1
                let spill: Bool
                func gemm(
                    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    CPUBackend(threads: 1).gemm(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
                }
                func gemmSmallK(
                    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    CPUBackend(threads: 1).gemmSmallK(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
                    if spill { c[n] = 0 } else { c[0] += 0.01 }
                }
            }
            #expect(BackendConformance.smallKProblems(Sloppy(spill: false)).contains { $0.contains("worst error") })
            #expect(BackendConformance.smallKProblems(Sloppy(spill: true)).contains { $0.contains("beyond n") })
            #expect(BackendConformance.problems(Sloppy(spill: false)).contains { $0.contains("small-k") })
        }

        /// The checker itself catches a backend that is wrong.
        @Test func aWrongBackendIsCaught() {
            struct OffByOne: Backend {
                let name = "off-by-one", threads = 1
                func gemm(
                    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    CPUBackend(threads: 1).gemm(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
                    c[0] += 1e-3
                    if ldc > n { c[n] = 0 }
                }
            }
            struct HalfOffByOne: Backend {
                let name = "half-off-by-one", threads = 1
                func gemm(
                    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    CPUBackend(threads: 1).gemm(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
                }
                func gemmHalf(
                    m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafeRawPointer,
                    ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    CPUBackend(threads: 1).gemmHalf(
                        m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                    c[ldc * (m - 1) + n - 1] = c[ldc * (m - 1) + n - 1].nextUp
                }
            }
            // Its half-precision multiply, not the widened one, is off.
            #expect(BackendConformance.halfProblems(HalfOffByOne()).contains { $0.contains("half-precision B") })
            let problems = BackendConformance.problems(OffByOne())
            #expect(problems.contains { $0.contains("worst error") })
            #expect(problems.contains { $0.contains("beyond n") })
            // It also changes C[0, 0] of every call, so a row computed alone differs.
            #expect(
                BackendConformance.rowIndependenceProblems { _ in OffByOne() }.contains {
                    $0.contains("each row alone differs from the whole product at element")
                })
        }
    }

    /// A NaN or an infinity anywhere in C fails, however small the other errors:
    /// max() over errors would drop a NaN (issue 24, M2).
    @Suite struct NonFiniteProductTests {
        struct OneBadValue: Backend {
            let name = "one-bad-value", threads = 1
            let value: Float
            func gemm(
                transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
            ) {
                CPUBackend(threads: 1).gemm(
                    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                    beta: beta, c: c, ldc: ldc)
                // The last element only, after the true product everywhere else.
                if m > 0, n > 0 { c[ldc * (m - 1) + n - 1] = value }
            }
        }

        @Test(arguments: [Float.nan, -Float.nan, Float.infinity, -Float.infinity])
        func isCaught(value: Float) {
            let problems = BackendConformance.problems(OneBadValue(value: value))
            #expect(problems.contains { $0.contains("not a finite number") }, "\(problems)")
        }
    }

    /// What `auto` stands for: the filter needs independent rows, training speed.
    @Suite struct AutoBackendTests {
        @Test func picksByPurpose() throws {
            #expect(try Fixtures.plugins.backends.make("auto", threads: 1, for: .inference).name == "cpu")
            #expect(try Fixtures.plugins.backends.make("auto", threads: 1, for: .training).name == "blas")
        }

        @Test func fallsBackWhenThePreferredBackendCannotBeMade() throws {
            var registry = Fixtures.plugins.backends
            registry.register(name: "broken", summary: "always fails", priority: 99, rowsAreIndependent: true) { _ in
                throw NoiseError("no device")
            }
            #expect(try registry.make("auto", threads: 1, for: .inference).name == "cpu")
            #expect(try registry.make("auto", threads: 1, for: .training).name == "blas")
            #expect(throws: NoiseError("no device")) { try registry.make("broken", threads: 1) }
            #expect(throws: RegistryError.self) { try BackendRegistry().make("auto", threads: 1) }
        }
    }
}
