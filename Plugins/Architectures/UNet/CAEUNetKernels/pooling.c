// 2x2 max pooling; see CAEUNetKernels.h. Comparisons only: the same result at any vector width.
#include "CAEUNetKernels.h"
#include "clones.h"

CAE_CLONES void CAEUNetKernels_max_pool(
    const float *input, size_t images, size_t side, size_t channels, float *output, uint8_t *chosen) {
    size_t half = side / 2;
    for (size_t image = 0; image < images; image++) {
        for (size_t y = 0; y < half; y++) {
            for (size_t x = 0; x < half; x++) {
                const float *corner = input + ((image * side + 2 * y) * side + 2 * x) * channels;
                const float *window[4] = {corner, corner + channels, corner + side * channels,
                                          corner + (side + 1) * channels};
                size_t target = ((image * half + y) * half + x) * channels;
                float *out = output + target;
                uint8_t *which = chosen ? chosen + target : 0;
                _Pragma("clang loop vectorize(assume_safety)") for (size_t c = 0; c < channels; c++) {
                    float best = window[0][c];
                    uint8_t k = 0;
                    for (uint8_t w = 1; w < 4; w++) {
                        float value = window[w][c];
                        int take = value > best || value != value;
                        best = take ? value : best;
                        k = take ? w : k;
                    }
                    out[c] = best;
                    if (which) which[c] = k;
                }
            }
        }
    }
}
