// The built-in backend's matrix multiply. Plain C types only.
//
// Every element of C is computed by the same IEEE operations in the same
// order on every code path and CPU, whatever m, n, the other rows and
// columns, or the split over threads:
//
//   sum = the 16 partial sums L[q] = Σ_{p ≡ q mod 16} a(i,p)·b(p,j), each
//         accumulated in increasing p as L[q] = fma(a, b, L[q]) (IEEE fused
//         multiply-add: a·b + L[q] rounded once, as C's fmaf), from +0;
//         then L[q] + L[q+8], then + [q+4], then + [q+2], then [0] + [1];
//   c(i,j) = alpha·sum            when beta = 0 (C is not read),
//            alpha·sum + beta·c   otherwise.
//
// So a row of C depends only on its row of op(A), on op(B), alpha and beta.
// A fused multiply-add is correctly rounded, so the AVX2 and AVX-512 paths'
// vfmadd instructions and the generic path's emulation (SSE2 doubles, C's
// fmaf for the rare sums it cannot round alone) give the same bits.
#ifndef CAECPUKERNELS_H
#define CAECPUKERNELS_H

#include <stddef.h>

/// Row-major C = alpha·op(A)·op(B) + beta·C, op transposing when the flag is
/// non-zero; op(A) is m×k, op(B) k×n. Returns 0, or -1 when out of memory
/// (C untouched).
int CAECPU_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                const float *b, size_t ldb, float beta, float *c, size_t ldc);

/// Row-major C = alpha·A·Bᵀ + beta·C where B, n rows of k, `ldb` values
/// apart, holds IEEE half-precision values (little-endian, any alignment): a
/// model's weights as stored. The same bits as widening B to float and
/// calling CAECPU_gemm(0, 1, ...). Returns 0, or -1 when out of memory.
int CAECPU_gemm_half(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const void *b,
                     size_t ldb, float beta, float *c, size_t ldc);

/// Row-major C = A·B, A m×k (rows `lda` apart), B k×n (rows `ldb` apart), C
/// overwritten: outer products, for a small k (tens). Not CAECPU_gemm's
/// order: each element is one chain from +0 in increasing p,
///
///   s = fma(a(i,p), b(p,j), s) for p = 0 ..< k;  c(i,j) = s,
///
/// so on every path and CPU, again the same bits whatever m, n, the other
/// rows and columns or the split over threads. Returns 0.
int CAECPU_gemm_small_k(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                        float *c, size_t ldc);

/// The code paths, all giving the same bits.
enum {
    CAECPU_PATH_AUTO = 0,
    CAECPU_PATH_GENERIC = 1,  // any x86-64 (SSE2)
    CAECPU_PATH_AVX2 = 2,     // AVX2 and FMA
    CAECPU_PATH_AVX512 = 3,   // AVX-512F (and FMA)
};

/// Forces a path for the whole process (CAECPU_PATH_AUTO: the best this CPU
/// has). Returns 0, or -1 when this CPU lacks the instructions (nothing
/// changes). The environment variable AE_FILTER_CPU_PATH (generic, avx2,
/// avx512) does the same at the first call.
int CAECPU_set_path(int path);

/// The path calls take now: "generic", "avx2" or "avx512".
const char *CAECPU_path_name(void);

#endif
