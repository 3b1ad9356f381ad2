// A sample plugin module: Poisson (shot) noise, the grain of an image made
// from few photons. Built from the header alone:
//
//     cc -shared -fPIC -O2 -I ../../include -o poisson-noise.so poisson_noise.c -lm
//
// The level is the number of photons a white pixel collects: a pixel of
// value v collects k ~ Poisson(level * v) and becomes k / level. Fewer
// photons, more noise. Every draw goes through the host's generator, so an
// image's noise is reproducible for a given --seed, as with the built-ins.
#include "ae_filter_plugin.h"

#include <math.h>
#include <stdio.h>

static unsigned poisson_sample(double mean, ae_filter_rng *rng, const ae_filter_host *host) {
    if (mean <= 0) return 0;
    if (mean > 30) {
        // A normal approximation, continuity-corrected, for large means.
        const double k = floor(mean + sqrt(mean) * host->next_normal(rng) + 0.5);
        return k < 0 ? 0 : (unsigned)k;
    }
    // Knuth: multiply uniforms until the product drops below e^-mean.
    const double limit = exp(-mean);
    double product = 1;
    unsigned k = 0;
    for (;;) {
        product *= host->next_unit_float(rng);
        if (product <= limit) return k;
        k++;
    }
}

static void poisson_apply(void *context, float level, float *pixels, size_t count, ae_filter_rng *rng,
                          const ae_filter_host *host) {
    (void)context;
    for (size_t i = 0; i < count; i++) {
        const float value = pixels[i] < 0 ? 0 : pixels[i] > 1 ? 1 : pixels[i];
        pixels[i] = (float)poisson_sample((double)level * value, rng, host) / level;
    }
}

static const ae_filter_noise_model poisson = {
    "poisson", "shot noise: each pixel counts Poisson(LEVEL * value) photons (fewer photons, more grain)",
    "photons at full brightness", 1, 100000, poisson_apply, NULL, NULL};

uint32_t ae_filter_plugin_abi_version(void) { return AE_FILTER_PLUGIN_ABI_VERSION; }

int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error, size_t error_size) {
    if (registrar->add_noise_model(registrar, &poisson) != 0) {
        snprintf(error, error_size, "the poisson noise model was refused");
        return 1;
    }
    return 0;
}
