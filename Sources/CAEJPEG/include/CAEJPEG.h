// JPEG decode over libjpeg. Each function owns the setjmp for its whole call,
// so no Swift frame is ever under a longjmp. Plain C types only.
#ifndef CAEJPEG_H
#define CAEJPEG_H

#include <stddef.h>
#include <stdint.h>

#define CAEJPEG_MESSAGE_SIZE 200

/// A decoded image: 8-bit samples, 1 (grey) or 3 (RGB) channels, rows packed.
/// CMYK and YCCK images arrive converted to RGB. Free `pixels` with CAEJPEG_free.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    unsigned char *pixels;
    char message[CAEJPEG_MESSAGE_SIZE];
} CAEJPEG_image;

/// Decodes a whole JPEG from memory. Returns 0 on success; otherwise non-zero
/// with `message` set and nothing to free. Truncated data is an error, and
/// images over `max_pixels` are rejected before any pixel memory is allocated.
int CAEJPEG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEJPEG_image *out);

void CAEJPEG_free(void *pointer);

#endif
