// int8 Conv and ConvTranspose (groups 1, quad-packed weights) on any kernel
// set: the input values each output pixel reads (KH*KW*Cin of them, the zero
// point where a tap reaches no input) are gathered into the op's planned
// scratch for a tile of pixels, and the set's int8 Dense multiplies the
// tile by the packed [KH*KW*Cin, Cout] weights. A missing tap contributes
// (zp - zp) * w = 0, as in the reference, so the result is bit-exact.
#pragma once

#include "kernels/kernel_set.hpp"

namespace edgeae::detail {

void conv_s8_gathered(decltype(KernelSet::dense_s8) dense_s8, const ref::ConvShape& s,
                      bool transposed, const ref::LayerQuant& q, const int8_t* x, const int8_t* w,
                      const int32_t* bias, const int32_t* column_sums, int8_t* scratch,
                      size_t scratch_bytes, int8_t* y);

}  // namespace edgeae::detail
