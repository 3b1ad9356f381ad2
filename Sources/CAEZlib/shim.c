#include "CAEZlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int caezlib_fail(char *message, size_t message_size, const char *text, unsigned char *buffer, z_stream *stream) {
    if (message && message_size) snprintf(message, message_size, "%s", text);
    free(buffer);
    inflateEnd(stream);
    return 1;
}

int CAEZlib_gunzip(const unsigned char *data, size_t size, size_t max_out,
                   unsigned char **out, size_t *out_size, char *message, size_t message_size) {
    *out = NULL;
    *out_size = 0;
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        if (message && message_size) snprintf(message, message_size, "zlib initialisation failed");
        return 1;
    }
    size_t capacity = size * 4 + 1024, length = 0;
    if (capacity > max_out + 1) capacity = max_out + 1;
    unsigned char *buffer = malloc(capacity);
    if (buffer == NULL) return caezlib_fail(message, message_size, "out of memory", NULL, &stream);
    stream.next_in = (unsigned char *)data;
    size_t remaining_in = size;
    for (;;) {
        if (length == capacity) {
            if (capacity > max_out) return caezlib_fail(message, message_size, "decompressed data too large", buffer, &stream);
            size_t grown = capacity * 2 > max_out + 1 ? max_out + 1 : capacity * 2;
            unsigned char *bigger = realloc(buffer, grown);
            if (bigger == NULL) return caezlib_fail(message, message_size, "out of memory", buffer, &stream);
            buffer = bigger;
            capacity = grown;
        }
        uInt chunk_in = remaining_in > 0x40000000 ? 0x40000000 : (uInt)remaining_in;
        size_t room = capacity - length;
        uInt chunk_out = room > 0x40000000 ? 0x40000000 : (uInt)room;
        stream.avail_in = chunk_in;
        stream.next_out = buffer + length;
        stream.avail_out = chunk_out;
        int status = inflate(&stream, Z_NO_FLUSH);
        remaining_in -= chunk_in - stream.avail_in;
        length += chunk_out - stream.avail_out;
        if (status == Z_STREAM_END) break;
        if (status == Z_BUF_ERROR && remaining_in == 0 && stream.avail_out != 0) return caezlib_fail(message, message_size, "truncated gzip data", buffer, &stream);
        if (status != Z_OK && status != Z_BUF_ERROR) {
            return caezlib_fail(message, message_size, stream.msg ? stream.msg : "corrupt gzip data", buffer, &stream);
        }
    }
    inflateEnd(&stream);
    if (length > max_out) {
        free(buffer);
        if (message && message_size) snprintf(message, message_size, "decompressed data too large");
        return 1;
    }
    *out = buffer;
    *out_size = length;
    return 0;
}

void CAEZlib_free(void *pointer) { free(pointer); }

struct CAEZlib_inflater {
    z_stream stream;
    int at_boundary;
    // Set once the data after a complete member is not another member.
    int trailing;
    // An error found after output was produced, returned by the next call.
    char failure[160];
};

CAEZlib_inflater *CAEZlib_inflater_new(void) {
    CAEZlib_inflater *inflater = calloc(1, sizeof(*inflater));
    if (inflater == NULL) return NULL;
    if (inflateInit2(&inflater->stream, 16 + MAX_WBITS) != Z_OK) {
        free(inflater);
        return NULL;
    }
    inflater->at_boundary = 1;
    return inflater;
}

long CAEZlib_inflate(CAEZlib_inflater *inflater, const unsigned char **input, size_t *input_size,
                     unsigned char *output, size_t output_size, char *message, size_t message_size) {
    z_stream *stream = &inflater->stream;
    if (inflater->failure[0] != '\0') {
        if (message && message_size) snprintf(message, message_size, "%s", inflater->failure);
        return -1;
    }
    if (inflater->trailing) return CAEZLIB_TRAILING;
    size_t produced = 0;
    while (produced < output_size && *input_size > 0) {
        if (inflater->at_boundary) {
            // Another member must start with the gzip magic; anything else
            // ends the stream, and everything before it was delivered.
            const unsigned char *next = *input;
            if (next[0] != 0x1F || (*input_size > 1 && next[1] != 0x8B)) {
                inflater->trailing = 1;
                return produced > 0 ? (long)produced : CAEZLIB_TRAILING;
            }
            if (*input_size < 2) break;
            inflateReset(stream);
            inflater->at_boundary = 0;
        }
        stream->next_in = (unsigned char *)*input;
        stream->avail_in = *input_size > UINT32_MAX ? UINT32_MAX : (uInt)*input_size;
        stream->next_out = output + produced;
        stream->avail_out = (output_size - produced) > UINT32_MAX ? UINT32_MAX : (uInt)(output_size - produced);
        uInt before_in = stream->avail_in, before_out = stream->avail_out;
        int status = inflate(stream, Z_NO_FLUSH);
        *input += before_in - stream->avail_in;
        *input_size -= before_in - stream->avail_in;
        produced += before_out - stream->avail_out;
        if (status == Z_STREAM_END) {
            inflater->at_boundary = 1;
        } else if (status == Z_BUF_ERROR) {
            break;
        } else if (status != Z_OK) {
            snprintf(inflater->failure, sizeof(inflater->failure), "corrupt gzip data: %s",
                     stream->msg ? stream->msg : "inflate failed");
            // What was inflated before the damage is delivered first.
            if (produced > 0) return (long)produced;
            if (message && message_size) snprintf(message, message_size, "%s", inflater->failure);
            return -1;
        }
    }
    return (long)produced;
}

int CAEZlib_inflater_at_boundary(const CAEZlib_inflater *inflater) { return inflater->at_boundary; }

void CAEZlib_inflater_free(CAEZlib_inflater *inflater) {
    if (inflater == NULL) return;
    inflateEnd(&inflater->stream);
    free(inflater);
}

uint32_t CAEZlib_crc32(uint32_t crc, const unsigned char *data, size_t size) {
    return (uint32_t)crc32_z(crc, data, size);
}

uint32_t CAEZlib_adler32(uint32_t adler, const unsigned char *data, size_t size) {
    return (uint32_t)adler32_z(adler, data, size);
}
