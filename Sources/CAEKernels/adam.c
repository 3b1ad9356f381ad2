#include "CAEKernels.h"

#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

typedef float caekernels_v8 __attribute__((ext_vector_type(8)));

// The loop, inlined into one build for any x86-64 and one for AVX2 below.
__attribute__((always_inline)) static inline void caekernels_adam(float *p, float *g, float *m, float *v, size_t count,
                                                                  float beta1, float beta2, float epsilon, float step_size,
                                                                  float correction2_root, int clear) {
    const float b1c = 1 - beta1, b2c = 1 - beta2;
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        caekernels_v8 gv, mv, vv, pv;
        memcpy(&gv, g + i, sizeof gv);
        memcpy(&mv, m + i, sizeof mv);
        memcpy(&vv, v + i, sizeof vv);
        memcpy(&pv, p + i, sizeof pv);
        mv = mv + b1c * (gv - mv);
        vv = beta2 * vv + b2c * gv * gv;
        pv = pv - step_size * mv / (__builtin_elementwise_sqrt(vv) / correction2_root + epsilon);
        memcpy(m + i, &mv, sizeof mv);
        memcpy(v + i, &vv, sizeof vv);
        memcpy(p + i, &pv, sizeof pv);
        if (clear) memset(g + i, 0, sizeof gv);
    }
    for (; i < count; i++) {
        const float gi = g[i];
        m[i] = m[i] + b1c * (gi - m[i]);
        v[i] = beta2 * v[i] + b2c * gi * gi;
        p[i] -= step_size * m[i] / (sqrtf(v[i]) / correction2_root + epsilon);
        if (clear) g[i] = 0;
    }
}

#if defined(__x86_64__)
// Picked per call rather than with target_clones: an ifunc resolver runs
// before the sanitizer runtimes start, and crashes under TSan. Neither build
// fuses a multiply and an add, so both give the same bits.
__attribute__((target("avx2"))) static void caekernels_adam_avx2(float *p, float *g, float *m, float *v, size_t count,
                                                                 float beta1, float beta2, float epsilon, float step_size,
                                                                 float correction2_root, int clear) {
    caekernels_adam(p, g, m, v, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}
#endif

void CAEKernels_adam(float *p, float *g, float *m, float *v, size_t count,
                     float beta1, float beta2, float epsilon, float step_size,
                     float correction2_root, int clear) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        caekernels_adam_avx2(p, g, m, v, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
        return;
    }
#endif
    caekernels_adam(p, g, m, v, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}

void CAEKernels_adam_baseline(float *p, float *g, float *m, float *v, size_t count,
                              float beta1, float beta2, float epsilon, float step_size,
                              float correction2_root, int clear) {
    caekernels_adam(p, g, m, v, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}
