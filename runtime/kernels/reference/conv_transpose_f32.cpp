// ConvTranspose over channels-last tensors, written as a gather so that each
// output element is computed once: it is the adjoint (transpose) of conv_f32
// with the same stride, padding and dilation.
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void conv_transpose_f32(const ConvShape& s, const float* x, const float* w, const float* bias,
                        const ActivationSpec& act, float* y) {
  const format::ConvParams& p = s.p;
  const uint32_t kh_count = static_cast<uint32_t>(p.kernel[0]);
  const uint32_t kw_count = static_cast<uint32_t>(p.kernel[1]);
  const int64_t stride_h = p.stride[0];
  const int64_t stride_w = p.stride[1];
  const uint32_t groups = p.groups > 0 ? static_cast<uint32_t>(p.groups) : 1;
  const uint32_t cin_g = s.in_c / groups;
  const uint32_t cout_g = s.out_c / groups;

  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        for (uint32_t oc = 0; oc < s.out_c; ++oc) {
          const uint32_t g = oc / cout_g;
          // Positions no tap reaches (e.g. the output_padding rows) keep just the bias.
          float acc = bias != nullptr ? bias[oc] : 0.0f;
          for (uint32_t kh = 0; kh < kh_count; ++kh) {
            // Solve ih * stride - pad_begin + kh * dilation == oh for an integral,
            // in-range ih.
            const int64_t th = int64_t{oh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0];
            if (th < 0 || th % stride_h != 0) continue;
            const int64_t ih = th / stride_h;
            if (ih >= int64_t{s.in_h}) continue;
            for (uint32_t kw = 0; kw < kw_count; ++kw) {
              const int64_t tw = int64_t{ow} + p.pad_begin[1] - int64_t{kw} * p.dilation[1];
              if (tw < 0 || tw % stride_w != 0) continue;
              const int64_t iw = tw / stride_w;
              if (iw >= int64_t{s.in_w}) continue;
              const float* xp = x +
                                ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.in_c +
                                size_t{g} * cin_g;
              // Weights are [KH, KW, Cin/groups, Cout]: output channels contiguous.
              const float* wp = w + (size_t{kh} * kw_count + kw) * cin_g * s.out_c + oc;
              for (uint32_t ic = 0; ic < cin_g; ++ic) acc += xp[ic] * wp[size_t{ic} * s.out_c];
            }
          }
          y[((size_t{n} * s.out_h + oh) * s.out_w + ow) * s.out_c + oc] = activate(act, acc, oc);
        }
      }
    }
  }
}

}  // namespace edgeae::ref
