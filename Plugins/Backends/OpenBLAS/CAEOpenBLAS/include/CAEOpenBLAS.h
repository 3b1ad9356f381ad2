// A thin shim over OpenBLAS's CBLAS interface, loaded on first use with dlopen
// so that processes which never multiply with it pay nothing for its threads.
// Plain C types only.
#ifndef CAEOPENBLAS_H
#define CAEOPENBLAS_H

#include <stddef.h>

/// Loads OpenBLAS once per process. Returns 0 on success; otherwise non-zero
/// with the reason in `message`.
int CAEOpenBLAS_load(char *message, size_t message_size);

/// Row-major C = alpha * op(A) * op(B) + beta * C, where op transposes when the
/// flag is non-zero. Only after a successful CAEOpenBLAS_load.
void CAEOpenBLAS_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// Sets the number of OpenBLAS worker threads (process-wide).
void CAEOpenBLAS_set_threads(int threads);

/// The OpenBLAS build configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ...".
const char *CAEOpenBLAS_config(void);

#endif
