// gzip decompression and the checksums PNG needs, over zlib. Plain C types only.
#ifndef CAEZLIB_H
#define CAEZLIB_H

#include <stddef.h>
#include <stdint.h>

/// Inflates a whole gzip stream from memory. Returns 0 and sets `*out`
/// (free with CAEZlib_free) and `*out_size`; otherwise non-zero with `message`
/// set. Output larger than `max_out` bytes is an error, so a small file can't
/// expand without bound.
int CAEZlib_gunzip(const unsigned char *data, size_t size, size_t max_out,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size);

void CAEZlib_free(void *pointer);

/// A streaming gzip decompressor (concatenated members are one stream).
typedef struct CAEZlib_inflater CAEZlib_inflater;

CAEZlib_inflater *CAEZlib_inflater_new(void);

/// What CAEZlib_inflate returns once the data after a complete member is not
/// another gzip member: the stream has ended, and that data is not gzip.
#define CAEZLIB_TRAILING (-2)

/// Inflates from `*input`/`*input_size` into `output`, advancing the input.
/// Returns the bytes produced (0 means more input is needed, or the stream
/// ended cleanly), CAEZLIB_TRAILING (see there), or -1 with `message` set
/// for corrupt data. Bytes inflated before damage or trailing data are
/// always returned first.
long CAEZlib_inflate(CAEZlib_inflater *inflater, const unsigned char **input, size_t *input_size,
                     unsigned char *output, size_t output_size, char *message, size_t message_size);

/// True between gzip members: input that ends here is complete.
int CAEZlib_inflater_at_boundary(const CAEZlib_inflater *inflater);

void CAEZlib_inflater_free(CAEZlib_inflater *inflater);

/// zlib's CRC-32 and Adler-32 (start from 0 and 1), for writing PNGs.
uint32_t CAEZlib_crc32(uint32_t crc, const unsigned char *data, size_t size);
uint32_t CAEZlib_adler32(uint32_t adler, const unsigned char *data, size_t size);

#endif
