// The default model, embedded in the executable at build time.
#ifndef CAEDEFAULTMODEL_H
#define CAEDEFAULTMODEL_H

#include <stddef.h>

/// The safetensors bytes of Sources/CAEDefaultModel/default-model.safetensors.
const unsigned char *CAEDefaultModel_bytes(void);
size_t CAEDefaultModel_size(void);

#endif
