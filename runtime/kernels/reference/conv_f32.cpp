// Conv over channels-last tensors (ONNX Conv semantics, layout transposed):
// each output is the bias plus, over every tap that lands inside the input
// (padding is zero), the dot product of the tap's input channels of the
// output channel's group with that channel's weights.
#include "kernels/reference/conv_geometry.hpp"

namespace edgeae::ref {

void conv_f32(const ConvShape& s, const float* x, const float* w, const float* bias,
              const ActivationSpec& act, float* y) {
  for_each_conv_output(s, y, [&](uint32_t n, uint32_t oh, uint32_t ow, uint32_t oc) {
    float acc = bias != nullptr ? bias[oc] : 0.0f;
    for_each_conv_tap<false>(s, x, w, n, oh, ow, oc,
                             [&](const float* xp, const float* wp, uint32_t cin_g) {
                               for (uint32_t ic = 0; ic < cin_g; ++ic)
                                 acc += xp[ic] * wp[size_t{ic} * s.out_c];
                             });
    return conv_epilogue(s, act, acc, n, oh, ow, oc);
  });
}

}  // namespace edgeae::ref
