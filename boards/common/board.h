/* What a board gives the firmware demo (docs/porting.md): text output, an
 * exit status for the caller, and the stack high-water mark. The QEMU boards
 * implement the first two with Arm semihosting (semihosting.c) and the last
 * in their start-up code (boards/common/startup_cortexm.c). */
#ifndef EDGEAE_BOARD_H
#define EDGEAE_BOARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the host console. */
void board_write(const char* text);
/* Ends the program with a status the caller sees (QEMU's exit code). */
void board_exit(int status) __attribute__((noreturn));
/* Bytes of the main stack used so far (the start-up code paints it). */
size_t board_stack_used(void);
/* Bytes reserved for the main stack by the linker script. */
size_t board_stack_size(void);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAE_BOARD_H */
