// ConvTranspose over channels-last tensors, written as a gather so that each
// output element is computed once: it is the adjoint (transpose) of conv_f32
// with the same stride, padding and dilation. Output positions no tap
// reaches (e.g. the output_padding rows) keep just the bias.
#include "kernels/reference/conv_geometry.hpp"

namespace edgeae::ref {

void conv_transpose_f32(const ConvShape& s, const float* x, const float* w, const float* bias,
                        const ActivationSpec& act, float* y) {
  for_each_conv_output(s, y, [&](uint32_t n, uint32_t oh, uint32_t ow, uint32_t oc) {
    float acc = bias != nullptr ? bias[oc] : 0.0f;
    for_each_conv_tap<true>(s, x, w, n, oh, ow, oc,
                            [&](const float* xp, const float* wp, uint32_t cin_g) {
                              for (uint32_t ic = 0; ic < cin_g; ++ic)
                                acc += xp[ic] * wp[size_t{ic} * s.out_c];
                            });
    return conv_epilogue(s, act, acc, n, oh, ow, oc);
  });
}

}  // namespace edgeae::ref
