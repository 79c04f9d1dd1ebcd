// Tap geometry shared by the Conv and ConvTranspose kernels (float and
// integer reference, and the SIMD kernels' scalar fallback): which input
// pixel each kernel tap of an output pixel reads, and where its data and
// weights are. Unnamed namespace: the SIMD units include this with their own
// ISA flags, and no instantiation may be shared with a plain unit.
#pragma once

#include "kernels/reference/reference.hpp"

namespace edgeae::ref {
namespace {

// Index of output (n, oh, ow, oc) in a channels-last conv output.
inline size_t conv_output_index(const ConvShape& s, uint32_t n, uint32_t oh, uint32_t ow,
                                uint32_t oc) {
  return ((size_t{n} * s.out_h + oh) * s.out_w + ow) * s.out_c + oc;
}

// Input coordinate that tap k of output coordinate o reads along one axis,
// or -1 when it reads none (padding, or for ConvTranspose no integral source):
//   Conv:          i = o * stride - pad_begin + k * dilation
//   ConvTranspose: i such that i * stride - pad_begin + k * dilation == o
template <bool kTransposed>
inline int64_t conv_tap(uint32_t o, uint32_t k, int32_t stride, int32_t pad_begin, int32_t dilation,
                        uint32_t size) {
  int64_t i;
  if (kTransposed) {
    const int64_t t = int64_t{o} + pad_begin - int64_t{k} * dilation;
    if (t < 0 || t % stride != 0) return -1;
    i = t / stride;
  } else {
    i = int64_t{o} * stride - pad_begin + int64_t{k} * dilation;
  }
  return (i >= 0 && i < int64_t{size}) ? i : -1;
}

// Groups 1: calls f(xp, tap) for every tap (tap = kh * KW + kw) of output
// pixel (n, oh, ow) that reaches the input, xp pointing at the tap's input
// pixel.
template <bool kTransposed, typename T, typename F>
inline void for_each_conv_tap_index(const ConvShape& s, const T* x, uint32_t n, uint32_t oh,
                                    uint32_t ow, F f) {
  const format::ConvParams& p = s.p;
  const uint32_t kh_count = static_cast<uint32_t>(p.kernel[0]);
  const uint32_t kw_count = static_cast<uint32_t>(p.kernel[1]);
  for (uint32_t kh = 0; kh < kh_count; ++kh) {
    const int64_t ih =
        conv_tap<kTransposed>(oh, kh, p.stride[0], p.pad_begin[0], p.dilation[0], s.in_h);
    if (ih < 0) continue;
    for (uint32_t kw = 0; kw < kw_count; ++kw) {
      const int64_t iw =
          conv_tap<kTransposed>(ow, kw, p.stride[1], p.pad_begin[1], p.dilation[1], s.in_w);
      if (iw < 0) continue;
      f(x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.in_c, kh * kw_count + kw);
    }
  }
}

// Calls f(xp, wp, cin_g) for every tap of output pixel (n, oh, ow) that
// reaches the input, for output channel oc: xp points at the tap's input
// pixel, at the first input channel of oc's group; wp at oc's weight for that
// tap and input channel 0, the next input channel's weight being out_c
// further (weights are [KH, KW, Cin/groups, Cout]).
template <bool kTransposed, typename T, typename W, typename F>
inline void for_each_conv_tap(const ConvShape& s, const T* x, const W* w, uint32_t n, uint32_t oh,
                              uint32_t ow, uint32_t oc, F f) {
  const format::ConvParams& p = s.p;
  const uint32_t kh_count = static_cast<uint32_t>(p.kernel[0]);
  const uint32_t kw_count = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t groups = p.groups > 0 ? static_cast<uint32_t>(p.groups) : 1;
  const uint32_t cin_g = s.in_c / groups;
  const uint32_t g = oc / (s.out_c / groups);
  for (uint32_t kh = 0; kh < kh_count; ++kh) {
    const int64_t ih =
        conv_tap<kTransposed>(oh, kh, p.stride[0], p.pad_begin[0], p.dilation[0], s.in_h);
    if (ih < 0) continue;  // zero padding, or no source row
    for (uint32_t kw = 0; kw < kw_count; ++kw) {
      const int64_t iw =
          conv_tap<kTransposed>(ow, kw, p.stride[1], p.pad_begin[1], p.dilation[1], s.in_w);
      if (iw < 0) continue;
      f(x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.in_c + size_t{g} * cin_g,
        w + (size_t{kh} * kw_count + kw) * cin_g * s.out_c + oc, cin_g);
    }
  }
}

// Every output pixel and channel of a Conv/ConvTranspose in order: calls
// f(n, oh, ow, oc) and stores what it returns at that output position.
template <typename T, typename F>
inline void for_each_conv_output(const ConvShape& s, T* y, F f) {
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh)
      for (uint32_t ow = 0; ow < s.out_w; ++ow)
        for (uint32_t oc = 0; oc < s.out_c; ++oc)
          y[conv_output_index(s, n, oh, ow, oc)] = f(n, oh, ow, oc);
}

// A float conv's output value: the activation, then the fused residual (if any).
inline float conv_epilogue(const ConvShape& s, const ActivationSpec& act, float acc, uint32_t n,
                           uint32_t oh, uint32_t ow, uint32_t oc) {
  const float out = activate(act, acc, oc);
  return act.residual ? out + act.residual[conv_output_index(s, n, oh, ow, oc)] : out;
}

}  // namespace
}  // namespace edgeae::ref
