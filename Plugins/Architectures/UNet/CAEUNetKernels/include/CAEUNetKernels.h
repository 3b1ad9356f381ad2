// The U-Net's kernels: Winograd's transforms, 2x2 max pooling, and its
// convolutions' weights reordered from PyTorch's layout.
#ifndef CAEUNETKERNELS_H
#define CAEUNETKERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "winograd.h"

/// Copies `outputs` blocks of `inputs` x `taps` half-precision values (any
/// alignment) to `target` as `taps` x `inputs` blocks: a convolution's
/// weights from PyTorch's [out][in][ky][kx] to [out][ky][kx][in].
void CAEUNetKernels_reorder_halves(const void *source, uint16_t *target, size_t outputs, size_t inputs, size_t taps);

/// 2x2 max pooling of [images][side][side][channels] (`side` even) into
/// [images][side/2][side/2][channels], PyTorch's way: the first of equal
/// values in row order, a NaN wherever one is. `chosen`, when not NULL,
/// gets the window position (0-3) each output came from.
void CAEUNetKernels_max_pool(
    const float *input, size_t images, size_t side, size_t channels, float *output, uint8_t *chosen);

#endif
