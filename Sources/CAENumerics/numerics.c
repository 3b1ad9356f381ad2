#include "CAENumerics.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx,f16c"))) static void caenumerics_half_to_float_f16c(const void *halves, float *out,
                                                                                size_t count) {
    const unsigned char *in = halves;
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm_loadu_si128((const __m128i *)(in + 2 * i));
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    for (; i < count; i++) {
        uint16_t h;
        memcpy(&h, in + 2 * i, 2);
        out[i] = _cvtsh_ss(h);
    }
}
#endif

/// One half, by its bits: normal, subnormal, zero, infinity, NaN (payload kept).
static float caenumerics_half(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FF;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal: shift the mantissa up until its leading 1 is implicit.
        int shift = 0;
        while (!(mantissa & 0x400)) {
            mantissa <<= 1;
            shift++;
        }
        bits = sign | ((uint32_t)(113 - shift) << 23) | ((mantissa & 0x3FF) << 13);
    }
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

void CAENumerics_half_to_float(const void *halves, float *out, size_t count) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx")) {
        caenumerics_half_to_float_f16c(halves, out, count);
        return;
    }
#endif
    CAENumerics_half_to_float_portable(halves, out, count);
}

void CAENumerics_half_to_float_portable(const void *halves, float *out, size_t count) {
    const unsigned char *in = halves;
    for (size_t i = 0; i < count; i++) {
        uint16_t h;
        memcpy(&h, in + 2 * i, 2);
        out[i] = caenumerics_half(h);
    }
}

int CAENumerics_all_finite(const float *values, size_t count) {
    // An exponent of all ones is NaN or infinity; OR-ing a test over blocks lets the compiler vectorize.
    size_t i = 0;
    for (; i + 64 <= count; i += 64) {
        uint32_t bad = 0;
        for (size_t j = 0; j < 64; j++) {
            uint32_t bits;
            memcpy(&bits, values + i + j, 4);
            bad |= (uint32_t)((bits & 0x7F800000) == 0x7F800000);
        }
        if (bad) return 0;
    }
    for (; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, values + i, 4);
        if ((bits & 0x7F800000) == 0x7F800000) return 0;
    }
    return 1;
}

int CAENumerics_all_finite_half(const void *halves, size_t count) {
    // An exponent of all ones (0x7C00) is NaN or infinity.
    const unsigned char *in = halves;
    size_t i = 0;
    for (; i + 64 <= count; i += 64) {
        uint16_t bad = 0;
        for (size_t j = 0; j < 64; j++) {
            uint16_t h;
            memcpy(&h, in + 2 * (i + j), 2);
            bad |= (uint16_t)((h & 0x7C00) == 0x7C00);
        }
        if (bad) return 0;
    }
    for (; i < count; i++) {
        uint16_t h;
        memcpy(&h, in + 2 * i, 2);
        if ((h & 0x7C00) == 0x7C00) return 0;
    }
    return 1;
}
