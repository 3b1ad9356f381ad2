#include "CAEDefaultModel.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char caedefaultmodel_data[] = {
#embed "default-model.safetensors"
};

const unsigned char *CAEDefaultModel_bytes(void) { return caedefaultmodel_data; }

size_t CAEDefaultModel_size(void) { return sizeof(caedefaultmodel_data); }
