// The float32 kernel set for SSE4.1, compiled with that instruction set only.
#include "kernels/simd/f32_simd.hpp"

namespace edgeae::kernels {
extern const KernelSet kSse41 = simd::make_kernel_set<xsimd::sse4_1>("sse4.1");
}  // namespace edgeae::kernels
