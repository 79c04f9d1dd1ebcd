// The float32 kernel set for ARM NEON (AArch64 Advanced SIMD, or ARMv7 NEON
// with VFPv4), compiled with the target's own flags.
#include "kernels/simd/f32_simd.hpp"

namespace edgeae::kernels {
#if defined(__aarch64__)
extern const KernelSet kNeon = simd::make_kernel_set<xsimd::neon64>("neon");
#else
extern const KernelSet kNeon = simd::make_kernel_set<xsimd::neon>("neon");
#endif
}  // namespace edgeae::kernels
