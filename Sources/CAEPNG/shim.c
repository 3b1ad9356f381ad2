#include "CAEPNG.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char *message;
} caepng_reader;

static void caepng_copy_message(char *dst, size_t dst_size, const char *src) {
    if (dst == NULL || dst_size == 0) return;
    strncpy(dst, src ? src : "unknown libpng error", dst_size - 1);
    dst[dst_size - 1] = '\0';
}

static void caepng_error(png_structp png, png_const_charp message) {
    char *buffer = (char *)png_get_error_ptr(png);
    if (buffer != NULL && buffer[0] == '\0') caepng_copy_message(buffer, CAEIMAGE_MESSAGE_SIZE, message);
    png_longjmp(png, 1);
}

static void caepng_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void caepng_read(png_structp png, png_bytep out, size_t length) {
    caepng_reader *reader = (caepng_reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->offset) png_error(png, "truncated PNG data");
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}



static uint32_t caepng_be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

// Walks the chunk lengths before libpng sees them, so that a chunk claiming
// more bytes than the file holds never gets a buffer allocated for it; adds
// up the image data (IDAT) bytes.
static int caepng_check_chunks(const unsigned char *data, size_t size, char *message, uint64_t *image_data) {
    size_t offset = 8;
    *image_data = 0;
    while (size - offset >= 12) {
        uint32_t length = caepng_be32(data + offset);
        if (length > 0x7fffffffu || length > size - offset - 12) {
            snprintf(message, CAEIMAGE_MESSAGE_SIZE, "truncated PNG data (chunk %.4s claims %u bytes)", (const char *)data + offset + 4, length);
            return 1;
        }
        if (memcmp(data + offset + 4, "IDAT", 4) == 0) *image_data += length;
        if (memcmp(data + offset + 4, "IEND", 4) == 0) return 0;
        offset += 12 + (size_t)length;
    }
    caepng_copy_message(message, CAEIMAGE_MESSAGE_SIZE, "truncated PNG data");
    return 1;
}

// zlib's deflate expands at most 1032 to 1 (258-byte matches in 2 bits);
// image data that declares more raw bytes than that cannot be whole, so it is
// refused before a buffer of the declared size is made.
static int caepng_can_hold(uint64_t image_data, png_uint_32 width, png_uint_32 height, int bit_depth, int channels) {
    const uint64_t raw = ((uint64_t)width * (uint64_t)channels * (uint64_t)bit_depth + 7) / 8 * height + height;
    return raw <= image_data * 1032 + 1024;
}

int CAEPNG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEImage_bitmap *out) {
    unsigned char *const target = out->pixels;
    const size_t capacity = out->capacity;
    memset(out, 0, sizeof(*out));
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        caepng_copy_message(out->message, CAEIMAGE_MESSAGE_SIZE, "not a PNG file");
        return 1;
    }
    uint64_t image_data = 0;
    if (caepng_check_chunks(data, size, out->message, &image_data)) return 1;
    caepng_reader reader = {data, size, 0, out->message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, out->message, caepng_error, caepng_warning);
    if (png == NULL) {
        caepng_copy_message(out->message, CAEIMAGE_MESSAGE_SIZE, "out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL || setjmp(png_jmpbuf(png))) {
        if (out->message[0] == '\0') caepng_copy_message(out->message, CAEIMAGE_MESSAGE_SIZE, "out of memory");
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        return 1;
    }
    png_set_read_fn(png, &reader, caepng_read);
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(png, 8u << 20);
    // Only pixels, palette and transparency matter here; skip the rest unread.
    static const png_byte ignored[] =
        "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0sTER\0tEXt\0tIME\0zTXt";
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, ignored, (int)(sizeof(ignored) / 5));
    png_read_info(png, info);

    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        png_error(png, "image too large (over the pixel limit; see --max-pixels)");
    }
    if (!caepng_can_hold(image_data, width, height, png_get_bit_depth(png, info), png_get_channels(png, info))) {
        png_error(png, "truncated PNG data (its image data is far too short for its declared size)");
    }
    int color_type = png_get_color_type(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_scale_16(png);
    const int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (png_get_bit_depth(png, info) != 8 || channels < 1 || channels > 4 || rowbytes != width * channels) {
        png_error(png, "unsupported PNG layout");
    }
    out->width = width;
    out->height = height;
    out->channels = (uint32_t)channels;
    if (target == NULL) {
        // Measured only: the caller makes the buffer.
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    if (capacity < rowbytes * height) png_error(png, "the pixel buffer is too small");
    unsigned char *const pixels = target;
    // Row by row, each pass of an interlaced image over the same rows: no
    // table of row pointers (8 bytes a row, more than the pixels of a tall
    // narrow image).
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < height; y++) png_read_row(png, pixels + (size_t)y * rowbytes, NULL);
    }
    png_read_end(png, NULL);

    png_destroy_read_struct(&png, &info, NULL);
    out->pixels = pixels;
    out->capacity = capacity;
    return 0;
}

