// C = A·B by outer products, for a small k: each element one chain of fused
// multiply-adds in increasing p (see CAECPU_gemm_small_k), so no horizontal
// reduction per element, the dot-product tiles' cost when k is a few dozen.
#include "CAECPUKernels.h"

#include "simd.h"

// An R-row × 16·V-column tile: per p, V vectors of B's row p and R
// broadcast values of A's column p, R·V fused steps.
#define CAECPU_OUTER_TILE(R, V, FMA)                                                                            \
    __attribute__((always_inline)) static inline void caecpu_outer_##R##x##V##_##FMA(                          \
        size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc) {             \
        caecpu_v16 acc[R][V];                                                                                  \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                         \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) acc[r][v] = 0;                      \
        for (size_t p = 0; p < k; p++) {                                                                       \
            caecpu_v16 bv[V];                                                                                  \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) bv[v] = caecpu_load(b + p * ldb + 16 * v); \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                                   \
                caecpu_v16 av = a[r * lda + p];                                                                \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) acc[r][v] =                     \
                    caecpu_##FMA(av, bv[v], acc[r][v]);                                                        \
            }                                                                                                  \
        }                                                                                                      \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                         \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                     \
                memcpy(c + r * ldc + 16 * v, &acc[r][v], sizeof acc[r][v]);                                    \
    }

// The last `count` (< 16) columns of R rows: the same steps, zeros in B's lanes past them.
#define CAECPU_OUTER_TAIL(R, FMA)                                                                               \
    __attribute__((always_inline)) static inline void caecpu_outer_tail_##R##_##FMA(                           \
        size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, size_t count) { \
        caecpu_v16 acc[R];                                                                                     \
        for (int r = 0; r < R; r++) acc[r] = 0;                                                                \
        for (size_t p = 0; p < k; p++) {                                                                       \
            caecpu_v16 bv = caecpu_load_tail(b + p * ldb, count);                                              \
            for (int r = 0; r < R; r++) acc[r] = caecpu_##FMA((caecpu_v16)a[r * lda + p], bv, acc[r]);         \
        }                                                                                                      \
        for (int r = 0; r < R; r++) memcpy(c + r * ldc, &acc[r], count * sizeof(float));                       \
    }

CAECPU_OUTER_TILE(1, 1, fma_emulated)
CAECPU_OUTER_TAIL(1, fma_emulated)
CAECPU_OUTER_TILE(1, 1, fma_hw)
CAECPU_OUTER_TILE(1, 2, fma_hw)
CAECPU_OUTER_TILE(6, 1, fma_hw)
CAECPU_OUTER_TILE(6, 2, fma_hw)
CAECPU_OUTER_TAIL(1, fma_hw)
CAECPU_OUTER_TAIL(6, fma_hw)

// Blocks of 8·R rows, which stay in cache while every column tile of 16·V
// passes over them; then 16-column tiles, then the last columns. Rows left
// over from R take 1-row tiles.
#define CAECPU_OUTER_DRIVER(NAME, R, V, TARGET, FMA)                                                            \
    TARGET static void NAME(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb, \
                            float *c, size_t ldc) {                                                            \
        const size_t rows_per_block = 8 * R;                                                                   \
        for (size_t i0 = 0; i0 < m; i0 += rows_per_block) {                                                    \
            const size_t i1 = i0 + rows_per_block < m ? i0 + rows_per_block : m;                               \
            size_t j = 0;                                                                                      \
            for (; j + 16 * V <= n; j += 16 * V) {                                                             \
                size_t i = i0;                                                                                 \
                for (; i + R <= i1; i += R)                                                                    \
                    caecpu_outer_##R##x##V##_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc);     \
                for (; i < i1; i++) caecpu_outer_1x##V##_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc); \
            }                                                                                                  \
            for (; j + 16 <= n; j += 16) {                                                                     \
                size_t i = i0;                                                                                 \
                for (; i + R <= i1; i += R)                                                                    \
                    caecpu_outer_##R##x1_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc);         \
                for (; i < i1; i++) caecpu_outer_1x1_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc); \
            }                                                                                                  \
            if (j < n) {                                                                                       \
                size_t i = i0;                                                                                 \
                for (; i + R <= i1; i += R)                                                                    \
                    caecpu_outer_tail_##R##_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, n - j); \
                for (; i < i1; i++)                                                                            \
                    caecpu_outer_tail_1_##FMA(k, a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, n - j);   \
            }                                                                                                  \
        }                                                                                                      \
    }

CAECPU_OUTER_DRIVER(caecpu_outer_generic, 1, 1, , fma_emulated)
#if defined(__x86_64__)
// AVX2: 6×16, twelve accumulators of the sixteen ymm registers.
CAECPU_OUTER_DRIVER(caecpu_outer_avx2, 6, 1, __attribute__((target("avx2,fma"))), fma_hw)
// AVX-512: 6×32, twelve zmm accumulators.
CAECPU_OUTER_DRIVER(caecpu_outer_avx512, 6, 2, __attribute__((target("avx512f,fma"))), fma_hw)
#endif

int CAECPU_gemm_small_k(size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                        float *c, size_t ldc) {
    if (m == 0 || n == 0) return 0;
    switch (caecpu_current()) {
#if defined(__x86_64__)
    case CAECPU_PATH_AVX512: caecpu_outer_avx512(m, n, k, a, lda, b, ldb, c, ldc); break;
    case CAECPU_PATH_AVX2: caecpu_outer_avx2(m, n, k, a, lda, b, ldb, c, ldc); break;
#endif
    default: caecpu_outer_generic(m, n, k, a, lda, b, ldb, c, ldc); break;
    }
    return 0;
}
