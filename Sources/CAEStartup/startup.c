#include "CAEStartup.h"

#include "CAESystem.h"

static int caestartup_done = 0;

// Runs before main: SIGINT and SIGTERM are honoured from the first
// instruction of Swift code on, whatever a parent set them to.
__attribute__((constructor)) static void caestartup_install(void) {
    CAESystem_install_stop_handlers();
    caestartup_done = 1;
}

int CAEStartup_ran(void) { return caestartup_done; }
