#include "CAEOpenBLAS.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __typeof__(cblas_sgemm) *caeopenblas_sgemm;
static __typeof__(openblas_set_num_threads) *caeopenblas_set_threads;
static __typeof__(openblas_get_config) *caeopenblas_get_config;
static char caeopenblas_error[256];
static pthread_once_t caeopenblas_once = PTHREAD_ONCE_INIT;

static void caeopenblas_open(void) {
    // OpenBLAS workers spin for 2^28 cycles after each call by default, which
    // starves the Swift code running between multiplies on a small machine.
    setenv("OPENBLAS_THREAD_TIMEOUT", "12", 0);
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(caeopenblas_error, sizeof(caeopenblas_error), "cannot load OpenBLAS (%s); install libopenblas0",
                 reason ? reason : "not found");
        return;
    }
    caeopenblas_sgemm = (__typeof__(cblas_sgemm) *)dlsym(library, "cblas_sgemm");
    caeopenblas_set_threads = (__typeof__(openblas_set_num_threads) *)dlsym(library, "openblas_set_num_threads");
    caeopenblas_get_config = (__typeof__(openblas_get_config) *)dlsym(library, "openblas_get_config");
    if (!caeopenblas_sgemm || !caeopenblas_set_threads || !caeopenblas_get_config) {
        caeopenblas_sgemm = NULL;
        snprintf(caeopenblas_error, sizeof(caeopenblas_error), "the loaded OpenBLAS lacks cblas_sgemm or its thread controls");
    }
}

int CAEOpenBLAS_load(char *message, size_t message_size) {
    pthread_once(&caeopenblas_once, caeopenblas_open);
    if (caeopenblas_sgemm != NULL) return 0;
    if (message != NULL && message_size > 0) {
        strncpy(message, caeopenblas_error, message_size - 1);
        message[message_size - 1] = '\0';
    }
    return 1;
}

void CAEOpenBLAS_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
                       const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    caeopenblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                      m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void CAEOpenBLAS_set_threads(int threads) { caeopenblas_set_threads(threads); }

const char *CAEOpenBLAS_config(void) { return caeopenblas_get_config(); }
