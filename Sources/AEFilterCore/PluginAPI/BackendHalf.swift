import CAENumerics

/// The default ``Backend/gemmHalf(m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// `B` widened into a temporary buffer, then the backend's own multiply.
public enum BackendHalf {
    public static func widenThenMultiply(
        _ backend: some Backend, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafeRawPointer, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        let widened = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n * k))
        defer { widened.deallocate() }
        for row in 0..<n { CAENumerics_half_to_float(b + 2 * row * ldb, widened + row * k, k) }
        backend.gemm(
            transA: false, transB: true, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: widened, ldb: max(1, k),
            beta: beta, c: c, ldc: ldc)
    }
}
