// The float32 kernel set for AVX2 with FMA, compiled with that instruction set only.
#include "kernels/simd/f32_simd.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::kernels {
extern const KernelSet kAvx2 =
    simd::make_kernel_set<xsimd::fma3<xsimd::avx2>>("avx2", simd::dense_s8_avx2);
}  // namespace edgeae::kernels
