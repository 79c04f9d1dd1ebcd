// float32 kernels written once over xsimd batches and compiled per
// instruction set (f32_x86_*.cpp, f32_neon.cpp), each translation unit with
// its own ISA flags. Everything here has internal linkage so that no inline
// function compiled for AVX-512 can be picked by the linker for a plain SSE
// caller (the classic multi-ISA ODR trap).
//
// Weights are read in place in the blob's layout: Dense B is [K, N] and conv
// weights are [KH, KW, Cin/g, Cout], so for every input element the weights
// of all output channels it feeds form one contiguous row: the kernels keep
// T vectors of output channels for P output pixels in registers, broadcast
// each input element once and stream the rows. Output channels that do not
// fill a vector run scalar (channel counts of encoder/decoders are nearly
// always multiples of 16; a single output channel has its own path).
//
// Results differ from the reference only by float summation order (split
// accumulators), which the testers bound at 1e-5 relative.
#pragma once

#include "kernels/portable/portable_kernels.hpp"
#include "kernels/simd/f32_conv.hpp"
#include "kernels/simd/f32_conv_rows.hpp"
#include "kernels/simd/f32_conv_stationary.hpp"
#include "kernels/simd/f32_conv_transpose_k3s2.hpp"
#include "kernels/simd/f32_conv_transpose_s2.hpp"
#include "kernels/simd/f32_dense.hpp"
#include "kernels/simd/f32_elementwise.hpp"
#include "kernels/simd/f32_pool.hpp"

namespace edgeae::simd {
namespace {

// The kernel set for instruction set A.
template <class A>
// The float kernels of A with the given integer kernels (the reference ones
// where a set has none of its own).
constexpr KernelSet make_kernel_set(const char* name,
                                    decltype(KernelSet::dense_s8) dense_s8 = reference_dense_s8,
                                    decltype(KernelSet::add_s8) add_s8 = portable::add_s8_tables,
                                    decltype(KernelSet::conv_s8) conv_s8 = nullptr) {
  return KernelSet{name,
                   dense<A>,
                   conv<A>,
                   conv_transpose<A>,
                   binary<A>,
                   activation<A>,
                   max_pool<A>,
                   average_pool<A>,
                   global_average_pool<A>,
                   dense_s8,
                   ref::dense_s16,
                   ref::dense_s16x16,
                   add_s8,
                   conv_s8,
                   portable::prelu_s8_tables,
                   portable::concat_s8_tables,
                   reference_dense_s8,  // DSP pairs: an Arm-DSP layout, read by the reference here
                   nullptr};
}

}  // namespace
}  // namespace edgeae::simd
