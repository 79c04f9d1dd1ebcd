/* Start-up code shared by the Cortex-M boards (M4F, M7, M55): the vector
 * table, the reset handler (FPU, and Helium where present, on; on ARMv8-M the
 * stack limit set; .data copied, .bss zeroed, the stack painted,
 * constructors run, main called, its status passed to board_exit) and a
 * fault handler that exits with status 90 + the exception number. A board
 * whose start-up differs (clocks, caches, a vendor vector table) brings its
 * own file instead and lists it in board.cmake. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);
int main(void);

#define STACK_PAINT 0xdeadbeefu
#define CPACR (*(volatile uint32_t*)0xE000ED88u)
#define ICSR (*(volatile uint32_t*)0xE000ED04u)

__attribute__((noreturn)) void Reset_Handler(void) {
  CPACR |= 0xFu << 20; /* CP10, CP11: full access (the FPU, and MVE on the M55) */
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#if defined(__ARM_ARCH) && __ARM_ARCH >= 8
  /* ARMv8-M: a stack overflow faults (UsageFault STKOF, here a HardFault)
   * instead of silently overwriting .bss. */
  __asm__ volatile("msr msplim, %0" : : "r"(__stack_limit));
#endif
  /* (Caches stay off: QEMU does not model them. On a real M7, enable the I-
   * and D-cache here after invalidating them.) */
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* p = __bss_start; p < __bss_end;) *p++ = 0;
  /* Paint the stack below this frame to measure its high-water mark. */
  uint32_t* sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t* p = __stack_limit; p < sp - 16;) *p++ = STACK_PAINT;
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  board_exit(main());
}

size_t board_stack_used(void) {
  const uint32_t* p = __stack_limit;
  while (p < __stack_top && *p == STACK_PAINT) ++p;
  return (size_t)((const char*)__stack_top - (const char*)p);
}

size_t board_stack_size(void) {
  return (size_t)((char*)__stack_top - (char*)__stack_limit);
}

__attribute__((noreturn)) void Fault_Handler(void) {
  board_write("fault: exception ");
  char text[4] = {0};
  const unsigned n = ICSR & 0x1FFu;
  text[0] = (char)('0' + n / 10 % 10);
  text[1] = (char)('0' + n % 10);
  board_write(text);
  board_write("\n");
  board_exit(90 + (int)(n < 10 ? n : 9));
}

/* Vectors 0..15 (initial SP, reset, the 14 system exceptions); this demo
 * enables no interrupts, so there are no IRQ vectors. */
__attribute__((section(".isr_vector"), used)) void (*const vector_table[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0,
    0,
    0,
    0,
    Fault_Handler, /* SVCall */
    Fault_Handler, /* DebugMonitor */
    0,
    Fault_Handler, /* PendSV */
    Fault_Handler, /* SysTick */
};
