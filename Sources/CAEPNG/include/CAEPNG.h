// PNG decoding over libpng, and zlib's checksums for writing PNGs. Each
// decode owns the setjmp for its whole call, so no Swift frame is ever under
// a longjmp. Plain C types only.
#ifndef CAEPNG_H
#define CAEPNG_H

#include <stddef.h>
#include <stdint.h>

#define CAEPNG_MESSAGE_SIZE 200

/// A decoded image: 8-bit samples, `channels` per pixel (1 grey, 2 grey+alpha,
/// 3 RGB, 4 RGBA), rows packed. `pixels` is malloc'd; free it with CAEPNG_free.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    unsigned char *pixels;
    char message[CAEPNG_MESSAGE_SIZE];
} CAEPNG_image;

/// Decodes a whole PNG from memory. Returns 0 on success; otherwise non-zero
/// with `message` set and nothing to free. Images over `max_pixels` are
/// rejected before any pixel memory is allocated.
int CAEPNG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEPNG_image *out);

void CAEPNG_free(void *pointer);

/// zlib's CRC-32 and Adler-32 (start from 0 and 1), for writing PNGs.
uint32_t CAEPNG_crc32(uint32_t crc, const unsigned char *data, size_t size);
uint32_t CAEPNG_adler32(uint32_t adler, const unsigned char *data, size_t size);

#endif
