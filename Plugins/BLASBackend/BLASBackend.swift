import AEFilterCore
import CAEOpenBLAS

/// The OpenBLAS backend: `cblas_sgemm`.
///
/// OpenBLAS keeps one thread count for the whole process, so the last
/// backend made sets it.
public struct BLASBackend: Backend {
    public let name = "blas"
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
        CAEOpenBLAS_set_threads(Int32(self.threads))
    }

    /// The OpenBLAS build, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String { String(cString: CAEOpenBLAS_config()) }

    /// Registers `blas`, preferred by `auto`.
    public static func register(into registry: inout BackendRegistry) {
        registry.register(name: "blas", summary: "OpenBLAS cblas_sgemm (\(configuration))", priority: 10) { threads in
            BLASBackend(threads: threads)
        }
    }

    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        // CBLAS rejects leading dimensions of 0, which an empty k allows.
        CAEOpenBLAS_sgemm(
            transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(max(1, lda)), b, Int32(max(1, ldb)), beta, c, Int32(ldc))
    }
}
