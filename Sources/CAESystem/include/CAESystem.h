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

/// Tells the CPU the caller is spinning on a memory location (x86 `pause`,
/// Arm `yield`), for the short waits at a thread team's barriers.
static inline void CAESystem_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Makes SIGINT and SIGTERM ask the process to stop: the first records its
/// number (CAESystem_stop_signal), a second of either ends the process at
/// once, as the default action would. Unblocks both, and overrides an
/// inherited "ignore". An executable calls it from its first instruction.
void CAESystem_install_stop_handlers(void);

/// The signal that asked the process to stop (SIGINT or SIGTERM), or 0.
int CAESystem_stop_signal(void);

/// Puts /dev/null on standard input, output or error where the parent left
/// it closed, before anything else is opened, so that no file the process
/// opens becomes "standard input"; remembers which it did. Call it first.
void CAESystem_hold_standard_streams(void);

/// Whether descriptor `fd` (0, 1 or 2) was closed when the process started.
int CAESystem_standard_stream_was_closed(int fd);

/// Flushes C's standard output; 0, or the errno of a write that failed at
/// any point (a full disk, a closed pipe).
int CAESystem_flush_stdout(void);

/// The number of CPUs the calling thread may run on (its affinity mask).
int CAESystem_usable_cpus(void);

/// Starts a detached thread that runs `start(context)` on another CPU than
/// the caller's, then may move to any CPU the caller may use. Linux puts a
/// new thread on its creator's CPU, where it can wait for the creator's
/// time slice to end (about 4 ms) while another CPU idles. Its stack is
/// 1 MiB. 0, or an errno.
int CAESystem_start_thread_elsewhere(void (*start)(void *), void *context);

#endif
