// The models built into the executable, embedded at build time.
#ifndef CAEEMBEDDEDMODELS_H
#define CAEEMBEDDEDMODELS_H

#include <stddef.h>

/// The safetensors bytes of tutorial.safetensors (scripts/make-models tutorial).
const unsigned char *CAEEmbeddedModels_tutorial_bytes(void);
size_t CAEEmbeddedModels_tutorial_size(void);

/// The safetensors bytes of blind.safetensors (scripts/make-models blind).
const unsigned char *CAEEmbeddedModels_blind_bytes(void);
size_t CAEEmbeddedModels_blind_size(void);

#endif
