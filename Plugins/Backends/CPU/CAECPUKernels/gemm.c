#include "CAECPUKernels.h"

#include "CAENumerics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

__attribute__((always_inline)) static inline float caecpu_reduce(caecpu_v16 l) {
    caecpu_v8 t8 = l.lo + l.hi;
    caecpu_v4 t4 = t8.lo + t8.hi;
    caecpu_v2 t2 = t4.lo + t4.hi;
    return t2.x + t2.y;
}

__attribute__((always_inline)) static inline void caecpu_store(float *c, float sum, float alpha, float beta) {
    *c = beta == 0 ? alpha * sum : alpha * sum + beta * *c;
}

// An R×C tile of C: rows of op(A) `lda` apart and columns of op(B) `ldb`
// apart, both contiguous in k; FMA is caecpu_fma_hw or caecpu_fma_emulated.
#define CAECPU_TILE(R, C, FMA)                                                                                   \
    __attribute__((always_inline)) static inline void caecpu_tile_##R##x##C##_##FMA(                             \
        size_t k, const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, float alpha,    \
        float beta) {                                                                                           \
        caecpu_v16 acc[R][C];                                                                                   \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                          \
            _Pragma("clang loop unroll(full)") for (int s = 0; s < C; s++) acc[r][s] = 0;                       \
        size_t p = 0;                                                                                           \
        for (; p + 16 <= k; p += 16) {                                                                          \
            caecpu_v16 av[R], bv[C];                                                                            \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) av[r] = caecpu_load(a + r * lda + p); \
            _Pragma("clang loop unroll(full)") for (int s = 0; s < C; s++) bv[s] = caecpu_load(b + s * ldb + p); \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                      \
                _Pragma("clang loop unroll(full)") for (int s = 0; s < C; s++) acc[r][s] =                      \
                    caecpu_##FMA(av[r], bv[s], acc[r][s]);                                                      \
        }                                                                                                       \
        if (p < k) {                                                                                            \
            caecpu_v16 av[R], bv[C];                                                                            \
            for (int r = 0; r < R; r++) av[r] = caecpu_load_tail(a + r * lda + p, k - p);                       \
            for (int s = 0; s < C; s++) bv[s] = caecpu_load_tail(b + s * ldb + p, k - p);                       \
            for (int r = 0; r < R; r++)                                                                         \
                for (int s = 0; s < C; s++) acc[r][s] = caecpu_##FMA(av[r], bv[s], acc[r][s]);                  \
        }                                                                                                       \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                          \
            _Pragma("clang loop unroll(full)") for (int s = 0; s < C; s++)                                      \
                caecpu_store(c + r * ldc + s, caecpu_reduce(acc[r][s]), alpha, beta);                           \
    }

// The tiles the paths use, and the 1-row and 1-column tiles for the edges.
CAECPU_TILE(1, 1, fma_emulated)
CAECPU_TILE(1, 2, fma_emulated)
CAECPU_TILE(2, 1, fma_emulated)
CAECPU_TILE(1, 1, fma_hw)
CAECPU_TILE(1, 2, fma_hw)
CAECPU_TILE(2, 1, fma_hw)
CAECPU_TILE(2, 2, fma_hw)
CAECPU_TILE(1, 4, fma_hw)
CAECPU_TILE(2, 4, fma_hw)

// Rows of op(A) and columns of op(B), both contiguous in k. Row tiles of R,
// column tiles of C, blocks of `rows_per_block` rows kept in cache while
// every column tile passes over them.
#define CAECPU_DRIVER(NAME, R, C, TARGET, FMA)                                                                       \
    TARGET static void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,             \
                            const float *b, size_t ldb, float beta, float *c, size_t ldc) {                     \
        const size_t rows_per_block = 32;                                                                       \
        for (size_t i0 = 0; i0 < m; i0 += rows_per_block) {                                                     \
            const size_t i1 = i0 + rows_per_block < m ? i0 + rows_per_block : m;                                \
            size_t j = 0;                                                                                       \
            for (; j + C <= n; j += C) {                                                                        \
                size_t i = i0;                                                                                  \
                for (; i + R <= i1; i += R)                                                                     \
                    caecpu_tile_##R##x##C##_##FMA(k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc, alpha, beta); \
                for (; i < i1; i++)                                                                             \
                    caecpu_tile_1x##C##_##FMA(k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc, alpha, beta); \
            }                                                                                                   \
            for (; j < n; j++) {                                                                                \
                size_t i = i0;                                                                                  \
                for (; i + R <= i1; i += R)                                                                     \
                    caecpu_tile_##R##x1_##FMA(k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc, alpha, beta); \
                for (; i < i1; i++)                                                                             \
                    caecpu_tile_1x1_##FMA(k, a + i * lda, lda, b + j * ldb, ldb, c + i * ldc + j, ldc, alpha, beta);  \
            }                                                                                                   \
        }                                                                                                       \
    }

CAECPU_DRIVER(caecpu_generic, 1, 2, , fma_emulated)
#if defined(__x86_64__)
CAECPU_DRIVER(caecpu_avx2, 2, 2, __attribute__((target("avx2,fma"))), fma_hw)
CAECPU_DRIVER(caecpu_avx512, 2, 4, __attribute__((target("avx512f,fma"))), fma_hw)
#endif

// The same tiles over B given in half precision: each C-wide tile of B's
// rows is widened (exactly) into `scratch` once, then meets every row of A,
// block by block. Each element gets the tile operations of CAECPU_DRIVER.
#define CAECPU_HALF_DRIVER(NAME, R, C, TARGET, FMA, WIDEN)                                                           \
    TARGET static void NAME(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,             \
                            const unsigned char *b, size_t ldb, float beta, float *c, size_t ldc, float *scratch) { \
        const size_t rows_per_block = 32;                                                                       \
        size_t j = 0;                                                                                           \
        for (; j + C <= n; j += C) {                                                                            \
            for (int s = 0; s < C; s++) WIDEN(b + 2 * (j + s) * ldb, scratch + s * k, k);                       \
            for (size_t i0 = 0; i0 < m; i0 += rows_per_block) {                                                 \
                const size_t i1 = i0 + rows_per_block < m ? i0 + rows_per_block : m;                            \
                size_t i = i0;                                                                                  \
                for (; i + R <= i1; i += R)                                                                     \
                    caecpu_tile_##R##x##C##_##FMA(k, a + i * lda, lda, scratch, k, c + i * ldc + j, ldc, alpha, beta);  \
                for (; i < i1; i++)                                                                             \
                    caecpu_tile_1x##C##_##FMA(k, a + i * lda, lda, scratch, k, c + i * ldc + j, ldc, alpha, beta);      \
            }                                                                                                   \
        }                                                                                                       \
        for (; j < n; j++) {                                                                                    \
            WIDEN(b + 2 * j * ldb, scratch, k);                                                                 \
            for (size_t i0 = 0; i0 < m; i0 += rows_per_block) {                                                 \
                const size_t i1 = i0 + rows_per_block < m ? i0 + rows_per_block : m;                            \
                size_t i = i0;                                                                                  \
                for (; i + R <= i1; i += R)                                                                     \
                    caecpu_tile_##R##x1_##FMA(k, a + i * lda, lda, scratch, k, c + i * ldc + j, ldc, alpha, beta);    \
                for (; i < i1; i++)                                                                             \
                    caecpu_tile_1x1_##FMA(k, a + i * lda, lda, scratch, k, c + i * ldc + j, ldc, alpha, beta);        \
            }                                                                                                   \
        }                                                                                                       \
    }

// Widening is exact, so CAENumerics' converter (F16C where the CPU has it)
// gives every path the same values.
static void caecpu_widen(const unsigned char *src, float *dst, size_t count) {
    CAENumerics_half_to_float(src, dst, count);
}

CAECPU_HALF_DRIVER(caecpu_half_generic, 1, 2, , fma_emulated, caecpu_widen)
#if defined(__x86_64__)
CAECPU_HALF_DRIVER(caecpu_half_avx2, 2, 2, __attribute__((target("avx2,fma"))), fma_hw, caecpu_widen)
CAECPU_HALF_DRIVER(caecpu_half_avx512, 2, 4, __attribute__((target("avx512f,fma"))), fma_hw, caecpu_widen)
#endif

typedef void (*caecpu_driver)(size_t, size_t, size_t, float, const float *, size_t, const float *, size_t, float,
                              float *, size_t);

static int caecpu_path = -1;

static int caecpu_supported(int path) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    switch (path) {
    case CAECPU_PATH_GENERIC: return 1;
    case CAECPU_PATH_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CAECPU_PATH_AVX512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    default: return 0;
    }
#else
    return path == CAECPU_PATH_GENERIC;
#endif
}

static int caecpu_best(void) {
    if (caecpu_supported(CAECPU_PATH_AVX512)) return CAECPU_PATH_AVX512;
    if (caecpu_supported(CAECPU_PATH_AVX2)) return CAECPU_PATH_AVX2;
    return CAECPU_PATH_GENERIC;
}

int CAECPU_set_path(int path) {
    if (path == CAECPU_PATH_AUTO) path = caecpu_best();
    if (!caecpu_supported(path)) return -1;
    __atomic_store_n(&caecpu_path, path, __ATOMIC_RELAXED);
    return 0;
}

int caecpu_current(void) {
    int path = __atomic_load_n(&caecpu_path, __ATOMIC_RELAXED);
    if (path >= 0) return path;
    path = caecpu_best();
    const char *wanted = getenv("AE_FILTER_CPU_PATH");
    if (wanted != NULL) {
        int forced = strcmp(wanted, "generic") == 0 ? CAECPU_PATH_GENERIC
                     : strcmp(wanted, "avx2") == 0  ? CAECPU_PATH_AVX2
                     : strcmp(wanted, "avx512") == 0 ? CAECPU_PATH_AVX512
                                                     : -1;
        if (forced > 0 && caecpu_supported(forced)) path = forced;
    }
    __atomic_store_n(&caecpu_path, path, __ATOMIC_RELAXED);
    return path;
}

const char *CAECPU_path_name(void) {
    switch (caecpu_current()) {
    case CAECPU_PATH_AVX512: return "avx512";
    case CAECPU_PATH_AVX2: return "avx2";
    default: return "generic";
    }
}

// A transposed copy: `rows`×`columns` from a matrix whose rows are `ld` apart.
static float *caecpu_transpose(const float *x, size_t ld, size_t rows, size_t columns) {
    float *t = malloc((rows * columns > 0 ? rows * columns : 1) * sizeof(float));
    if (t == NULL) return NULL;
    for (size_t r = 0; r < rows; r++)
        for (size_t s = 0; s < columns; s++) t[s * rows + r] = x[r * ld + s];
    return t;
}

// A copy of `rows` rows of `count` (< 16) floats, `ld` apart, as rows of
// 16 with zeros after: the tiles then take one full step instead of the
// tail, whose partial loads cost more than its products. The zeros give
// each lane the value the tail's load gives it, so every result is the same.
static float *caecpu_pad(const float *x, size_t ld, size_t rows, size_t count) {
    float *padded = calloc(rows * 16, sizeof(float));
    if (padded == NULL) return NULL;
    for (size_t r = 0; r < rows; r++) memcpy(padded + r * 16, x + r * ld, count * sizeof(float));
    return padded;
}

static caecpu_driver caecpu_current_driver(void) {
#if defined(__x86_64__)
    switch (caecpu_current()) {
    case CAECPU_PATH_AVX512: return caecpu_avx512;
    case CAECPU_PATH_AVX2: return caecpu_avx2;
    default: break;
    }
#endif
    return caecpu_generic;
}

int CAECPU_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    if (m == 0 || n == 0) return 0;
    // Both operands as rows contiguous in k: op(A) row by row, op(B) column by column.
    float *at = NULL, *bt = NULL;
    if (trans_a && k > 0) {
        if ((at = caecpu_transpose(a, lda, k, m)) == NULL) return -1;
        a = at;
        lda = k;
    }
    if (!trans_b && k > 0) {
        if ((bt = caecpu_transpose(b, ldb, k, n)) == NULL) {
            free(at);
            return -1;
        }
        b = bt;
        ldb = k;
    }
    float *ap = NULL, *bp = NULL;
    if (k > 0 && k < 16) {
        ap = caecpu_pad(a, lda, m, k);
        bp = caecpu_pad(b, ldb, n, k);
        if (ap == NULL || bp == NULL) {
            free(ap);
            free(bp);
            free(at);
            free(bt);
            return -1;
        }
        a = ap;
        b = bp;
        lda = ldb = k = 16;
    }
    caecpu_current_driver()(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    free(ap);
    free(bp);
    free(at);
    free(bt);
    return 0;
}

int CAECPU_gemm_half(size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda, const void *b,
                     size_t ldb, float beta, float *c, size_t ldc) {
    if (m == 0 || n == 0) return 0;
    if (k > 0 && k < 16) {
        // Padded anyway (see caecpu_pad): widen B whole, then the float multiply.
        float *widened = malloc(n * k * sizeof(float));
        if (widened == NULL) return -1;
        for (size_t j = 0; j < n; j++) caecpu_widen((const unsigned char *)b + 2 * j * ldb, widened + j * k, k);
        int status = CAECPU_gemm(0, 1, m, n, k, alpha, a, lda, widened, k, beta, c, ldc);
        free(widened);
        return status;
    }
    // Four widened rows of B, the widest column tile.
    float *scratch = malloc((k > 0 ? 4 * k : 1) * sizeof(float));
    if (scratch == NULL) return -1;
    switch (caecpu_current()) {
#if defined(__x86_64__)
    case CAECPU_PATH_AVX512: caecpu_half_avx512(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch); break;
    case CAECPU_PATH_AVX2: caecpu_half_avx2(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch); break;
#endif
    default: caecpu_half_generic(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, scratch); break;
    }
    free(scratch);
    return 0;
}
