// C library calls Swift's Glibc module does not expose.
#ifndef CAESYSTEM_H
#define CAESYSTEM_H

/// Keeps freed blocks up to `bytes` in the heap instead of unmapping them
/// (mallopt M_MMAP_THRESHOLD and M_TRIM_THRESHOLD), so that buffers freed and
/// allocated again batch after batch do not fault their pages in each time.
void CAESystem_keep_allocations_up_to(int bytes);

#endif
