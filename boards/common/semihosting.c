/* Board I/O over Arm semihosting (QEMU: -semihosting-config
 * enable=on,target=native). Without a debugger or QEMU attached, a
 * semihosting call stops the core: a real board replaces this file with
 * its UART and reset/LED code. */
#include <stdint.h>

#include "board.h"

enum {
  kSysWrite0 = 0x04,       /* write a NUL-terminated string */
  kSysExitExtended = 0x20, /* exit with a status code */
  kAppExit = 0x20026       /* ADP_Stopped_ApplicationExit */
};

static uintptr_t semihost(uintptr_t op, const void* arg) {
  register uintptr_t r0 __asm__("r0") = op;
  register const void* r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void board_write(const char* text) {
  (void)semihost(kSysWrite0, text);
}

void board_exit(int status) {
  const uintptr_t block[2] = {kAppExit, (uintptr_t)(intptr_t)status};
  for (;;) (void)semihost(kSysExitExtended, block);
}
