// libFuzzer's driver, for targets that bring their own main (SwiftPM names
// an executable's entry point itself, so libFuzzer's main is not used).
#ifndef CFUZZER_H
#define CFUZZER_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
