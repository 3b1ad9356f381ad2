// libcurl for `ae-filter data fetch`, loaded with dlopen on first use
// (libcurl.so.4, Debian package libcurl4), so that nothing else ever maps it.
// No curl headers are needed to build: curl.c declares the few options it
// uses. Plain C types only.
#ifndef CAECURL_H
#define CAECURL_H

#include <stddef.h>
#include <stdint.h>

/// dlopens `library` (e.g. "libcurl.so.4") and resolves the functions used,
/// once per process. 0, or -1 with the reason in `error`.
int CAECurl_load(const char *library, char *error, size_t error_size);

/// Where a transfer's events go; each returns 0 to go on, nonzero to abort.
typedef struct {
    void *context;
    /// The first body bytes of a 200 or 206 response are coming: its status,
    /// and where its Content-Range starts (-1 when it has none).
    int (*begin)(void *context, long status, int64_t range_start);
    /// Body bytes of that response (those of any other status are dropped).
    int (*body)(void *context, const uint8_t *bytes, size_t count);
    /// Often while data moves, and about once a second while it does not.
    int (*tick)(void *context);
} CAECurl_sink;

/// One GET. Proxies come from the environment (http_proxy, https_proxy,
/// ALL_PROXY, no_proxy), as libcurl does by default.
typedef struct {
    const char *url;
    /// "N-" asks for the bytes from N on; NULL for the whole file.
    const char *range;
    /// The CA bundle to verify servers with; NULL for libcurl's own.
    const char *ca_file;
    const char *user_agent;
    long connect_timeout_seconds;
    /// Abort when fewer than `low_speed_bytes` a second arrive for `low_speed_seconds`.
    long low_speed_bytes;
    long low_speed_seconds;
    long max_redirects;
} CAECurl_request;

typedef struct {
    /// libcurl's CURLcode: 0 when the transfer completed.
    int code;
    /// The last response's HTTP status, or 0.
    long status;
    /// The errno of a failed connect, or 0.
    int os_errno;
    /// libcurl's explanation of a failure, or "".
    char message[256];
} CAECurl_result;

/// CURLcode values the caller tells apart.
enum {
    CAECurl_couldnt_connect = 7,
    CAECurl_write_error = 23,
    CAECurl_aborted_by_callback = 42,
};

/// Runs `request`, handing what arrives to `sink`. Returns `result->code`.
/// CAECurl_load must have succeeded.
int CAECurl_get(const CAECurl_request *request, const CAECurl_sink *sink, CAECurl_result *result);

#endif
