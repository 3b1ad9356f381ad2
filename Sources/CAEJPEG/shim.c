#include "CAEJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} caejpeg_error_mgr;

static void caejpeg_error_exit(j_common_ptr cinfo) {
    caejpeg_error_mgr *err = (caejpeg_error_mgr *)cinfo->err;
    if (err->message[0] == '\0') {
        char text[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, text);
        strncpy(err->message, text, CAEIMAGE_MESSAGE_SIZE - 1);
        err->message[CAEIMAGE_MESSAGE_SIZE - 1] = '\0';
    }
    longjmp(err->jump, 1);
}

// Warnings are silent, except a premature end of data, which is an error.
// libjpeg only warns when the image data runs out, at the end of the input
// or at a marker (a cut image that still ends with EOI), and fills the rest
// with grey: both are errors here, not a silently half-grey image.
static void caejpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level < 0 && (cinfo->err->msg_code == JWRN_JPEG_EOF || cinfo->err->msg_code == JWRN_HIT_MARKER)) {
        caejpeg_error_mgr *err = (caejpeg_error_mgr *)cinfo->err;
        strncpy(err->message,
                cinfo->err->msg_code == JWRN_JPEG_EOF ? "truncated JPEG data"
                                                      : "truncated JPEG data (its image data ends early, at a marker)",
                CAEIMAGE_MESSAGE_SIZE - 1);
        longjmp(err->jump, 1);
    }
}

static void caejpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static unsigned char caejpeg_mul255(unsigned a, unsigned b) { return (unsigned char)((a * b + 127) / 255); }

int CAEJPEG_decode(const unsigned char *data, size_t size, uint64_t max_pixels, CAEImage_bitmap *out) {
    unsigned char *const target = out->pixels;
    const size_t capacity = out->capacity;
    memset(out, 0, sizeof(*out));
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        strncpy(out->message, "not a JPEG file", CAEIMAGE_MESSAGE_SIZE - 1);
        return 1;
    }
    struct jpeg_decompress_struct cinfo;
    caejpeg_error_mgr err;
    unsigned char *volatile row = NULL;
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = caejpeg_error_exit;
    err.base.emit_message = caejpeg_emit_message;
    err.base.output_message = caejpeg_output_message;
    err.message = out->message;
    if (setjmp(err.jump)) {
        free(row);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = 512L << 20;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if ((uint64_t)cinfo.image_width * cinfo.image_height > max_pixels) {
        strncpy(out->message, "image too large (over the pixel limit; see --max-pixels)", CAEIMAGE_MESSAGE_SIZE - 1);
        longjmp(err.jump, 1);
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) cinfo.out_color_space = JCS_GRAYSCALE;
    else if (cmyk) cinfo.out_color_space = JCS_CMYK;
    else cinfo.out_color_space = JCS_RGB;
    // The output's size without decoding (a progressive image decodes all
    // its scans when started).
    jpeg_calc_output_dimensions(&cinfo);
    uint32_t width = cinfo.output_width, height = cinfo.output_height;
    uint32_t in_channels = (uint32_t)cinfo.output_components;
    uint32_t channels = cmyk ? 3 : in_channels;
    out->width = width;
    out->height = height;
    out->channels = channels;
    if (target == NULL) {
        // Measured only: the caller makes the buffer.
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_width != width || cinfo.output_height != height ||
        (uint32_t)cinfo.output_components != in_channels) {
        strncpy(out->message, "the JPEG's output size changed when decoding started", CAEIMAGE_MESSAGE_SIZE - 1);
        longjmp(err.jump, 1);
    }
    if (capacity < (size_t)width * height * channels) {
        strncpy(out->message, "the pixel buffer is too small", CAEIMAGE_MESSAGE_SIZE - 1);
        longjmp(err.jump, 1);
    }
    unsigned char *const pixels = target;
    row = malloc((size_t)width * in_channels);
    if (row == NULL) {
        strncpy(out->message, "out of memory", CAEIMAGE_MESSAGE_SIZE - 1);
        longjmp(err.jump, 1);
    }
    // Adobe CMYK JPEGs store inverted values.
    int inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW rows[1] = {row};
        jpeg_read_scanlines(&cinfo, rows, 1);
        unsigned char *dst = pixels + y * width * channels;
        if (!cmyk) {
            memcpy(dst, row, (size_t)width * channels);
            continue;
        }
        for (uint32_t x = 0; x < width; x++) {
            const unsigned char *s = row + x * 4;
            unsigned k = inverted ? s[3] : 255u - s[3];
            for (int c = 0; c < 3; c++) {
                unsigned v = inverted ? s[c] : 255u - s[c];
                dst[x * 3 + c] = caejpeg_mul255(v, k);
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    out->pixels = pixels;
    out->capacity = capacity;
    return 0;
}

