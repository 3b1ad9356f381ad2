// PNG decoding over libpng. Each decode owns the setjmp for its whole call,
// so no Swift frame is ever under a longjmp. Plain C types only.
#ifndef CAEPNG_H
#define CAEPNG_H

#include <stddef.h>
#include <stdint.h>

#include "CAEImage.h"

/// Decodes a whole PNG from memory. Called twice (see CAEImage_bitmap): to
/// measure, then to fill the caller's buffer. Returns 0 on success; otherwise
/// non-zero with `message` set. Images over `max_pixels` are rejected before any pixel memory is
/// allocated.
int CAEPNG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEImage_bitmap *out);

#endif
