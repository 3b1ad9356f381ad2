// Winograd's F(2x2, 3x3): a 3x3 "same" convolution as 16 matrix products
// over 4x4 input tiles, each giving 2x2 outputs (Lavin and Gray, 2015).
// Images are [images][side][side][channels]; tile t of an image has its
// 4x4 inputs from (2*ty - 1, 2*tx - 1), ts = (side + 1) / 2 tiles a side,
// counted across the images. Transformed tiles are 16 matrices of
// [tiles][channels], `stride` floats apart (not a power of two: 16 streams
// a power of two apart share a set of the cache).
#ifndef CAEUNETKERNELS_WINOGRAD_H
#define CAEUNETKERNELS_WINOGRAD_H

#include <stddef.h>

/// Weights [out][3][3][in] as u = G g Gt: [16][out][in]; `flipped`, those
/// of the kernel turned half round (the input gradient's products' u).
void CAEUNetKernels_winograd_weights(const float *w, int outputs, int inputs, int flipped, float *u);

/// The forward products' u: [16][in][out], by way of `scratch` (as large as u).
void CAEUNetKernels_winograd_weights_forward(const float *w, int outputs, int inputs, float *scratch, float *u);

/// The gradient of the weights from that of u ([16][out][in]): Gt du G, into [out][3][3][in].
void CAEUNetKernels_winograd_weights_gradient(const float *du, int outputs, int inputs, float *dw);

/// Tiles `first` ..< `first + count` of an image, transformed (Bt d B) into
/// `v`. The image's channels are `below`'s (at half the side, doubled by
/// nearest neighbour; none when `below_channels` is 0) then `skip`'s.
/// `zeros` holds at least as many zeros as the widest of the two.
void CAEUNetKernels_winograd_input(
    const float *below, int below_channels, const float *skip, int skip_channels, int side, size_t first,
    size_t count, const float *zeros, float *v, size_t stride);

/// Tiles' products `m` (16 of [count][outputs]) back to pixels (At m A), plus
/// `bias` (or nothing when NULL), then ReLU when `relu`, into the image `y`;
/// pixels past its edge go to `trash` (as wide as `outputs`).
void CAEUNetKernels_winograd_output(
    const float *m, size_t stride, size_t first, size_t count, int side, int outputs, const float *bias, int relu,
    float *trash, float *y);

/// The gradient of those products from the image's `dy` (A dy At; pixels
/// past the image's edge count as zero), into `dm` (16 of [count][outputs]).
void CAEUNetKernels_winograd_output_gradient(
    const float *dy, int side, int outputs, size_t first, size_t count, const float *zeros, float *dm,
    size_t stride);

#endif
