#include "CAESystem.h"

#include <malloc.h>

void CAESystem_keep_allocations_up_to(int bytes) {
    mallopt(M_MMAP_THRESHOLD, bytes);
    mallopt(M_TRIM_THRESHOLD, 2 * bytes);
}
