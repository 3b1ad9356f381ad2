#include "CAEAdam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)

typedef float caeadam_v8 __attribute__((ext_vector_type(8)));

// The loop, inlined into one build for any x86-64 and one for AVX2 below.
__attribute__((always_inline)) static inline void caeadam_adam(float *p, float *g, float *exp_avg, float *exp_avg_sq,
                                                                  size_t count, float beta1, float beta2, float epsilon,
                                                                  float step_size, float correction2_root, int clear) {
    const float b1c = 1 - beta1, b2c = 1 - beta2;
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        caeadam_v8 gv, mv, vv, pv;
        memcpy(&gv, g + i, sizeof gv);
        memcpy(&mv, exp_avg + i, sizeof mv);
        memcpy(&vv, exp_avg_sq + i, sizeof vv);
        memcpy(&pv, p + i, sizeof pv);
        mv = mv + b1c * (gv - mv);
        vv = beta2 * vv + b2c * gv * gv;
        pv = pv - step_size * mv / (__builtin_elementwise_sqrt(vv) / correction2_root + epsilon);
        memcpy(exp_avg + i, &mv, sizeof mv);
        memcpy(exp_avg_sq + i, &vv, sizeof vv);
        memcpy(p + i, &pv, sizeof pv);
        if (clear) memset(g + i, 0, sizeof gv);
    }
    for (; i < count; i++) {
        const float gi = g[i];
        exp_avg[i] = exp_avg[i] + b1c * (gi - exp_avg[i]);
        exp_avg_sq[i] = beta2 * exp_avg_sq[i] + b2c * gi * gi;
        p[i] -= step_size * exp_avg[i] / (sqrtf(exp_avg_sq[i]) / correction2_root + epsilon);
        if (clear) g[i] = 0;
    }
}

#if defined(__x86_64__)
// Picked per call rather than with target_clones: an ifunc resolver runs
// before the sanitizer runtimes start, and crashes under TSan. Neither build
// fuses a multiply and an add, so both give the same bits.
__attribute__((target("avx2"))) static void caeadam_adam_avx2(float *p, float *g, float *exp_avg, float *exp_avg_sq,
                                                                 size_t count, float beta1, float beta2, float epsilon,
                                                                 float step_size, float correction2_root, int clear) {
    caeadam_adam(p, g, exp_avg, exp_avg_sq, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}
#endif

void CAEAdam_step(float *p, float *g, float *exp_avg, float *exp_avg_sq, size_t count, float beta1, float beta2,
                     float epsilon, float step_size, float correction2_root, int clear) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        caeadam_adam_avx2(p, g, exp_avg, exp_avg_sq, count, beta1, beta2, epsilon, step_size, correction2_root,
                             clear);
        return;
    }
#endif
    caeadam_adam(p, g, exp_avg, exp_avg_sq, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}

void CAEAdam_step_baseline(float *p, float *g, float *exp_avg, float *exp_avg_sq, size_t count, float beta1,
                              float beta2, float epsilon, float step_size, float correction2_root, int clear) {
    caeadam_adam(p, g, exp_avg, exp_avg_sq, count, beta1, beta2, epsilon, step_size, correction2_root, clear);
}
