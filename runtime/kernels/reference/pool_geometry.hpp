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

inline size_t x_index(const PoolShape& s, uint32_t n, int64_t ih, int64_t iw, uint32_t c) {
  return ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.channels + c;
}

inline size_t y_index(const PoolShape& s, uint32_t n, uint32_t oh, uint32_t ow, uint32_t c) {
  return ((size_t{n} * s.out_h + oh) * s.out_w + ow) * s.channels + c;
}

}  // namespace edgeae::ref::pool
