#define _GNU_SOURCE
#include "CAESystem.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

int CAESystem_usable_cpus(void) {
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0) return 1;
    return CPU_COUNT(&mask);
}

struct caesystem_elsewhere {
    void (*start)(void *);
    void *context;
    cpu_set_t mask;
    int has_mask;
};

static void *caesystem_elsewhere_main(void *argument) {
    struct caesystem_elsewhere job = *(struct caesystem_elsewhere *)argument;
    free(argument);
    // Started away from its creator; from now on it may go anywhere the creator may.
    if (job.has_mask) sched_setaffinity(0, sizeof job.mask, &job.mask);
    job.start(job.context);
    return NULL;
}

int CAESystem_start_thread_elsewhere(void (*start)(void *), void *context) {
    struct caesystem_elsewhere *job = malloc(sizeof *job);
    if (job == NULL) return ENOMEM;
    job->start = start;
    job->context = context;
    job->has_mask = sched_getaffinity(0, sizeof job->mask, &job->mask) == 0;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    // A helper's work is flat (a few frames over C kernels): 1 MiB of stack,
    // not the default 8, keeps its address space small.
    pthread_attr_setstacksize(&attributes, 1 << 20);
    if (job->has_mask) {
        cpu_set_t others = job->mask;
        int current = sched_getcpu();
        if (current >= 0) CPU_CLR(current, &others);
        if (CPU_COUNT(&others) > 0) pthread_attr_setaffinity_np(&attributes, sizeof others, &others);
    }
    pthread_t thread;
    int status = pthread_create(&thread, &attributes, caesystem_elsewhere_main, job);
    pthread_attr_destroy(&attributes);
    if (status != 0) free(job);
    return status;
}
