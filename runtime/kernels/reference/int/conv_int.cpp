// Integer Conv over channels-last tensors: the loops of conv_f32 with
// zero-point-corrected int8 inputs and a requantized accumulator.
#include "kernels/reference/conv_geometry.hpp"
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

template <typename T, typename Acc, typename Bias, typename W>
void conv(const ConvShape& s, int32_t in_zp, const RequantParams& q, const T* x, const W* w,
          const Bias* bias, T* y) {
  // A padded tap is a real zero: x - in_zp = 0 adds nothing, so only the
  // taps that reach the input contribute.
  for_each_conv_output(s, y, [&](uint32_t n, uint32_t oh, uint32_t ow, uint32_t oc) {
    Acc acc = bias != nullptr ? bias[oc] : Acc{0};
    for_each_conv_tap<false>(s, x, w, n, oh, ow, oc, [&](const T* xp, const W* wp, uint32_t cin_g) {
      for (uint32_t ic = 0; ic < cin_g; ++ic) acc += Acc{xp[ic] - in_zp} * wp[size_t{ic} * s.out_c];
    });
    return static_cast<T>(detail::requantize(acc, q, oc));
  });
}

// Weights packed (quads or DSP pairs) as an [R, Cout] matrix, r = tap * Cin + ic.
template <bool kTransposed>
void conv_packed(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
                 const int32_t* bias, int8_t* y) {
  const uint32_t rows =
      static_cast<uint32_t>(s.p.kernel[0]) * static_cast<uint32_t>(s.p.kernel[1]) * s.in_c;
  const uint32_t rows_padded = (rows + 3) / 4 * 4;
  const auto block = static_cast<uint32_t>(s.p.w_block);
  for_each_conv_output(s, y, [&](uint32_t n, uint32_t oh, uint32_t ow, uint32_t oc) {
    int32_t acc = bias != nullptr ? bias[oc] : 0;
    for_each_conv_tap_index<kTransposed>(s, x, n, oh, ow, [&](const int8_t* xp, uint32_t tap) {
      for (uint32_t ic = 0; ic < s.in_c; ++ic)
        acc += (int32_t{xp[ic]} - q.in_zp) *
               format::packed_dense_weight(w, s.p.w_packing, tap * s.in_c + ic, oc, rows_padded,
                                           s.out_c, block);
    });
    return static_cast<int8_t>(detail::requantize(acc, q.out, oc));
  });
}

}  // namespace

void conv_s8_packed(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
                    const int32_t* bias, int8_t* y) {
  conv_packed<false>(s, q, x, w, bias, y);
}

void conv_transpose_s8_packed(const ConvShape& s, const LayerQuant& q, const int8_t* x,
                              const int8_t* w, const int32_t* bias, int8_t* y) {
  conv_packed<true>(s, q, x, w, bias, y);
}

void conv_s8(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
             const int32_t* bias, int8_t* y) {
  conv<int8_t, int32_t>(s, q.in_zp, q.out, x, w, bias, y);
}

void conv_s16(const ConvShape& s, const RequantParams& q, const int16_t* x, const int8_t* w,
              const int64_t* bias, int16_t* y) {
  conv<int16_t, int64_t>(s, 0, q, x, w, bias, y);
}

void conv_s16x16(const ConvShape& s, const RequantParams& q, const int16_t* x, const int16_t* w,
                 const int64_t* bias, int16_t* y) {
  conv<int16_t, int64_t>(s, 0, q, x, w, bias, y);
}

}  // namespace edgeae::ref
