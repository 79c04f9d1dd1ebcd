// The float32 kernel set for ARM NEON (AArch64 Advanced SIMD, or ARMv7 NEON
// with VFPv4), compiled with the target's own flags.
#include "kernels/simd/f32_simd.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::kernels {
#if defined(__aarch64__)
extern const KernelSet kNeon = simd::make_kernel_set<xsimd::neon64>("neon", simd::dense_s8_neon);
// Cores with the dot-product extension (Armv8.2+; chosen at run time).
extern const KernelSet kNeonDot =
    simd::make_kernel_set<xsimd::neon64>("neon-dot", simd::dense_s8_neon_dot);
#else
extern const KernelSet kNeon = simd::make_kernel_set<xsimd::neon>("neon", simd::dense_s8_neon);
#endif
}  // namespace edgeae::kernels
