// What the ae-filter executable does before any Swift code runs.
#ifndef CAESTARTUP_H
#define CAESTARTUP_H

/// Whether the start-up code ran (always 1; referencing it keeps it linked).
int CAEStartup_ran(void);

#endif
