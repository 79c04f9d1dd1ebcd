// Kernel sets: the float32 kernels a session runs with. The reference set
// (plain scalar C++, the oracle) is always there; a build also holds the
// optimized sets for its target (x86: SSE4.1, AVX2+FMA, AVX-512 chosen at run
// time by CPU detection; ARM: NEON, chosen at compile time). Every optimized
// kernel is tested against the reference one on random shapes.
//
//   edgeae::Session s;
//   s.init(model, arena, bytes);                              // best for this CPU
//   s.init(model, arena, bytes, edgeae::reference_kernels()); // the oracle
#pragma once

#include <stddef.h>

namespace edgeae {

struct KernelSet;  // opaque: a table of kernel functions

// The scalar reference kernels.
const KernelSet* reference_kernels();
// The fastest set this CPU can run.
const KernelSet* best_kernels();
// Every set this build holds and this CPU can run, reference first, then in
// increasing order of vector width.
size_t kernel_set_count();
const KernelSet* kernel_set(size_t i);  // null if i is out of range
// "reference", "sse4.1", "avx2", "avx512", "avx512-vnni", "neon", "neon-dot",
// "arm-dsp" (Cortex-M with the DSP extension), "arm-mve" (Cortex-M with
// Helium, integer MVE).
const char* kernel_set_name(const KernelSet* set);
// The set with that name if this build has it and this CPU can run it.
const KernelSet* find_kernel_set(const char* name);

}  // namespace edgeae
