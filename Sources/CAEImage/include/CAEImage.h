// The decoded image both C decoders (CAEPNG, CAEJPEG) fill. Plain C types only.
#ifndef CAEIMAGE_H
#define CAEIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define CAEIMAGE_MESSAGE_SIZE 200

/// A decoded image: 8-bit samples, `channels` per pixel (1 grey, 2 grey+alpha,
/// 3 RGB, 4 RGBA), rows packed. A decoder is called twice: with `pixels`
/// NULL it only measures (width, height, channels); then with `pixels` the
/// caller's buffer of `capacity` bytes (at least width × height × channels),
/// which it fills. So the pixels are made once, where the caller keeps them.
/// On failure `message` says why.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    unsigned char *pixels;
    size_t capacity;
    char message[CAEIMAGE_MESSAGE_SIZE];
} CAEImage_bitmap;

/// The bytes of a measured image's pixels: width × height × channels.
size_t CAEImage_size(const CAEImage_bitmap *image);

#endif
