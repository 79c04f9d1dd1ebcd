// Integer ConvTranspose: the gather of conv_transpose_f32 (the adjoint of
// conv with the same stride, padding and dilation) on zero-point-corrected
// inputs, with a requantized accumulator.
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

template <typename T, typename Acc, typename Bias>
void conv_transpose(const ConvShape& s, int32_t in_zp, const RequantParams& q, const T* x,
                    const int8_t* w, const Bias* bias, T* y) {
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
          // Positions no tap reaches keep just the bias.
          Acc acc = bias != nullptr ? bias[oc] : Acc{0};
          for (uint32_t kh = 0; kh < kh_count; ++kh) {
            // ih * stride - pad_begin + kh * dilation == oh, ih integral and in range.
            const int64_t th = int64_t{oh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0];
            if (th < 0 || th % stride_h != 0) continue;
            const int64_t ih = th / stride_h;
            if (ih >= int64_t{s.in_h}) continue;
            for (uint32_t kw = 0; kw < kw_count; ++kw) {
              const int64_t tw = int64_t{ow} + p.pad_begin[1] - int64_t{kw} * p.dilation[1];
              if (tw < 0 || tw % stride_w != 0) continue;
              const int64_t iw = tw / stride_w;
              if (iw >= int64_t{s.in_w}) continue;
              const T* xp = x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.in_c +
                            size_t{g} * cin_g;
              const int8_t* wp = w + (size_t{kh} * kw_count + kw) * cin_g * s.out_c + oc;
              for (uint32_t ic = 0; ic < cin_g; ++ic) {
                acc += Acc{xp[ic] - in_zp} * wp[size_t{ic} * s.out_c];
              }
            }
          }
          y[((size_t{n} * s.out_h + oh) * s.out_w + ow) * s.out_c + oc] =
              static_cast<T>(detail::requantize(acc, q, oc));
        }
      }
    }
  }
}

}  // namespace

void conv_transpose_s8(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
                       const int32_t* bias, int8_t* y) {
  conv_transpose<int8_t, int32_t>(s, q.in_zp, q.out, x, w, bias, y);
}

void conv_transpose_s16(const ConvShape& s, const RequantParams& q, const int16_t* x,
                        const int8_t* w, const int64_t* bias, int16_t* y) {
  conv_transpose<int16_t, int64_t>(s, 0, q, x, w, bias, y);
}

}  // namespace edgeae::ref
