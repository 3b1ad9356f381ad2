// Loads plugin modules (see Plugins/include/ae_filter_plugin.h, the
// contract) and collects what they register. Plain C types only.
#ifndef CAEPLUGINHOST_H
#define CAEPLUGINHOST_H

#include <stddef.h>
#include <stdint.h>

#include "../../../Plugins/include/ae_filter_plugin.h"

/// A loaded module: what its init registered.
typedef struct CAEPluginHost_module CAEPluginHost_module;

/// dlopens `path`, checks its ABI version and runs its init. Returns the
/// module, or NULL with the reason in `error`. A module is never unloaded.
/// `name` is how messages show the module (escaped): should the module crash
/// or call exit() while it loads, one line names it on stderr and the process
/// ends with status 1 (or the signal). `host` is what the module's init
/// finds in its registrar (see CAEPluginHost_apply).
CAEPluginHost_module *CAEPluginHost_load(const char *path, const char *name, const ae_filter_host *host, char *error,
                                         size_t error_size);

/// The ABI version the module reported.
uint32_t CAEPluginHost_abi_version(const CAEPluginHost_module *module);

size_t CAEPluginHost_noise_model_count(const CAEPluginHost_module *module);
const ae_filter_noise_model *CAEPluginHost_noise_model(const CAEPluginHost_module *module, size_t index);
size_t CAEPluginHost_backend_count(const CAEPluginHost_module *module);
const ae_filter_backend *CAEPluginHost_backend(const CAEPluginHost_module *module, size_t index);

/// Calls through a descriptor's function pointers (for Swift). `host` is
/// the table the module draws random numbers with: Swift's RandomGenerator,
/// called back (ModuleHost.swift), so there is one implementation.
void CAEPluginHost_apply(const ae_filter_noise_model *model, float level, float *pixels, size_t count,
                         ae_filter_rng *rng, const ae_filter_host *host);
int CAEPluginHost_appearance(const ae_filter_noise_model *model, float level, float *pixels, size_t count);
void *CAEPluginHost_create(const ae_filter_backend *backend, int threads, char *error, size_t error_size);
void CAEPluginHost_destroy(const ae_filter_backend *backend, void *instance);
void CAEPluginHost_gemm(const ae_filter_backend *backend, void *instance, int trans_a, int trans_b, size_t m,
                        size_t n, size_t k, float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                        float beta, float *c, size_t ldc);

#endif
