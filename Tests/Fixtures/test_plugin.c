// A module for the loader's tests, broken on purpose by one of:
// -DWRONG_ABI, -DNO_INIT, -DCLASH, -DFAILING_INIT, -DMISSING_APPLY; without
// any it is a valid module with the noise model `invert-some`.
#include "ae_filter_plugin.h"

#include <stdio.h>

__attribute__((unused)) static void invert_some(void *context, float level, float *pixels, size_t count, ae_filter_rng *rng,
                        const ae_filter_host *host) {
    (void)context;
    for (size_t i = 0; i < count; i++) {
        if (host->next_unit_float(rng) < level) pixels[i] = 1 - pixels[i];
    }
}

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
#else
    (void)error;
    (void)error_size;
    return registrar->add_noise_model(registrar, &model);
#endif
}
#endif
