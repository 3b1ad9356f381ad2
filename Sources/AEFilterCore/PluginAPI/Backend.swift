/// A compute backend: the matrix multiply everything in ae-filter runs on.
///
/// Matrices are row-major `Float` buffers. A backend computes
/// `C = alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X` or its
/// transpose, `op(A)` is `m×k`, `op(B)` is `k×n` and `C` is `m×n`.
/// When `beta` is 0, `C` is only written, never read (it may hold NaN).
///
/// Backends are value types and `Sendable`; one instance may be used from
/// several threads at once, and a call repeated with the same arguments
/// gives the same bits. Register one in a ``BackendRegistry``, and run
/// ``BackendConformance`` on it.
public protocol Backend: Sendable {
    /// The name it is registered under, e.g. `cpu`.
    var name: String { get }

    /// The number of threads it uses for one call.
    var threads: Int { get }

    /// Whether each row of `C` depends only on that row of `op(A)`, on
    /// `op(B)`, `alpha` and `beta`: not on `m`, on the other rows, on where
    /// the row sits, or on the thread count. The filter's results then do
    /// not depend on how images are batched. Checked by
    /// ``BackendConformance/rowIndependenceProblems(_:)``; `false` unless declared.
    var rowsAreIndependent: Bool { get }

    /// Where it comes from, for messages that may blame it; built in by default.
    var origin: PluginOrigin { get }

    /// `C = alpha * op(A) * op(B) + beta * C`; see the protocol's discussion for the layout rules.
    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    )

    /// `C = alpha * A * Bᵀ + beta * C` with `B` in half precision; see the extension's default.
    func gemmHalf(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafeRawPointer, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    )

    /// `C = A * B` with a small `k` (tens); see the extension's default.
    func gemmSmallK(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    )
}

extension Backend {
    public var rowsAreIndependent: Bool { false }

    public var origin: PluginOrigin { .builtIn }

    /// For a message about non-finite results: names a backend that comes
    /// from a module, which may be at fault rather than the model (empty for a built-in one).
    public var suspicion: String {
        guard case .module(let path, _, _) = origin else { return "" }
        return " (or the backend '\(name)' from the module \(path) is at fault: try --backend cpu)"
    }

    /// Why a model's output is not finite: the backend first when it comes
    /// from a module, else the model's weights.
    public var nonFiniteOutput: String {
        guard case .module(let path, _, _) = origin else {
            return "the model's output is not finite (NaN or infinite): its weights overflow on this image"
        }
        return "the model's output is not finite (NaN or infinite) with the backend '\(name)' from the module "
            + "\(path): that backend, or weights that overflow on this image; --backend cpu tells which"
    }

    /// `C = alpha * A * Bᵀ + beta * C` where `B`, `n` rows of `k` values
    /// `ldb` apart, holds IEEE half-precision values (little-endian, any
    /// alignment): a model's weights as stored, multiplied without a widened
    /// copy. The same bits as widening `B` and calling ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// with `transB`, which is what this default does; a backend may do it in place.
    public func gemmHalf(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafeRawPointer, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BackendHalf.widenThenMultiply(
            self, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `C = A * B`, `A` `m×k`, `B` `k×n`, neither transposed, `C` only
    /// written, for a small `k` (tens: the input channels of a Winograd
    /// product). A backend may have a kernel for this shape whose order of
    /// operations differs from its ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``'s;
    /// its rows must then be as independent as that one's. This default
    /// calls `gemm`.
    public func gemmSmallK(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        gemm(
            transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c,
            ldc: ldc)
    }
}
