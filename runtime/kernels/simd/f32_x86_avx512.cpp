// The float32 kernel set for AVX-512 (F), compiled with that instruction set only.
#include "kernels/simd/f32_simd.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::kernels {
// AVX-512 without VNNI (Skylake-X) runs the AVX2 int8 kernels; with VNNI
// (Ice Lake, Zen 4 and later) its own.
extern const KernelSet kAvx512 =
    simd::make_kernel_set<xsimd::avx512f>("avx512", simd::dense_s8_avx2);
extern const KernelSet kAvx512Vnni = simd::make_kernel_set<xsimd::avx512f>(
    "avx512-vnni", simd::dense_s8_avx512vnni, simd::add_s8_avx512, simd::conv_s8_avx512vnni);
}  // namespace edgeae::kernels
