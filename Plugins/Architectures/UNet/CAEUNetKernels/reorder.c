// A convolution's half-precision weights reordered; see CAEUNetKernels.h. Copies only.
#include "CAEUNetKernels.h"

#include <string.h>

void CAEUNetKernels_reorder_halves(const void *source, uint16_t *target, size_t outputs, size_t inputs, size_t taps) {
    const unsigned char *in = source;
    for (size_t o = 0; o < outputs; o++) {
        const unsigned char *block = in + 2 * o * inputs * taps;
        for (size_t t = 0; t < taps; t++) {
            for (size_t i = 0; i < inputs; i++) {
                uint16_t h;
                memcpy(&h, block + 2 * (i * taps + t), 2);
                *target++ = h;
            }
        }
    }
}
