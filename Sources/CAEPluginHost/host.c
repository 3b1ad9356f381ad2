#include "CAEPluginHost.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct CAEPluginHost_module {
    uint32_t abi_version;
    const ae_filter_noise_model **noise_models;
    size_t noise_model_count;
    const ae_filter_backend **backends;
    size_t backend_count;
};

static int caepluginhost_add_noise_model(const ae_filter_registrar *self, const ae_filter_noise_model *model) {
    CAEPluginHost_module *module = self->host_data;
    if (model == NULL) return 1;
    const ae_filter_noise_model **grown =
        realloc(module->noise_models, (module->noise_model_count + 1) * sizeof(*grown));
    if (grown == NULL) return 1;
    module->noise_models = grown;
    module->noise_models[module->noise_model_count++] = model;
    return 0;
}

static int caepluginhost_add_backend(const ae_filter_registrar *self, const ae_filter_backend *backend) {
    CAEPluginHost_module *module = self->host_data;
    if (backend == NULL) return 1;
    const ae_filter_backend **grown = realloc(module->backends, (module->backend_count + 1) * sizeof(*grown));
    if (grown == NULL) return 1;
    module->backends = grown;
    module->backends[module->backend_count++] = backend;
    return 0;
}

// The module being loaded, as messages name it: a module that crashes or
// calls exit() in its constructors or init is named before the process ends.
static char caepluginhost_loading[1024];
static volatile sig_atomic_t caepluginhost_is_loading;
static const int caepluginhost_fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define CAEPLUGINHOST_FATAL_COUNT (sizeof(caepluginhost_fatal) / sizeof(caepluginhost_fatal[0]))

static void caepluginhost_say(const char *what) {
    const char *parts[] = {"ae-filter: plugin ", caepluginhost_loading, ": ", what,
                           " while it was loading; AE_FILTER_NO_MODULES=1 runs ae-filter without the modules it finds\n"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        ssize_t ignored = write(STDERR_FILENO, parts[i], strlen(parts[i]));
        (void)ignored;
    }
}

static void caepluginhost_on_fatal(int signal_number) {
    if (caepluginhost_is_loading) {
        caepluginhost_is_loading = 0;
        caepluginhost_say("it crashed (a fatal signal)");
    }
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

static void caepluginhost_on_exit(void) {
    if (!caepluginhost_is_loading) return;
    caepluginhost_is_loading = 0;
    caepluginhost_say("it called exit()");
    _exit(1);
}

static void *caepluginhost_open(const char *path, const char *name, struct sigaction *saved) {
    static int exit_watched;
    if (!exit_watched) exit_watched = atexit(caepluginhost_on_exit) == 0;
    snprintf(caepluginhost_loading, sizeof(caepluginhost_loading), "%s", name);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = caepluginhost_on_fatal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CAEPLUGINHOST_FATAL_COUNT; i++) sigaction(caepluginhost_fatal[i], &action, &saved[i]);
    caepluginhost_is_loading = 1;
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void caepluginhost_loaded(const struct sigaction *saved) {
    caepluginhost_is_loading = 0;
    for (size_t i = 0; i < CAEPLUGINHOST_FATAL_COUNT; i++) sigaction(caepluginhost_fatal[i], &saved[i], NULL);
}

static CAEPluginHost_module *caepluginhost_init(void *library, const ae_filter_host *host, char *error,
                                                size_t error_size);

CAEPluginHost_module *CAEPluginHost_load(const char *path, const char *name, const ae_filter_host *host, char *error,
                                         size_t error_size) {
    struct sigaction saved[CAEPLUGINHOST_FATAL_COUNT];
    void *library = caepluginhost_open(path, name, saved);
    CAEPluginHost_module *module = NULL;
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, error_size, "cannot load it (%s)", reason ? reason : "unknown reason");
    } else {
        module = caepluginhost_init(library, host, error, error_size);
    }
    caepluginhost_loaded(saved);
    return module;
}

static CAEPluginHost_module *caepluginhost_init(void *library, const ae_filter_host *host, char *error,
                                                size_t error_size) {
    uint32_t (*version)(void) = (uint32_t (*)(void))dlsym(library, "ae_filter_plugin_abi_version");
    int (*init)(const ae_filter_registrar *, char *, size_t) =
        (int (*)(const ae_filter_registrar *, char *, size_t))dlsym(library, "ae_filter_plugin_init");
    if (version == NULL || init == NULL) {
        snprintf(error, error_size, "it has no %s function, so it is no ae-filter plugin",
                 version == NULL ? "ae_filter_plugin_abi_version" : "ae_filter_plugin_init");
        return NULL;
    }
    const uint32_t abi = version();
    if (abi != AE_FILTER_PLUGIN_ABI_VERSION) {
        snprintf(error, error_size, "it was built for plugin ABI version %u; this ae-filter has version %u", abi,
                 AE_FILTER_PLUGIN_ABI_VERSION);
        return NULL;
    }
    CAEPluginHost_module *module = calloc(1, sizeof(*module));
    if (module == NULL) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    module->abi_version = abi;
    const ae_filter_registrar registrar = {AE_FILTER_PLUGIN_ABI_VERSION, host,
                                           caepluginhost_add_noise_model, caepluginhost_add_backend, module};
    char reason[200] = {0};
    if (init(&registrar, reason, sizeof(reason)) != 0) {
        reason[sizeof(reason) - 1] = '\0';
        snprintf(error, error_size, "its init failed (%s)", reason[0] ? reason : "no reason given");
        free(module->noise_models);
        free(module->backends);
        free(module);
        return NULL;
    }
    return module;
}

uint32_t CAEPluginHost_abi_version(const CAEPluginHost_module *module) { return module->abi_version; }

size_t CAEPluginHost_noise_model_count(const CAEPluginHost_module *module) { return module->noise_model_count; }

const ae_filter_noise_model *CAEPluginHost_noise_model(const CAEPluginHost_module *module, size_t index) {
    return module->noise_models[index];
}

size_t CAEPluginHost_backend_count(const CAEPluginHost_module *module) { return module->backend_count; }

const ae_filter_backend *CAEPluginHost_backend(const CAEPluginHost_module *module, size_t index) {
    return module->backends[index];
}

void CAEPluginHost_apply(const ae_filter_noise_model *model, float level, float *pixels, size_t count,
                         ae_filter_rng *rng, const ae_filter_host *host) {
    model->apply(model->context, level, pixels, count, rng, host);
}

int CAEPluginHost_appearance(const ae_filter_noise_model *model, float level, float *pixels, size_t count) {
    if (model->appearance == NULL) return 0;
    model->appearance(model->context, level, pixels, count);
    return 1;
}

void *CAEPluginHost_create(const ae_filter_backend *backend, int threads, char *error, size_t error_size) {
    return backend->create(backend->context, threads, error, error_size);
}

void CAEPluginHost_destroy(const ae_filter_backend *backend, void *instance) {
    backend->destroy(backend->context, instance);
}

void CAEPluginHost_gemm(const ae_filter_backend *backend, void *instance, int trans_a, int trans_b, size_t m,
                        size_t n, size_t k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                        float beta, float *c, size_t ldc) {
    backend->gemm(instance, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
