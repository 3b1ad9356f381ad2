// The models built into the executable, embedded at build time
// (scripts/make-models writes them).
#ifndef CAEEMBEDDEDMODELS_H
#define CAEEMBEDDEDMODELS_H

#include <stddef.h>

/// The safetensors bytes of the embedded model `name` and their count in
/// `size`; NULL (size 0) for an unknown name.
const unsigned char *CAEEmbeddedModels_bytes(const char *name, size_t *size);

#endif
