import AEFilterCore
import CAEOpenBLAS

/// The OpenBLAS backend: `cblas_sgemm`.
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
        // OpenBLAS hands a one-row product to gemv, which rounds differently;
        // two rows keep every row's result independent of the batch size.
        if m == 1 && !transA && k > 0 {
            var rows = [Float](repeating: 0, count: 2 * k)
            var out = [Float](repeating: 0, count: 2 * n)
            rows.withUnsafeMutableBufferPointer { rows in
                rows.baseAddress!.update(from: a, count: k)
                (rows.baseAddress! + k).update(from: a, count: k)
            }
            if beta != 0 {
                out.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: c, count: n) }
            }
            CAEOpenBLAS_sgemm(
                0, transB ? 1 : 0, 2, Int32(n), Int32(k), alpha,
                rows, Int32(k), b, Int32(max(1, ldb)), beta, &out, Int32(n))
            c.update(from: out, count: n)
            return
        }
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
