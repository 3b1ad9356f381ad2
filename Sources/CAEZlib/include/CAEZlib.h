// gzip decompression over zlib. Plain C types only.
#ifndef CAEZLIB_H
#define CAEZLIB_H

#include <stddef.h>

/// Inflates a whole gzip stream from memory. Returns 0 and sets `*out`
/// (free with CAEZlib_free) and `*out_size`; otherwise non-zero with `message`
/// set. Output larger than `max_out` bytes is an error, so a small file can't
/// expand without bound.
int CAEZlib_gunzip(const unsigned char *data, size_t size, size_t max_out,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size);

void CAEZlib_free(void *pointer);

#endif
