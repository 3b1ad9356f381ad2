import AEFilterCore
import CAECPUKernels
import Dispatch

/// The built-in backend: a C multiply whose every element is computed by
/// the same operations in the same order on every CPU and code path
/// (generic x86-64, AVX2 with FMA, AVX-512), whatever the batch, the position of a
/// row or the thread count. See `CAECPUKernels.h` for the exact order.
public struct CPUBackend: Backend {
    public let name = "cpu"
    public let threads: Int
    public var rowsAreIndependent: Bool { true }

    /// A backend that splits each multiply's columns over `threads` threads.
    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    /// Registers `cpu`, which `auto` picks when nothing claims more.
    public static func register(into registry: inout BackendRegistry) {
        registry.register(
            name: "cpu", summary: "built in: the same bits on every CPU and batch (SIMD, fused multiply-add)",
            priority: 0, rowsAreIndependent: true
        ) { threads in
            CPUBackend(threads: threads)
        }
    }

    /// The code path this process runs: `generic`, `avx2` or `avx512`
    /// (`AE_FILTER_CPU_PATH` forces one this CPU has).
    public static var path: String { String(cString: CAECPU_path_name()) }

    /// The code paths, each with its C constant.
    static let paths: [(name: String, code: Int32)] = [
        ("generic", Int32(CAECPU_PATH_GENERIC)), ("avx2", Int32(CAECPU_PATH_AVX2)),
        ("avx512", Int32(CAECPU_PATH_AVX512)),
    ]

    /// The paths this CPU can run.
    public static var availablePaths: [String] {
        let current = path
        defer { _ = usePath(current) }
        return paths.map(\.name).filter { usePath($0) }
    }

    /// Makes every call of this process take `name` (or the best path, for
    /// `auto`); false, and no change, when this CPU lacks its instructions.
    /// All paths give the same bits, so this changes speed only.
    @discardableResult
    public static func usePath(_ name: String) -> Bool {
        let code = name == "auto" ? Int32(CAECPU_PATH_AUTO) : paths.first { $0.name == name }?.code
        guard let code else { return false }
        return CAECPU_set_path(code) == 0
    }

    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        splittingColumns(m: m, n: n, k: k) { first, count in
            CAECPU_gemm(
                transA ? 1 : 0, transB ? 1 : 0, m, count, k, alpha, a, lda, b + (transB ? first * ldb : first), ldb,
                beta, c + first, ldc)
        }
    }

    /// Multiplies by the half-precision rows of `b` in place, each column
    /// tile widened as it is used: the bits of ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
    /// on the widened matrix, without its copy.
    public func gemmHalf(
        m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafeRawPointer, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        splittingColumns(m: m, n: n, k: k) { first, count in
            CAECPU_gemm_half(m, count, k, alpha, a, lda, b + 2 * first * ldb, ldb, beta, c + first, ldc)
        }
    }

    /// Outer products, each element one chain of fused multiply-adds in
    /// increasing `p` (`CAECPU_gemm_small_k`): the same bits on every path
    /// and split, but not ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``'s.
    public func gemmSmallK(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        splittingColumns(m: m, n: n, k: k) { first, count in
            CAECPU_gemm_small_k(m, count, k, a, lda, b + first, ldb, c + first, ldc)
        }
    }

    /// Runs `multiply(first column, column count)` over parts of C's columns,
    /// on up to `threads` threads; each element is computed the same way in
    /// any part. `multiply` returns the C kernel's status.
    private func splittingColumns(m: Int, n: Int, k: Int, _ multiply: @escaping @Sendable (Int, Int) -> Int32) {
        guard m > 0, n > 0 else { return }
        let parts = min(threads, max(1, n / 16), max(1, m * n * k / 1_000_000))
        let work: @Sendable (Int) -> Void = { part in
            let first = n * part / parts
            let last = n * (part + 1) / parts
            guard last > first else { return }
            precondition(multiply(first, last - first) == 0, "out of memory in the cpu backend")
        }
        if parts == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: work)
        }
    }
}
