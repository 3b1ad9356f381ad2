// Whole-array conversions and checks, vectorized where the CPU allows.
#ifndef CAENUMERICS_H
#define CAENUMERICS_H

#include <stddef.h>
#include <stdint.h>

/// Converts `count` IEEE half-precision values (little-endian, unaligned)
/// to floats, exactly; F16C instructions when the CPU has them.
void CAENumerics_half_to_float(const void *halves, float *out, size_t count);

/// The same without F16C, whatever the CPU (for tests of both paths).
void CAENumerics_half_to_float_portable(const void *halves, float *out, size_t count);

/// 1 if none of the `count` floats is NaN or infinite, else 0.
int CAENumerics_all_finite(const float *values, size_t count);

/// 1 if none of the `count` half-precision values (unaligned) is NaN or infinite, else 0.
int CAENumerics_all_finite_half(const void *halves, size_t count);

#endif
