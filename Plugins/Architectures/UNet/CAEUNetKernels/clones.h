// CAE_CLONES: a function compiled for AVX-512, AVX2 and the baseline, the
// CPU's pick made when the library loads (an ifunc). Only for code whose
// results do not depend on the vector width. Off under ThreadSanitizer,
// whose runtime is not ready when ifunc resolvers run (the test binary
// crashed at load).
#ifndef CAEUNETKERNELS_CLONES_H
#define CAEUNETKERNELS_CLONES_H

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CAE_CLONES
#endif
#endif

#ifndef CAE_CLONES
#define CAE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

#endif
