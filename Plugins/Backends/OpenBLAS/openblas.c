// The `blas` backend as a plugin module: OpenBLAS's cblas_sgemm, loaded with
// dlopen when the first backend is made, so processes that never use it pay
// nothing for its threads. It registers through ae_filter_plugin.h alone.
//
// OpenBLAS is fast, but its rounding depends on each call's shape and on the
// CPU's kernels, so it does not claim independent rows: `auto` uses it for
// training, never for the filter. It keeps one thread count for the whole
// process; the last backend made sets it.
#include "ae_filter_plugin.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { aefilter_openblas_row_major = 101, aefilter_openblas_no_trans = 111, aefilter_openblas_trans = 112 };

typedef void (*aefilter_openblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                                           int, float, float *, int);
static aefilter_openblas_sgemm_fn aefilter_openblas_sgemm;
static void (*aefilter_openblas_set_threads)(int);
static char aefilter_openblas_error[256];
static pthread_once_t aefilter_openblas_once = PTHREAD_ONCE_INIT;

static void aefilter_openblas_open(void) {
    // OpenBLAS workers spin for 2^28 cycles after each call by default, which
    // starves the work between multiplies on a small machine.
    setenv("OPENBLAS_THREAD_TIMEOUT", "12", 0);
    static const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(aefilter_openblas_error, sizeof(aefilter_openblas_error),
                 "cannot load OpenBLAS (%s); install libopenblas0", reason ? reason : "not found");
        return;
    }
    aefilter_openblas_sgemm = (aefilter_openblas_sgemm_fn)dlsym(library, "cblas_sgemm");
    aefilter_openblas_set_threads = (void (*)(int))dlsym(library, "openblas_set_num_threads");
    if (aefilter_openblas_sgemm == NULL || aefilter_openblas_set_threads == NULL) {
        aefilter_openblas_sgemm = NULL;
        snprintf(aefilter_openblas_error, sizeof(aefilter_openblas_error),
                 "the loaded OpenBLAS lacks cblas_sgemm or openblas_set_num_threads");
    }
}

static void *aefilter_openblas_create(void *context, int threads, char *error, size_t error_size) {
    (void)context;
    pthread_once(&aefilter_openblas_once, aefilter_openblas_open);
    if (aefilter_openblas_sgemm == NULL) {
        snprintf(error, error_size, "%s", aefilter_openblas_error);
        return NULL;
    }
    aefilter_openblas_set_threads(threads > 0 ? threads : 1);
    // Nothing per instance: any non-NULL pointer will do.
    return (void *)&aefilter_openblas_sgemm;
}

static void aefilter_openblas_destroy(void *context, void *instance) {
    (void)context;
    (void)instance;
}

static void aefilter_openblas_gemm(void *instance, int trans_a, int trans_b, size_t m, size_t n, size_t k,
                                   float alpha, const float *a, size_t lda, const float *b, size_t ldb, float beta,
                                   float *c, size_t ldc) {
    (void)instance;
    if (m == 0 || n == 0) return;
    // CBLAS rejects leading dimensions of 0, which an empty k allows.
    aefilter_openblas_sgemm(aefilter_openblas_row_major, trans_a ? aefilter_openblas_trans : aefilter_openblas_no_trans,
                            trans_b ? aefilter_openblas_trans : aefilter_openblas_no_trans, (int)m, (int)n, (int)k,
                            alpha, a, lda > 0 ? (int)lda : 1, b, ldb > 0 ? (int)ldb : 1, beta, c, (int)ldc);
}

static const ae_filter_backend aefilter_openblas_backend = {
    "blas", "OpenBLAS cblas_sgemm (a module), loaded on first use; the fastest for training", 10, 0,
    aefilter_openblas_create, aefilter_openblas_destroy, aefilter_openblas_gemm, NULL};

uint32_t ae_filter_plugin_abi_version(void) { return AE_FILTER_PLUGIN_ABI_VERSION; }

int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error, size_t error_size) {
    if (registrar->add_backend(registrar, &aefilter_openblas_backend) != 0) {
        snprintf(error, error_size, "the blas backend was refused");
        return 1;
    }
    return 0;
}
