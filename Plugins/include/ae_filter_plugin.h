/*
 * ae_filter_plugin.h: the whole contract between ae-filter and a plugin
 * module. Plain C99 (plus the GCC/Clang visibility attribute below), so a
 * module can be written in C, C++, Rust or Swift (@_cdecl). Build one with
 * nothing but this header:
 *
 *     cc -shared -fPIC -O2 -I DIR_OF_THIS_HEADER -o my-plugin.so my-plugin.c
 *
 * and install it where ae-filter looks: a folder on AE_FILTER_PLUGIN_PATH
 * (colon-separated), PREFIX/lib/ae-filter/plugins beside the installed
 * binary, or name it with --plugin FILE. `ae-filter plugins` lists what was
 * loaded; `ae-filter plugins --check FILE` runs the conformance checks the
 * built-in plugins pass. A module is never loaded from the current
 * directory, nor from a file or folder that other users can write to.
 *
 * A module exports two functions:
 *
 *     uint32_t ae_filter_plugin_abi_version(void);
 *         returns AE_FILTER_PLUGIN_ABI_VERSION, the version it was built for;
 *         ae-filter skips a module of another version.
 *
 *     int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error, size_t error_size);
 *         registers the module's plugins through the registrar and returns 0;
 *         or writes a reason into `error` and returns non-zero. `error` holds
 *         `error_size` bytes, the terminating NUL included (snprintf fits).
 *         When a registration is refused, return non-zero: ae-filter
 *         reports its own reason for the refusal, so `error` may stay empty.
 *         `registrar->abi_version` is the host's version, for a module that
 *         can serve several.
 *
 * A module that is skipped (wrong version, missing function, a plugin whose
 * name clashes with another, a failing init, a descriptor missing a
 * function) costs one line on standard error; the run goes on without it.
 * Descriptors, strings and contexts must stay valid for the life of the
 * process: modules are never unloaded.
 */
#ifndef AE_FILTER_PLUGIN_H
#define AE_FILTER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AE_FILTER_PLUGIN_ABI_VERSION 1u

/* ---------------------------------------------------------------- random */

/*
 * One image's random generator: xoshiro256** (seeded by ae-filter through
 * SplitMix64 from --seed and the image's identity). Draw only through the
 * host's functions below, so that a given image gets the same noise however
 * the input is split, ordered or batched, exactly as with the built-ins.
 */
typedef struct ae_filter_rng {
    uint64_t state[4];
} ae_filter_rng;

/* What ae-filter provides to modules. */
typedef struct ae_filter_host {
    /* The next 64 random bits. */
    uint64_t (*next_u64)(ae_filter_rng *rng);
    /* A uniform float in [0, 1) from the top 24 bits of next_u64. */
    float (*next_unit_float)(ae_filter_rng *rng);
    /* A standard normal float (Box–Muller over two fresh draws each call;
     * nothing is cached between calls). */
    float (*next_normal)(ae_filter_rng *rng);
} ae_filter_host;

/* ----------------------------------------------------------- noise models */

/*
 * A noise model corrupts one 28x28 image in place: `count` (784) floats in
 * [0, 1], 0 the background, row-major. It is selected with
 * `--noise-model NAME` and made for one level (`--noise P`).
 */
typedef struct ae_filter_noise_model {
    /* The name users give --noise-model: lowercase letters, digits and '-'. */
    const char *name;
    /* One line for `ae-filter plugins` and --help. */
    const char *summary;
    /* What the level is: a singular noun phrase without an article, shown as
     * "needs a <meaning> from MIN to MAX", e.g. "probability" or
     * "standard deviation". */
    const char *level_meaning;
    /* The levels accepted, inclusive and finite; others are refused with a
     * message. FLT_MAX as level_max means no upper limit. */
    float level_min, level_max;
    /* Required. Corrupts `pixels` at `level`, drawing only from `rng`. The
     * same rng state must give the same result (draw nothing else), and a
     * level of 0, when accepted, must leave the image unchanged. May leave
     * [0, 1] (the tutorial's dropout does); must stay finite. Called from
     * several threads at once, each with its own image and rng. */
    void (*apply)(void *context, float level, float *pixels, size_t count, ae_filter_rng *rng,
                  const ae_filter_host *host);
    /* Optional (NULL: clamp to [0, 1]). Turns corrupted pixels into what the
     * damaged image looks like to a person, in [0, 1]: what --emit noisy and
     * the noisy panel of --emit triptych show, and the input of eval's
     * baselines. */
    void (*appearance)(void *context, float level, float *pixels, size_t count);
    /* Passed back to the functions above. */
    void *context;
} ae_filter_noise_model;

/* ---------------------------------------------------------------- backends */

/*
 * A backend computes single-precision matrix products for the model:
 * row-major C = alpha * op(A) * op(B) + beta * C, where op(X) is X, or its
 * transpose when the flag is non-zero; op(A) is m x k, op(B) k x n, C m x n.
 * lda, ldb and ldc may exceed the row length; columns of C beyond n are never
 * written. With beta == 0, C is only written (it may hold NaN); k may be 0.
 * One instance is called from several threads at once, and the same call
 * must always give the same bits.
 */
typedef struct ae_filter_backend {
    /* The name users give --backend. */
    const char *name;
    /* One line for `ae-filter plugins`. */
    const char *summary;
    /* `auto` prefers higher priorities (the built-in `cpu` has 0). */
    int priority;
    /* Non-zero claims that each row of C depends only on its row of op(A),
     * op(B), alpha and beta: not on m, the other rows, the row's position or
     * the thread count. Only such a backend serves the filter under `auto`;
     * `plugins --check` tests the claim. */
    int rows_are_independent;
    /* Required. Makes an instance using `threads` threads, or returns NULL
     * with a reason in `error`. */
    void *(*create)(void *context, int threads, char *error, size_t error_size);
    /* Required. Frees an instance. */
    void (*destroy)(void *context, void *instance);
    /* Required. The product; see above. */
    void (*gemm)(void *instance, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                 const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc);
    /* Passed to create and destroy. */
    void *context;
} ae_filter_backend;

/* ---------------------------------------------------------------- modules */

/* Given to ae_filter_plugin_init: the host's version and functions, and the
 * calls that register plugins. Each returns 0, or non-zero when the
 * descriptor is refused (then the whole module is skipped). */
typedef struct ae_filter_registrar {
    uint32_t abi_version;
    const ae_filter_host *host;
    int (*add_noise_model)(const struct ae_filter_registrar *self, const ae_filter_noise_model *model);
    int (*add_backend)(const struct ae_filter_registrar *self, const ae_filter_backend *backend);
    void *host_data;
} ae_filter_registrar;

#define AE_FILTER_PLUGIN_EXPORT __attribute__((visibility("default")))

AE_FILTER_PLUGIN_EXPORT uint32_t ae_filter_plugin_abi_version(void);
AE_FILTER_PLUGIN_EXPORT int ae_filter_plugin_init(const ae_filter_registrar *registrar, char *error,
                                                  size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* AE_FILTER_PLUGIN_H */
