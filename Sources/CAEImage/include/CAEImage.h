// The decoded image both C decoders (CAEPNG, CAEJPEG) fill. Plain C types only.
#ifndef CAEIMAGE_H
#define CAEIMAGE_H

#include <stdint.h>

#define CAEIMAGE_MESSAGE_SIZE 200

/// A decoded image: 8-bit samples, `channels` per pixel (1 grey, 2 grey+alpha,
/// 3 RGB, 4 RGBA), rows packed. `pixels` is malloc'd; free it with
/// CAEImage_free. On failure `pixels` is NULL and `message` says why.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    unsigned char *pixels;
    char message[CAEIMAGE_MESSAGE_SIZE];
} CAEImage_bitmap;

/// Frees the pixels of a decoded image (NULL is fine) and clears the pointer.
void CAEImage_free(CAEImage_bitmap *image);

#endif
