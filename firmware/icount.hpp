// Instruction counting in the guest for the firmware benches (bench.cpp,
// kernel_tests.cpp). Under QEMU with `-icount shift=0` the virtual clock
// advances once per executed instruction, so SysTick (CSR = 5: the processor
// clock) counts instructions: one tick is 40 of them on mps2 (25 MHz), about
// 31 on mps3 (32 MHz); instructions_per_tick_x1000() calibrates the ratio
// with a loop of a known instruction count. These are instruction counts,
// not cycles (QEMU models no pipeline, caches or wait states); without
// -icount they are meaningless.
#pragma once

#include <stdint.h>

namespace edgeae_fw {

inline volatile uint32_t& reg(uintptr_t address) {
  return *reinterpret_cast<volatile uint32_t*>(address);
}
constexpr uintptr_t kSystCsr = 0xE000E010u, kSystRvr = 0xE000E014u, kSystCvr = 0xE000E018u;

// SysTick as a free-running 24-bit down-counter: the ticks between two
// reads, modulo 2^24 (a span of 2^24 ticks, some 500 million instructions,
// would wrap unseen; one op of these models is far shorter).
struct Ticks {
  uint32_t start;
  static void start_counter() {
    reg(kSystCsr) = 0;
    reg(kSystRvr) = 0x00FFFFFFu;
    reg(kSystCvr) = 0;
    reg(kSystCsr) = 5u;  // enable, processor clock, no interrupt
    while (reg(kSystCvr) == 0) {
    }  // until the first reload
  }
  static Ticks begin() {
    asm volatile("" ::: "memory");
    return Ticks{reg(kSystCvr)};
  }
  uint32_t end() const {
    asm volatile("" ::: "memory");
    return (start - reg(kSystCvr)) & 0x00FFFFFFu;
  }
};

// Instructions per SysTick tick, from a loop of 2 * n + 1 instructions.
inline uint32_t instructions_per_tick_x1000() {
  const uint32_t n = 1000000;
  const Ticks t = Ticks::begin();
  uint32_t counter = n;
  asm volatile(
      "1: subs %0, %0, #1\n\t"
      "bne 1b"
      : "+r"(counter)
      :
      : "cc");
  const uint32_t ticks = t.end();
  if (ticks == 0) return 0;
  return static_cast<uint32_t>((uint64_t{2} * n + 1) * 1000u / ticks);
}

}  // namespace edgeae_fw
