// The 16-lane vectors and fused multiply-adds the CPU kernels share
// (gemm.c, outer.c). Included only by them: every helper is static inline.
#ifndef CAECPU_SIMD_H
#define CAECPU_SIMD_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#pragma clang fp contract(off)
// The 16-float vectors pass only between always-inlined helpers of one
// function, never across a call, so the ABI note clang gives for them on the
// paths without AVX-512 does not apply.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float caecpu_v16 __attribute__((ext_vector_type(16)));
typedef float caecpu_v8 __attribute__((ext_vector_type(8)));
typedef float caecpu_v4 __attribute__((ext_vector_type(4)));
typedef float caecpu_v2 __attribute__((ext_vector_type(2)));

// The arithmetic of one element, written once over 16 logical lanes; each
// path compiles it for its own register width, which changes no result.

__attribute__((always_inline)) static inline caecpu_v16 caecpu_load(const float *p) {
    caecpu_v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

// The first `count` (< 16) values of p, zeros after.
__attribute__((always_inline)) static inline caecpu_v16 caecpu_load_tail(const float *p, size_t count) {
    float lanes[16] = {0};
    memcpy(lanes, p, count * sizeof(float));
    return caecpu_load(lanes);
}

// One step of every lane: acc + a·b rounded once (IEEE fused multiply-add).
// Correctly rounded, so the AVX2 and AVX-512 paths' vfmadd and the generic
// path's emulation below give the same bits.
__attribute__((always_inline)) static inline caecpu_v16 caecpu_fma_hw(caecpu_v16 a, caecpu_v16 b, caecpu_v16 acc) {
    return __builtin_elementwise_fma(a, b, acc);
}

typedef double caecpu_d16 __attribute__((ext_vector_type(16)));
typedef int caecpu_i16 __attribute__((ext_vector_type(16)));
typedef int caecpu_i32 __attribute__((ext_vector_type(32)));

// fmaf without the instruction (x86-64's SSE2). a·b is exact in double, and
// rounding the double sum s to float is correctly rounded unless that sum
// was inexact (TwoSum's error e ≠ 0) and s lies on a midpoint between two
// floats, or s is in float's subnormal range: there, rarely, C's fmaf
// (correctly rounded, like the instruction) computes the lane again.
__attribute__((always_inline)) static inline caecpu_v16 caecpu_fma_emulated(caecpu_v16 a, caecpu_v16 b,
                                                                            caecpu_v16 acc) {
    caecpu_d16 p = __builtin_convertvector(a, caecpu_d16) * __builtin_convertvector(b, caecpu_d16);
    caecpu_d16 c = __builtin_convertvector(acc, caecpu_d16);
    caecpu_d16 s = p + c;
    caecpu_d16 bb = s - p;
    caecpu_d16 e = (p - (s - bb)) + (c - bb);
    caecpu_v16 result = __builtin_convertvector(s, caecpu_v16);
    // The low 32 bits of each double: a midpoint's low 29 bits are 1 << 28.
    caecpu_i32 halves = (caecpu_i32)s;
    caecpu_i16 low = __builtin_shufflevector(halves, halves, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
                                             30);
    caecpu_i16 suspect = ((low & 0x1fffffff) == 0x10000000) | __builtin_convertvector(
                                                                    __builtin_elementwise_abs(s) < 0x1p-125,
                                                                    caecpu_i16);
    caecpu_i16 redo = suspect & __builtin_convertvector(e != 0, caecpu_i16);
    if (__builtin_reduce_or(redo) != 0) {
        for (int lane = 0; lane < 16; lane++)
            if (redo[lane]) result[lane] = fmaf(a[lane], b[lane], acc[lane]);
    }
    return result;
}

// The path calls take now (CAECPU_PATH_GENERIC, _AVX2 or _AVX512): the
// forced one, else AE_FILTER_CPU_PATH's at the first call, else the best.
int caecpu_current(void);

#endif
