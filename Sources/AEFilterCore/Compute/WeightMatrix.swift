/// Values as a checkpoint stores them: floats, or half-precision values
/// kept as halves (a tensor's ``SafeTensors/Tensor/storage``). As a layer's
/// weights, `rows`×`columns` row-major (PyTorch's `out × in`), `A · Wᵀ`
/// gives the same bits either way.
public enum WeightMatrix: Sendable, Equatable {
    case floats([Float])
    case halves(HalfValues)

    /// A checkpoint tensor's values, kept as halves when it has them so.
    public init(_ tensor: SafeTensors.Tensor) {
        self = tensor.storage
    }

    /// The values as floats (widened on each read for `halves`).
    public var floats: [Float] {
        switch self {
        case .floats(let values): return values
        case .halves(let halves): return halves.floats
        }
    }

    public var count: Int {
        switch self {
        case .floats(let values): return values.count
        case .halves(let halves): return halves.count
        }
    }

    /// `c` (`m` rows of `rows`, `ldc` apart) = `a` (`m` rows of `columns`, `lda` apart) · Wᵀ.
    public func multiply(
        _ a: UnsafePointer<Float>, m: Int, lda: Int, rows: Int, columns: Int, into c: UnsafeMutablePointer<Float>,
        ldc: Int, backend: any Backend
    ) {
        switch self {
        case .floats(let values):
            values.withUnsafeBufferPointer { w in
                backend.gemm(
                    transA: false, transB: true, m: m, n: rows, k: columns, alpha: 1, a: a, lda: lda,
                    b: w.baseAddress!, ldb: columns, beta: 0, c: c, ldc: ldc)
            }
        case .halves(let halves):
            backend.gemmHalf(
                m: m, n: rows, k: columns, alpha: 1, a: a, lda: lda, b: halves.base, ldb: columns, beta: 0, c: c,
                ldc: ldc)
        }
    }

    public static func == (lhs: WeightMatrix, rhs: WeightMatrix) -> Bool {
        if case .halves(let l) = lhs, case .halves(let r) = rhs { return l == r }
        return lhs.floats == rhs.floats
    }
}
