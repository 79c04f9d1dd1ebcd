#include "conv_gather.hpp"

#include <string.h>

#include "kernels/reference/conv_geometry.hpp"
#include "kernels/reference/small_copy.hpp"

namespace edgeae::detail {
namespace {

inline void fill_bytes(int8_t* dst, int8_t value, size_t n) {
  if (n >= 64) {
    memset(dst, value, n);
    return;
  }
  for (size_t i = 0; i < n; ++i) dst[i] = value;
}

// The row of output pixel (n, oh, ow): for every tap (kh, kw) its input
// pixel's Cin values at (kh * KW + kw) * Cin, or the zero point.
template <bool kTransposed>
void gather_row(const ref::ConvShape& s, const int8_t* x, int8_t zp, uint32_t n, uint32_t oh,
                uint32_t ow, int8_t* row) {
  const format::ConvParams& p = s.p;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const size_t cin = s.in_c;
  if (!kTransposed && p.dilation[1] == 1) {
    // Undilated along W: the taps of one kernel row that reach the input
    // read consecutive input pixels, so one contiguous copy per kernel row.
    const int64_t iw0 = int64_t{ow} * p.stride[1] - p.pad_begin[1];
    const int64_t lo = iw0 < 0 ? -iw0 : 0;
    const int64_t hi_end = int64_t{s.in_w} - iw0;
    const uint32_t kw_lo = static_cast<uint32_t>(lo < kw_count ? lo : kw_count);
    const uint32_t kw_hi =
        static_cast<uint32_t>(hi_end < 0 ? 0 : (hi_end < kw_count ? hi_end : kw_count));
    for (uint32_t kh = 0; kh < kh_count; ++kh) {
      int8_t* dst = row + size_t{kh} * kw_count * cin;
      const int64_t ih =
          ref::conv_tap<false>(oh, kh, p.stride[0], p.pad_begin[0], p.dilation[0], s.in_h);
      if (ih < 0 || kw_lo >= kw_hi) {
        fill_bytes(dst, zp, size_t{kw_count} * cin);
        continue;
      }
      fill_bytes(dst, zp, size_t{kw_lo} * cin);
      const int8_t* src =
          x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw0 + kw_lo)) * cin;
      ref::copy_small(dst + size_t{kw_lo} * cin, src, size_t{kw_hi - kw_lo} * cin);
      fill_bytes(dst + size_t{kw_hi} * cin, zp, size_t{kw_count - kw_hi} * cin);
    }
    return;
  }
  fill_bytes(row, zp, size_t{kh_count} * kw_count * cin);
  if (kTransposed && p.dilation[0] == 1 && p.dilation[1] == 1) {
    // Undilated ConvTranspose: tap k has a source pixel when (o + pad - k)
    // is a multiple of the stride, i.e. k = r, r + stride, ... with r =
    // (o + pad) mod stride, and then reads pixel (o + pad) / stride - j. One
    // division per axis instead of two per tap.
    const int64_t th = int64_t{oh} + p.pad_begin[0], tw = int64_t{ow} + p.pad_begin[1];
    const auto rh = static_cast<uint32_t>(th % p.stride[0]),
               rw = static_cast<uint32_t>(tw % p.stride[1]);
    const int64_t qh = th / p.stride[0], qw = tw / p.stride[1];
    for (uint32_t kh = rh, jh = 0; kh < kh_count; kh += static_cast<uint32_t>(p.stride[0]), ++jh) {
      const int64_t ih = qh - jh;
      if (ih < 0 || ih >= int64_t{s.in_h}) continue;
      for (uint32_t kw = rw, jw = 0; kw < kw_count;
           kw += static_cast<uint32_t>(p.stride[1]), ++jw) {
        const int64_t iw = qw - jw;
        if (iw < 0 || iw >= int64_t{s.in_w}) continue;
        ref::copy_small(row + (size_t{kh} * kw_count + kw) * cin,
                        x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * cin, cin);
      }
    }
    return;
  }
  ref::for_each_conv_tap_index<kTransposed>(s, x, n, oh, ow, [&](const int8_t* xp, uint32_t tap) {
    ref::copy_small(row + size_t{tap} * cin, xp, cin);
  });
}

template <bool kTransposed>
void gather_and_multiply(decltype(KernelSet::dense_s8) dense_s8, const ref::ConvShape& s,
                         const ref::LayerQuant& q, const int8_t* x, const int8_t* w,
                         const int32_t* bias, const int32_t* column_sums, int8_t* scratch,
                         size_t scratch_bytes, int8_t* y) {
  const uint32_t rows =
      static_cast<uint32_t>(s.p.kernel[0]) * static_cast<uint32_t>(s.p.kernel[1]) * s.in_c;
  const size_t tile = scratch_bytes / rows;  // >= 1: the loader checked
  const size_t pixels = size_t{s.batch} * s.out_h * s.out_w;
  ref::DenseShape d;
  d.n = s.out_c;
  d.k = rows;
  d.b_block = static_cast<uint32_t>(s.p.w_block);
  d.b_packing = s.p.w_packing;
  d.bias_stride_n = bias != nullptr ? 1 : 0;
  const auto zp = static_cast<int8_t>(q.in_zp);
  for (size_t p0 = 0; p0 < pixels; p0 += tile) {
    const size_t count = pixels - p0 < tile ? pixels - p0 : tile;
    for (size_t r = 0; r < count; ++r) {
      const size_t pixel = p0 + r;
      const auto ow = static_cast<uint32_t>(pixel % s.out_w);
      const auto oh = static_cast<uint32_t>(pixel / s.out_w % s.out_h);
      const auto n = static_cast<uint32_t>(pixel / (size_t{s.out_w} * s.out_h));
      gather_row<kTransposed>(s, x, zp, n, oh, ow, scratch + r * rows);
    }
    d.m = static_cast<uint32_t>(count);
    dense_s8(d, q, scratch, w, bias, column_sums, y + p0 * s.out_c);
  }
}

}  // namespace

void conv_s8_gathered(decltype(KernelSet::dense_s8) dense_s8, const ref::ConvShape& s,
                      bool transposed, const ref::LayerQuant& q, const int8_t* x, const int8_t* w,
                      const int32_t* bias, const int32_t* column_sums, int8_t* scratch,
                      size_t scratch_bytes, int8_t* y) {
  if (transposed)
    gather_and_multiply<true>(dense_s8, s, q, x, w, bias, column_sums, scratch, scratch_bytes, y);
  else
    gather_and_multiply<false>(dense_s8, s, q, x, w, bias, column_sums, scratch, scratch_bytes, y);
}

}  // namespace edgeae::detail
