// A thin shim over OpenBLAS's CBLAS interface. Plain C types only.
#ifndef CAEOPENBLAS_H
#define CAEOPENBLAS_H

/// Row-major C = alpha * op(A) * op(B) + beta * C, where op transposes when the flag is non-zero.
void CAEOpenBLAS_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// Sets the number of OpenBLAS worker threads (process-wide).
void CAEOpenBLAS_set_threads(int threads);

/// The OpenBLAS build configuration string, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...".
const char *CAEOpenBLAS_config(void);

#endif
