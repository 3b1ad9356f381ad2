#include "CAESystem.h"

#include <malloc.h>

void CAESystem_keep_allocations_up_to(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, 2 * bytes);
}

#include <stdint.h>
#include <sys/mman.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

void CAESystem_prefer_huge_pages(void *address, size_t size) {
    const uintptr_t huge = 2u << 20;
    uintptr_t start = ((uintptr_t)address + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)address + size) & ~(huge - 1);
    if (end <= start) return;
    // Advice only: kernels without transparent huge pages or MADV_COLLAPSE
    // (before Linux 6.1) refuse it, and the memory works as before.
    madvise((void *)start, end - start, MADV_HUGEPAGE);
    madvise((void *)start, end - start, MADV_COLLAPSE);
}
