import Synchronization

/// The `auto` backend: small multiplies (a few images) run on the portable
/// backend, which needs no warm-up; larger ones on the preferred backend,
/// made on first use. If that can't be made, everything stays portable.
public final class AutoBackend: Backend, Sendable {
    public let name = "auto"
    public let threads: Int
    /// Multiplies with fewer multiply-adds than this stay portable.
    public let threshold: Int

    private let small: SwiftBackend
    private let makeLarge: @Sendable () throws -> any Backend
    private let large = Mutex<(any Backend)?>(nil)

    /// Portable below `threshold` multiply-adds; `makeLarge` is called once, on the first large multiply.
    public init(threads: Int, threshold: Int = 4_000_000, makeLarge: @escaping @Sendable () throws -> any Backend) {
        self.threads = max(1, threads)
        self.threshold = threshold
        self.small = SwiftBackend(threads: threads)
        self.makeLarge = makeLarge
    }

    /// The backend large multiplies use.
    public var largeBackend: any Backend {
        large.withLock { backend in
            if let backend { return backend }
            let made: any Backend = (try? makeLarge()) ?? small
            backend = made
            return made
        }
    }

    /// Routes by size: see ``threshold``.
    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let backend: any Backend = m * n * k < threshold ? small : largeBackend
        backend.gemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}
