// Whole-array conversions and checks, vectorized where the CPU allows.
#ifndef CAENUMERICS_H
#define CAENUMERICS_H

#include <stddef.h>
#include <stdint.h>

#include "winograd.h"

/// Converts `count` IEEE half-precision values (little-endian, unaligned)
/// to floats, exactly; F16C instructions when the CPU has them.
void CAENumerics_half_to_float(const void *halves, float *out, size_t count);

/// The same without F16C, whatever the CPU (for tests of both paths).
void CAENumerics_half_to_float_portable(const void *halves, float *out, size_t count);

/// 1 if none of the `count` floats is NaN or infinite, else 0.
int CAENumerics_all_finite(const float *values, size_t count);

/// 1 if none of the `count` half-precision values (unaligned) is NaN or infinite, else 0.
int CAENumerics_all_finite_half(const void *halves, size_t count);

/// Copies `outputs` blocks of `inputs` x `taps` half-precision values (any
/// alignment) to `target` as `taps` x `inputs` blocks: a convolution's
/// weights from PyTorch's [out][in][ky][kx] to [out][ky][kx][in].
void CAENumerics_reorder_halves(const void *source, uint16_t *target, size_t outputs, size_t inputs, size_t taps);

/// 2x2 max pooling of [images][side][side][channels] (`side` even) into
/// [images][side/2][side/2][channels], PyTorch's way: the first of equal
/// values in row order, a NaN wherever one is. `chosen`, when not NULL,
/// gets the window position (0-3) each output came from.
void CAENumerics_max_pool(
    const float *input, size_t images, size_t side, size_t channels, float *output, uint8_t *chosen);

#endif
