// The float32 kernel set for AVX-512 (F), compiled with that instruction set only.
#include "kernels/simd/f32_simd.hpp"

namespace edgeae::kernels {
extern const KernelSet kAvx512 = simd::make_kernel_set<xsimd::avx512f>("avx512");
}  // namespace edgeae::kernels
