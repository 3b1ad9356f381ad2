// Adam's update loop in C: Swift cannot vectorize it, as its
// Float.squareRoot() keeps errno semantics and a loop around it stays scalar.
#ifndef CAEADAM_H
#define CAEADAM_H

#include <stddef.h>

/// One Adam step over `count` elements, with PyTorch's operation order and
/// names (`exp_avg`, `exp_avg_sq`: the running averages of g and g²):
///
///     exp_avg += (1 - beta1)(g - exp_avg);  exp_avg_sq = beta2·exp_avg_sq + (1 - beta2)·g·g
///     p -= step_size · exp_avg / (√exp_avg_sq / correction2_root + epsilon)
///
/// With `clear`, each gradient is zeroed once read. No operation is fused,
/// so every CPU gives the same bits as the scalar formula.
void CAEAdam_step(float *p, float *g, float *exp_avg, float *exp_avg_sq, size_t count,
                     float beta1, float beta2, float epsilon, float step_size,
                     float correction2_root, int clear);

/// The same loop built for any x86-64, never AVX2: tests check that the
/// two builds agree bit for bit.
void CAEAdam_step_baseline(float *p, float *g, float *exp_avg, float *exp_avg_sq, size_t count,
                              float beta1, float beta2, float epsilon, float step_size,
                              float correction2_root, int clear);

#endif
