#include "CAEEmbeddedModels.h"

#include <string.h>

#pragma clang diagnostic ignored "-Wc23-extensions"

// One line per model here, and its name in EmbeddedModels.names.
static const unsigned char caeembeddedmodels_blind[] = {
#embed "blind.safetensors"
};
static const unsigned char caeembeddedmodels_universal[] = {
#embed "universal.safetensors"
};
static const unsigned char caeembeddedmodels_mask[] = {
#embed "mask.safetensors"
};
static const unsigned char caeembeddedmodels_salt_pepper[] = {
#embed "salt-pepper.safetensors"
};
static const unsigned char caeembeddedmodels_gaussian[] = {
#embed "gaussian.safetensors"
};
static const unsigned char caeembeddedmodels_tutorial[] = {
#embed "tutorial.safetensors"
};

#define CAEEMBEDDEDMODELS_ENTRY(name, bytes) {name, bytes, sizeof(bytes)}

static const struct {
    const char *name;
    const unsigned char *bytes;
    size_t size;
} caeembeddedmodels_table[] = {
    CAEEMBEDDEDMODELS_ENTRY("blind", caeembeddedmodels_blind),
    CAEEMBEDDEDMODELS_ENTRY("universal", caeembeddedmodels_universal),
    CAEEMBEDDEDMODELS_ENTRY("mask", caeembeddedmodels_mask),
    CAEEMBEDDEDMODELS_ENTRY("salt-pepper", caeembeddedmodels_salt_pepper),
    CAEEMBEDDEDMODELS_ENTRY("gaussian", caeembeddedmodels_gaussian),
    CAEEMBEDDEDMODELS_ENTRY("tutorial", caeembeddedmodels_tutorial),
};

const unsigned char *CAEEmbeddedModels_bytes(const char *name, size_t *size) {
    for (size_t i = 0; i < sizeof(caeembeddedmodels_table) / sizeof(caeembeddedmodels_table[0]); i++) {
        if (strcmp(caeembeddedmodels_table[i].name, name) == 0) {
            *size = caeembeddedmodels_table[i].size;
            return caeembeddedmodels_table[i].bytes;
        }
    }
    *size = 0;
    return NULL;
}
