#include "CAEStartup.h"

#include "CAESystem.h"

#include <signal.h>

static int caestartup_done = 0;

// Runs before main: closed standard streams are held (see
// CAESystem_hold_standard_streams), and SIGINT and SIGTERM are honoured from
// the first instruction of Swift code on, whatever a parent set them to.
__attribute__((constructor)) static void caestartup_install(void) {
    CAESystem_hold_standard_streams();
    CAESystem_install_stop_handlers();
    // A file-size limit (ulimit -f) makes a write fail with EFBIG, reported as
    // any write error, instead of killing the process without a word.
    signal(SIGXFSZ, SIG_IGN);
    caestartup_done = 1;
}

int CAEStartup_ran(void) { return caestartup_done; }
