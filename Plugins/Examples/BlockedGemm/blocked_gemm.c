// A sample plugin module: a backend with a cache-blocked GEMM in plain C.
// Built from the header alone:
//
//     cc -shared -fPIC -O2 -I ../../include -o blocked-gemm.so blocked_gemm.c
//
// Each element of C is a sum over k in increasing order, whatever the block
// it falls in, so a row of C depends only on its row of op(A): the module
// claims independent rows, and `ae-filter plugins --check` tests the claim.
#include "ae_filter_plugin.h"

#include <stdio.h>
#include <stdlib.h>

enum { block_rows = 32, block_columns = 64 };

static void *blocked_create(void *context, int threads, char *error, size_t error_size) {
    (void)context;
    (void)threads;  // one thread: the filter's workers run in parallel already
    (void)error;
    (void)error_size;
    return malloc(1);
}

static void blocked_destroy(void *context, void *instance) {
    (void)context;
    free(instance);
}

static void blocked_gemm(void *instance, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                         const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    (void)instance;
    for (size_t i0 = 0; i0 < m; i0 += block_rows) {
        const size_t i1 = i0 + block_rows < m ? i0 + block_rows : m;
        for (size_t j0 = 0; j0 < n; j0 += block_columns) {
            const size_t j1 = j0 + block_columns < n ? j0 + block_columns : n;
            for (size_t i = i0; i < i1; i++) {
                for (size_t j = j0; j < j1; j++) {
                    float sum = 0;
                    for (size_t p = 0; p < k; p++) {
                        const float x = trans_a ? a[p * lda + i] : a[i * lda + p];
                        const float y = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                        sum += x * y;
                    }
                    c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
                }
            }
        }
    }
}

static const ae_filter_backend blocked = {
    "blocked", "a cache-blocked C GEMM from a sample module (slow, but rows independent)", -1, 1,
    blocked_create, blocked_destroy, blocked_gemm, NULL};

uint32_t ae_filter_plugin_abi_version(void) { return AE_FILTER_PLUGIN_ABI_VERSION; }

int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error, size_t error_size) {
    if (registrar->add_backend(registrar, &blocked) != 0) {
        snprintf(error, error_size, "the blocked backend was refused");
        return 1;
    }
    return 0;
}
