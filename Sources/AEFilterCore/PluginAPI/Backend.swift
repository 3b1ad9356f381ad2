/// A compute backend: the matrix multiply everything in ae-filter runs on.
///
/// Matrices are row-major `Float` buffers. A backend computes
/// `C = alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X` or its
/// transpose, `op(A)` is `m×k`, `op(B)` is `k×n` and `C` is `m×n`.
/// When `beta` is 0, `C` is only written, never read (it may hold NaN).
///
/// Backends are value types and `Sendable`; one instance may be used from
/// several threads at once. Register one in a ``BackendRegistry``, and run
/// ``BackendConformance`` on it.
public protocol Backend: Sendable {
    /// The name it is registered under, e.g. `swift`.
    var name: String { get }

    /// The number of threads it uses for one call.
    var threads: Int { get }

    /// `C = alpha * op(A) * op(B) + beta * C`; see the protocol's discussion for the layout rules.
    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    )
}
