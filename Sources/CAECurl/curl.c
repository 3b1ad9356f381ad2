#include "CAECurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

// The parts of <curl/curl.h> used here; their values are part of libcurl's ABI.
enum {
    caecurl_opt_writedata = 10001,
    caecurl_opt_url = 10002,
    caecurl_opt_range = 10007,
    caecurl_opt_errorbuffer = 10010,
    caecurl_opt_writefunction = 20011,
    caecurl_opt_useragent = 10018,
    caecurl_opt_low_speed_limit = 19,
    caecurl_opt_low_speed_time = 20,
    caecurl_opt_headerdata = 10029,
    caecurl_opt_noprogress = 43,
    caecurl_opt_followlocation = 52,
    caecurl_opt_xferinfodata = 10057,
    caecurl_opt_cainfo = 10065,
    caecurl_opt_maxredirs = 68,
    caecurl_opt_connecttimeout = 78,
    caecurl_opt_headerfunction = 20079,
    caecurl_opt_nosignal = 99,
    caecurl_opt_protocols = 181,
    caecurl_opt_redir_protocols = 182,
    caecurl_opt_xferinfofunction = 20219,
    caecurl_opt_protocols_str = 10318,
    caecurl_opt_redir_protocols_str = 10319,
    caecurl_info_response_code = 0x200000 + 2,
    caecurl_info_os_errno = 0x200000 + 25,
    caecurl_proto_http_https = 1 | 2,
    caecurl_global_default = 3,
};

typedef int64_t caecurl_off_t;

static struct {
    int (*global_init)(long flags);
    void *(*easy_init)(void);
    int (*easy_setopt)(void *curl, int option, ...);
    int (*easy_perform)(void *curl);
    int (*easy_getinfo)(void *curl, int info, ...);
    void (*easy_cleanup)(void *curl);
    const char *(*easy_strerror)(int code);
} caecurl;

static pthread_mutex_t caecurl_lock = PTHREAD_MUTEX_INITIALIZER;
static int caecurl_loaded = 0;

int CAECurl_load(const char *library, char *error, size_t error_size) {
    pthread_mutex_lock(&caecurl_lock);
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(error, error_size, "%s", reason ? reason : "unknown reason");
        pthread_mutex_unlock(&caecurl_lock);
        return -1;
    }
    if (caecurl_loaded) {
        // Already resolved: this dlopen only added a reference.
        dlclose(handle);
        pthread_mutex_unlock(&caecurl_lock);
        return 0;
    }
    static const char *const names[] = {"curl_global_init",   "curl_easy_init",    "curl_easy_setopt",
                                        "curl_easy_perform",  "curl_easy_getinfo", "curl_easy_cleanup",
                                        "curl_easy_strerror"};
    void *found[sizeof(names) / sizeof(names[0])];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        found[i] = dlsym(handle, names[i]);
        if (found[i] == NULL) {
            snprintf(error, error_size, "%s has no %s", library, names[i]);
            dlclose(handle);
            pthread_mutex_unlock(&caecurl_lock);
            return -1;
        }
    }
    caecurl.global_init = (int (*)(long))found[0];
    caecurl.easy_init = (void *(*)(void))found[1];
    caecurl.easy_setopt = (int (*)(void *, int, ...))found[2];
    caecurl.easy_perform = (int (*)(void *))found[3];
    caecurl.easy_getinfo = (int (*)(void *, int, ...))found[4];
    caecurl.easy_cleanup = (void (*)(void *))found[5];
    caecurl.easy_strerror = (const char *(*)(int))found[6];
    const int status = caecurl.global_init(caecurl_global_default);
    if (status != 0) {
        snprintf(error, error_size, "curl_global_init failed (%s)", caecurl.easy_strerror(status));
        dlclose(handle);
        pthread_mutex_unlock(&caecurl_lock);
        return -1;
    }
    // Never unloaded: libcurl keeps global state.
    caecurl_loaded = 1;
    pthread_mutex_unlock(&caecurl_lock);
    return 0;
}

// One transfer's state, shared by the callbacks.
typedef struct {
    const CAECurl_sink *sink;
    void *curl;
    int64_t range_start;
    // For the current response: 0 no body yet, 1 forwarding its body, 2 dropping it.
    int body_state;
} caecurl_transfer;

// Each response's header lines: a status line starts a new response.
static size_t caecurl_header(char *buffer, size_t size, size_t count, void *context) {
    caecurl_transfer *transfer = context;
    const size_t length = size * count;
    if (length >= 5 && strncmp(buffer, "HTTP/", 5) == 0) {
        transfer->body_state = 0;
        transfer->range_start = -1;
    } else if (length > 14 && strncasecmp(buffer, "content-range:", 14) == 0) {
        char line[128];
        const size_t n = length - 14 < sizeof(line) - 1 ? length - 14 : sizeof(line) - 1;
        memcpy(line, buffer + 14, n);
        line[n] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (strncasecmp(p, "bytes", 5) == 0) {
            p += 5;
            while (*p == ' ' || *p == '\t') p++;
            char *end = NULL;
            const long long start = strtoll(p, &end, 10);
            if (end != p && *end == '-' && start >= 0) transfer->range_start = start;
        }
    }
    return length;
}

static size_t caecurl_write(char *buffer, size_t size, size_t count, void *context) {
    caecurl_transfer *transfer = context;
    const size_t length = size * count;
    if (transfer->body_state == 0) {
        long status = 0;
        caecurl.easy_getinfo(transfer->curl, caecurl_info_response_code, &status);
        if (status == 200 || status == 206) {
            transfer->body_state = 1;
            const int64_t start = status == 206 ? transfer->range_start : -1;
            if (transfer->sink->begin(transfer->sink->context, status, start) != 0) return 0;
        } else {
            transfer->body_state = 2;
        }
    }
    if (transfer->body_state == 2) return length;
    if (transfer->sink->body(transfer->sink->context, (const uint8_t *)buffer, length) != 0) return 0;
    return length;
}

static int caecurl_xferinfo(void *context, caecurl_off_t dltotal, caecurl_off_t dlnow, caecurl_off_t ultotal,
                            caecurl_off_t ulnow) {
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    caecurl_transfer *transfer = context;
    return transfer->sink->tick(transfer->sink->context) != 0;
}

int CAECurl_get(const CAECurl_request *request, const CAECurl_sink *sink, CAECurl_result *result) {
    memset(result, 0, sizeof(*result));
    void *curl = caecurl.easy_init();
    if (curl == NULL) {
        result->code = 2;  // CURLE_FAILED_INIT
        snprintf(result->message, sizeof(result->message), "curl_easy_init failed");
        return result->code;
    }
    caecurl_transfer transfer = {sink, curl, -1, 0};
    caecurl.easy_setopt(curl, caecurl_opt_errorbuffer, result->message);
    caecurl.easy_setopt(curl, caecurl_opt_url, request->url);
    if (request->range != NULL) caecurl.easy_setopt(curl, caecurl_opt_range, request->range);
    if (request->ca_file != NULL) caecurl.easy_setopt(curl, caecurl_opt_cainfo, request->ca_file);
    if (request->user_agent != NULL) caecurl.easy_setopt(curl, caecurl_opt_useragent, request->user_agent);
    // Only http and https, for the first request and for redirects.
    if (caecurl.easy_setopt(curl, caecurl_opt_protocols_str, "http,https") != 0)
        caecurl.easy_setopt(curl, caecurl_opt_protocols, (long)caecurl_proto_http_https);
    if (caecurl.easy_setopt(curl, caecurl_opt_redir_protocols_str, "http,https") != 0)
        caecurl.easy_setopt(curl, caecurl_opt_redir_protocols, (long)caecurl_proto_http_https);
    caecurl.easy_setopt(curl, caecurl_opt_followlocation, 1L);
    caecurl.easy_setopt(curl, caecurl_opt_maxredirs, request->max_redirects);
    caecurl.easy_setopt(curl, caecurl_opt_connecttimeout, request->connect_timeout_seconds);
    caecurl.easy_setopt(curl, caecurl_opt_low_speed_limit, request->low_speed_bytes);
    caecurl.easy_setopt(curl, caecurl_opt_low_speed_time, request->low_speed_seconds);
    // No signals from libcurl (the process has its own SIGINT and SIGTERM handlers, and threads).
    caecurl.easy_setopt(curl, caecurl_opt_nosignal, 1L);
    caecurl.easy_setopt(curl, caecurl_opt_headerfunction, caecurl_header);
    caecurl.easy_setopt(curl, caecurl_opt_headerdata, &transfer);
    caecurl.easy_setopt(curl, caecurl_opt_writefunction, caecurl_write);
    caecurl.easy_setopt(curl, caecurl_opt_writedata, &transfer);
    caecurl.easy_setopt(curl, caecurl_opt_xferinfofunction, caecurl_xferinfo);
    caecurl.easy_setopt(curl, caecurl_opt_xferinfodata, &transfer);
    caecurl.easy_setopt(curl, caecurl_opt_noprogress, 0L);

    result->code = caecurl.easy_perform(curl);
    caecurl.easy_getinfo(curl, caecurl_info_response_code, &result->status);
    long os_errno = 0;
    caecurl.easy_getinfo(curl, caecurl_info_os_errno, &os_errno);
    result->os_errno = (int)os_errno;
    if (result->code != 0 && result->message[0] == '\0')
        snprintf(result->message, sizeof(result->message), "%s", caecurl.easy_strerror(result->code));
    result->message[sizeof(result->message) - 1] = '\0';
    caecurl.easy_cleanup(curl);
    return result->code;
}
