// JPEG decoding over libjpeg. Each decode owns the setjmp for its whole call,
// so no Swift frame is ever under a longjmp. Plain C types only.
#ifndef CAEJPEG_H
#define CAEJPEG_H

#include <stddef.h>
#include <stdint.h>

#include "CAEImage.h"

/// Decodes a whole JPEG from memory into 1 (grey) or 3 (RGB) channels; CMYK
/// and YCCK arrive converted to RGB. Called twice (see CAEImage_bitmap): to
/// measure, then to fill the caller's buffer. Returns 0 on success; otherwise
/// non-zero with `message` set. Truncated data is an error, and images over `max_pixels` are
/// rejected before any pixel memory is allocated.
int CAEJPEG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEImage_bitmap *out);

#endif
