import AEFilter
import AEFilterCore
import TestSupport
import Testing

extension OpenBLASSuites {
    /// Every registered backend through ``BackendConformance``. A new backend
    /// registers in `PluginSet.standard` and is tested here with no other change.
    @Suite struct BackendConformanceTests {
        static let names = PluginSet.standard.backends.names

        @Test(arguments: names, BackendConformance.shapes)
        func gemmMatchesFloat64Reference(backendName: String, shape: BackendConformance.Shape) throws {
            let backend = try PluginSet.standard.backends.make(backendName, threads: 2)
            #expect(BackendConformance.problems(backend, shape: shape) == [])
        }

        /// Training runs one-thread backends on blocks of each product.
        @Test(arguments: names)
        func blocksMatchTheWholeProduct(backendName: String) throws {
            #expect(
                BackendConformance.blockProblems(try PluginSet.standard.backends.make(backendName, threads: 1)) == [])
        }

        @Test(arguments: names)
        func concurrentCallsAgree(backendName: String) throws {
            #expect(
                BackendConformance.concurrencyProblems(try PluginSet.standard.backends.make(backendName, threads: 1))
                    == [])
        }

        /// The checker itself catches a backend that is wrong.
        @Test func aWrongBackendIsCaught() {
            struct OffByOne: Backend {
                let name = "off-by-one", threads = 1
                func gemm(
                    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
                ) {
                    SwiftBackend(threads: 1).gemm(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                        beta: beta, c: c, ldc: ldc)
                    c[0] += 1e-3
                    if ldc > n { c[n] = 0 }
                }
            }
            let problems = BackendConformance.problems(OffByOne())
            #expect(problems.contains { $0.contains("worst error") })
            #expect(problems.contains { $0.contains("beyond n") })
            // It also changes C[0, 0] of every block, so blocks and whole products differ.
            #expect(BackendConformance.blockProblems(OffByOne()).contains { $0.contains("blocks of columns") })
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
            registry.register(name: "broken", summary: "always fails", priority: 99) { _ in
                throw NoiseError("no device")
            }
            let auto = try #require(try registry.make("auto", threads: 1) as? AutoBackend)
            #expect(auto.largeBackend.name == "swift")
            #expect(throws: NoiseError("no device")) { try registry.make("broken", threads: 1) }
        }
    }
}
