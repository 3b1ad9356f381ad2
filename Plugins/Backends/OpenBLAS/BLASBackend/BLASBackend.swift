import AEFilterCore
import CAEOpenBLAS

/// The OpenBLAS backend: `cblas_sgemm`. Fast, but its rounding depends on
/// the shape of each call and on the CPU's kernels, so its rows are not
/// independent: `auto` uses it for training, never for the filter.
///
/// OpenBLAS is loaded when the first backend is made, not at start-up.
/// It keeps one thread count for the whole process, so the last backend
/// made sets it.
public struct BLASBackend: Backend {
    public let name = "blas"
    public let threads: Int

    /// Throws when OpenBLAS can't be loaded.
    public init(threads: Int) throws(BLASError) {
        var message = [CChar](repeating: 0, count: 256)
        guard CAEOpenBLAS_load(&message, message.count) == 0 else {
            throw BLASError(
                description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.threads = max(1, threads)
        CAEOpenBLAS_set_threads(Int32(self.threads))
    }

    /// The OpenBLAS build, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public var configuration: String { String(cString: CAEOpenBLAS_config()) }

    /// Registers `blas`, preferred by `auto`.
    public static func register(into registry: inout BackendRegistry) {
        registry.register(name: "blas", summary: "OpenBLAS cblas_sgemm, loaded on first use", priority: 10) { threads in
            try BLASBackend(threads: threads)
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

/// OpenBLAS could not be loaded.
public struct BLASError: Error, CustomStringConvertible {
    public let description: String
}
