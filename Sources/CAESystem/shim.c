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

#include <signal.h>
#include <time.h>

static volatile sig_atomic_t caesystem_stop = 0;
static struct timespec caesystem_stop_time;

static void caesystem_on_stop(int number) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (caesystem_stop != 0) {
        // One request often comes as two signals: timeout(1) signals the
        // command and then its whole process group, and a terminal's ^C
        // reaches a shell pipeline's every process. So a repeat within a
        // second is the same request; a later one ends the process now, with
        // the status the signal itself gives.
        const double since = (double)(now.tv_sec - caesystem_stop_time.tv_sec) +
                             (double)(now.tv_nsec - caesystem_stop_time.tv_nsec) * 1e-9;
        if (since < 1.0) return;
        signal(number, SIG_DFL);
        raise(number);
        return;
    }
    caesystem_stop_time = now;
    caesystem_stop = number;
}

void CAESystem_install_stop_handlers(void) {
    struct sigaction action;
    sigemptyset(&action.sa_mask);
    // Interrupted system calls are restarted: readers poll the flag instead.
    action.sa_flags = SA_RESTART;
    action.sa_handler = caesystem_on_stop;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int CAESystem_stop_signal(void) { return caesystem_stop; }

#include <errno.h>
#include <stdio.h>

int CAESystem_flush_stdout(void) {
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) return errno != 0 ? errno : EIO;
    return 0;
}

#include <fcntl.h>

static int caesystem_closed_streams = 0;

void CAESystem_hold_standard_streams(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        // Opened on the lowest free descriptor, which is this one: no file the
        // process opens later can take its place.
        int held = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (held == fd) caesystem_closed_streams |= 1 << fd;
    }
}

int CAESystem_standard_stream_was_closed(int fd) { return fd >= 0 && fd <= 2 && (caesystem_closed_streams >> fd) & 1; }
