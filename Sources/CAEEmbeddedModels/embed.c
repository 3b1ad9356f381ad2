#include "CAEEmbeddedModels.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char caeembeddedmodels_tutorial[] = {
#embed "tutorial.safetensors"
};

static const unsigned char caeembeddedmodels_blind[] = {
#embed "blind.safetensors"
};

const unsigned char *CAEEmbeddedModels_tutorial_bytes(void) { return caeembeddedmodels_tutorial; }

size_t CAEEmbeddedModels_tutorial_size(void) { return sizeof(caeembeddedmodels_tutorial); }

const unsigned char *CAEEmbeddedModels_blind_bytes(void) { return caeembeddedmodels_blind; }

size_t CAEEmbeddedModels_blind_size(void) { return sizeof(caeembeddedmodels_blind); }
