// A module for the loader's tests, broken on purpose by one of:
// -DWRONG_ABI, -DNO_INIT, -DCLASH, -DFAILING_INIT, -DMISSING_APPLY,
// -DCRASHING_INIT (a segmentation fault in init), -DEXITING_INIT (exit(3) in
// init), -DNAN_NOISE (invert-some writes a NaN), -DNAN_BACKEND (adds the
// backend nan-gemm, whose products are NaN); without any it is a valid module
// with the noise model `invert-some` (-DOTHER_BUILD=1 builds another file
// that registers the same).
#include "ae_filter_plugin.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((unused)) static void invert_some(void *context, float level, float *pixels, size_t count, ae_filter_rng *rng,
                        const ae_filter_host *host) {
    (void)context;
    for (size_t i = 0; i < count; i++) {
        if (host->next_unit_float(rng) < level) pixels[i] = 1 - pixels[i];
    }
#if defined(OTHER_BUILD)
    if (count > 1 && level > 2) pixels[0] = 0;
#endif
#if defined(NAN_NOISE)
    if (count > 0) pixels[count / 2] = NAN;
#endif
}

#if defined(NAN_BACKEND)
static void *nan_create(void *context, int threads, char *error, size_t error_size) {
    (void)context, (void)threads, (void)error, (void)error_size;
    return (void *)1;
}

static void nan_destroy(void *context, void *instance) { (void)context, (void)instance; }

static void nan_gemm(void *instance, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                     const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc) {
    (void)instance, (void)trans_a, (void)trans_b, (void)k, (void)alpha, (void)a, (void)lda, (void)b, (void)ldb;
    (void)beta;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) c[i * ldc + j] = NAN;
}

static const ae_filter_backend nan_backend = {
    "nan-gemm", "every product is NaN", 100, 1, nan_create, nan_destroy, nan_gemm, NULL};
#endif

__attribute__((unused)) static const ae_filter_noise_model model = {
#if defined(CLASH)
    "dropout",
#else
    "invert-some",
#endif
    "invert each pixel with probability P", "probability", 0, 1,
#if defined(MISSING_APPLY)
    NULL,
#else
    invert_some,
#endif
    NULL, NULL};

uint32_t ae_filter_plugin_abi_version(void) {
#if defined(WRONG_ABI)
    return 99;
#else
    return AE_FILTER_PLUGIN_ABI_VERSION;
#endif
}

#if !defined(NO_INIT)
int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error, size_t error_size) {
#if defined(FAILING_INIT)
    (void)registrar;
    snprintf(error, error_size, "no device");
    return 1;
#elif defined(CRASHING_INIT)
    (void)registrar, (void)error, (void)error_size;
    raise(SIGSEGV);
    return 1;
#elif defined(EXITING_INIT)
    (void)registrar, (void)error, (void)error_size;
    exit(3);
#elif defined(NAN_BACKEND)
    (void)error, (void)error_size;
    return registrar->add_backend(registrar, &nan_backend);
#else
    (void)error;
    (void)error_size;
    return registrar->add_noise_model(registrar, &model);
#endif
}
#endif
