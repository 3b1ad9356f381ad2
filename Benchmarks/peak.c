// The machine's peak float arithmetic: every core runs 12 independent chains
// of fused multiply-adds, 8 (AVX2) or 16 (AVX-512) lanes wide, for about
// a second. Prints GFLOP/s over all threads (2 flops per lane per FMA), each
// thread's rate counted over its own CPU time, so that other processes on a
// shared machine do not hide the cores' peak.
// Usage: peak THREADS avx2|avx512   (built by Benchmarks/speed.py)
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const long rounds = 20000000;
static float sink[64];
static double rates[256];

static double cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

__attribute__((target("avx2,fma"))) static void *peak_avx2(void *arg) {
    double start = cpu_seconds();
    __m256 x[12], m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) x[i] = _mm256_set1_ps((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 12; i++) x[i] = _mm256_fmadd_ps(x[i], m, a);
    for (int i = 1; i < 12; i++) x[0] = _mm256_add_ps(x[0], x[i]);
    rates[(long)arg] = rounds * 12.0 * 8 * 2 / (cpu_seconds() - start) * 1e-9;
    _mm256_storeu_ps(sink + 8 * (long)arg % 56, x[0]);
    return NULL;
}

__attribute__((target("avx512f"))) static void *peak_avx512(void *arg) {
    double start = cpu_seconds();
    __m512 x[12], m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) x[i] = _mm512_set1_ps((float)i);
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < 12; i++) x[i] = _mm512_fmadd_ps(x[i], m, a);
    for (int i = 1; i < 12; i++) x[0] = _mm512_add_ps(x[0], x[i]);
    rates[(long)arg] = rounds * 12.0 * 16 * 2 / (cpu_seconds() - start) * 1e-9;
    _mm512_storeu_ps(sink + 16 * ((long)arg % 3), x[0]);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    int wide = argc > 2 && strcmp(argv[2], "avx512") == 0;
    pthread_t ids[256];
    for (long t = 0; t < threads && t < 256; t++) pthread_create(&ids[t], NULL, wide ? peak_avx512 : peak_avx2, (void *)t);
    for (int t = 0; t < threads && t < 256; t++) pthread_join(ids[t], NULL);
    double total = 0;
    for (int t = 0; t < threads && t < 256; t++) total += rates[t];
    printf("%.1f\n", total);
    return 0;
}
