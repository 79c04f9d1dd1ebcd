// Window geometry shared by the float and integer pool reference kernels.
#pragma once

#include "kernels/reference/reference.hpp"

namespace edgeae::ref::pool {

// Input coordinate of tap k of output position o along one axis; may lie in
// the padding (< 0 or >= the input size).
inline int64_t tap(uint32_t o, uint32_t k, int32_t stride, int32_t pad_begin, int32_t dilation) {
  return int64_t{o} * stride - pad_begin + int64_t{k} * dilation;
}

inline bool inside(int64_t i, uint32_t size) {
  return i >= 0 && i < int64_t{size};
}

// Taps of one axis that fall inside the padded input [-pad_begin, size + pad_end).
// ceil_mode can push a window past pad_end; those extra positions are not
// padding and never count (as in ONNX's reference, PyTorch and onnxruntime).
inline uint32_t taps_in_padded_extent(uint32_t o, uint32_t kernel, int32_t stride,
                                      int32_t pad_begin, int32_t pad_end, int32_t dilation,
                                      uint32_t size) {
  uint32_t count = 0;
  for (uint32_t k = 0; k < kernel; ++k) {
    const int64_t i = tap(o, k, stride, pad_begin, dilation);
    if (i >= -int64_t{pad_begin} && i < int64_t{size} + pad_end) ++count;
  }
  return count;
}

// Calls f(ih, iw) for every tap of output pixel (oh, ow) that lies inside
// the input (padded taps are skipped; each kernel decides what they mean).
template <typename F>
inline void for_each_window_tap(const PoolShape& s, uint32_t oh, uint32_t ow, F f) {
  const format::PoolParams& p = s.p;
  for (uint32_t kh = 0; kh < static_cast<uint32_t>(p.kernel[0]); ++kh) {
    const int64_t ih = tap(oh, kh, p.stride[0], p.pad_begin[0], p.dilation[0]);
    if (!inside(ih, s.in_h)) continue;
    for (uint32_t kw = 0; kw < static_cast<uint32_t>(p.kernel[1]); ++kw) {
      const int64_t iw = tap(ow, kw, p.stride[1], p.pad_begin[1], p.dilation[1]);
      if (inside(iw, s.in_w)) f(ih, iw);
    }
  }
}

// Taps of the window of (oh, ow) inside the padded input: AveragePool's
// divisor with count_include_pad.
inline uint32_t padded_window_taps(const PoolShape& s, uint32_t oh, uint32_t ow) {
  const format::PoolParams& p = s.p;
  return taps_in_padded_extent(oh, static_cast<uint32_t>(p.kernel[0]), p.stride[0], p.pad_begin[0],
                               p.pad_end[0], p.dilation[0], s.in_h) *
         taps_in_padded_extent(ow, static_cast<uint32_t>(p.kernel[1]), p.stride[1], p.pad_begin[1],
                               p.pad_end[1], p.dilation[1], s.in_w);
}

inline size_t x_index(const PoolShape& s, uint32_t n, int64_t ih, int64_t iw, uint32_t c) {
  return ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.channels + c;
}

inline size_t y_index(const PoolShape& s, uint32_t n, uint32_t oh, uint32_t ow, uint32_t c) {
  return ((size_t{n} * s.out_h + oh) * s.out_w + ow) * s.channels + c;
}

}  // namespace edgeae::ref::pool
