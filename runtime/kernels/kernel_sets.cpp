// Which kernel sets this build holds and which this CPU can run.
#include <string.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "kernels/kernel_set.hpp"

namespace edgeae {

void reference_dense_s8(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                        const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  ref::dense_s8_packed(s, q, a, b, bias, y);
}

namespace kernels {

// The oracle: the reference kernels throughout, tables included.
const KernelSet kReference = [] {
  KernelSet set = reference_float_set("reference", reference_dense_s8, ref::add_s8, nullptr);
  set.prelu_s8 = ref::prelu_s8;
  set.concat_s8 = ref::concat_s8;
  return set;
}();

}  // namespace kernels

namespace {

// The sets of this build, narrowest first; `runnable` asks the CPU.
struct Candidate {
  const KernelSet* set;
  bool (*runnable)();
};

bool always() {
  return true;
}
#if defined(EDGEAE_HAVE_X86_KERNELS)
bool has_sse41() {
  return __builtin_cpu_supports("sse4.1");
}
bool has_avx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
// The AVX-512 unit is built for Skylake-X and later (F, DQ, BW, VL).
bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
bool has_avx512_vnni() {
  return has_avx512() && __builtin_cpu_supports("avx512vnni");
}
#endif
#if defined(EDGEAE_HAVE_NEON_KERNELS) && defined(__aarch64__)
// The dot-product extension, as the kernel reports it (Linux); elsewhere
// only when the compiler targets it.
bool has_dotprod() {
#if defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#else
  return __ARM_FEATURE_DOTPROD + 0 != 0;
#endif
}
#endif

const Candidate kCandidates[] = {
    {&kernels::kReference, always},
#if defined(EDGEAE_HAVE_X86_KERNELS)
    {&kernels::kSse41, has_sse41},
    {&kernels::kAvx2, has_avx2},
    {&kernels::kAvx512, has_avx512},
    {&kernels::kAvx512Vnni, has_avx512_vnni},
#endif
#if defined(EDGEAE_HAVE_NEON_KERNELS)
    {&kernels::kNeon, always},
#if defined(__aarch64__)
    {&kernels::kNeonDot, has_dotprod},
#endif
#endif
#if defined(EDGEAE_HAVE_CORTEXM_KERNELS) && defined(__ARM_FEATURE_DSP)
    // Bare-metal Cortex-M: what the -mcpu flags enable is what the core has.
    {&kernels::kArmDsp, always},
#endif
#if defined(EDGEAE_HAVE_CORTEXM_KERNELS) && defined(__ARM_FEATURE_MVE)
    {&kernels::kArmMve, always},
#endif
};
constexpr size_t kCandidateCount = sizeof kCandidates / sizeof kCandidates[0];

}  // namespace

const KernelSet* reference_kernels() {
  return &kernels::kReference;
}

size_t kernel_set_count() {
  size_t n = 0;
  for (const Candidate& c : kCandidates) n += c.runnable() ? 1 : 0;
  return n;
}

const KernelSet* kernel_set(size_t i) {
  for (const Candidate& c : kCandidates) {
    if (!c.runnable()) continue;
    if (i-- == 0) return c.set;
  }
  return nullptr;
}

const KernelSet* best_kernels() {
  return kernel_set(kernel_set_count() - 1);
}

const char* kernel_set_name(const KernelSet* set) {
  return set ? set->name : "";
}

const KernelSet* find_kernel_set(const char* name) {
  for (size_t i = 0; i < kCandidateCount; ++i)
    if (kCandidates[i].runnable() && name && strcmp(kCandidates[i].set->name, name) == 0)
      return kCandidates[i].set;
  return nullptr;
}

}  // namespace edgeae
