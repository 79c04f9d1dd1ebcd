#include "conv_gather.hpp"

#include <string.h>

#include "kernels/reference/conv_geometry.hpp"

namespace edgeae::detail {
namespace {

template <bool kTransposed>
void gather_and_multiply(const KernelSet& k, const ref::ConvShape& s, const ref::LayerQuant& q,
                         const int8_t* x, const int8_t* w, const int32_t* bias,
                         const int32_t* column_sums, int8_t* scratch, size_t scratch_bytes,
                         int8_t* y) {
  const uint32_t rows = static_cast<uint32_t>(s.p.kernel[0]) *
                        static_cast<uint32_t>(s.p.kernel[1]) * s.in_c;
  const size_t tile = scratch_bytes / rows;  // >= 1: the loader checked
  const size_t pixels = size_t{s.batch} * s.out_h * s.out_w;
  ref::DenseShape d;
  d.n = s.out_c;
  d.k = rows;
  d.b_block = static_cast<uint32_t>(s.p.w_block);
  d.bias_stride_n = bias != nullptr ? 1 : 0;
  for (size_t p0 = 0; p0 < pixels; p0 += tile) {
    const size_t count = pixels - p0 < tile ? pixels - p0 : tile;
    for (size_t r = 0; r < count; ++r) {
      const size_t pixel = p0 + r;
      const auto ow = static_cast<uint32_t>(pixel % s.out_w);
      const auto oh = static_cast<uint32_t>(pixel / s.out_w % s.out_h);
      const auto n = static_cast<uint32_t>(pixel / (size_t{s.out_w} * s.out_h));
      int8_t* row = scratch + r * rows;
      memset(row, static_cast<int8_t>(q.in_zp), rows);
      ref::for_each_conv_tap_index<kTransposed>(
          s, x, n, oh, ow,
          [&](const int8_t* xp, uint32_t tap) { memcpy(row + size_t{tap} * s.in_c, xp, s.in_c); });
    }
    d.m = static_cast<uint32_t>(count);
    k.dense_s8(d, q, scratch, w, bias, column_sums, y + p0 * s.out_c);
  }
}

}  // namespace

void conv_s8_gathered(const KernelSet& k, const ref::ConvShape& s, bool transposed,
                      const ref::LayerQuant& q, const int8_t* x, const int8_t* w,
                      const int32_t* bias, const int32_t* column_sums, int8_t* scratch,
                      size_t scratch_bytes, int8_t* y) {
  if (transposed)
    gather_and_multiply<true>(k, s, q, x, w, bias, column_sums, scratch, scratch_bytes, y);
  else
    gather_and_multiply<false>(k, s, q, x, w, bias, column_sums, scratch, scratch_bytes, y);
}

}  // namespace edgeae::detail
