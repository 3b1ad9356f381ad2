// C library calls Swift's Glibc module does not expose.
#ifndef CAESYSTEM_H
#define CAESYSTEM_H

/// Keeps freed blocks up to `bytes` in the heap instead of unmapping them
/// (mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD), so that buffers freed and
/// allocated again batch after batch do not fault their pages in each time.
void CAESystem_keep_allocations_up_to(int bytes);

#include <stddef.h>

/// Asks the kernel to back the whole 2 MiB pages inside [address,
/// address + size) with huge pages, now (MADV_COLLAPSE) and when faulted
/// in again. Large buffers streamed every training step then cost far
/// fewer TLB misses. Failure is harmless and ignored.
void CAESystem_prefer_huge_pages(void *address, size_t size);

#endif
