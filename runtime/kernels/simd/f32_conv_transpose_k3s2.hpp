// 2-D ConvTranspose 3x3, stride 2, pad 1 (output_padding 0 or 1): the
// upsampling layer of most 2-D decoders. Input pixel (i, j) and its right,
// lower and lower-right neighbours give the output block (2i..2i+1,
// 2j..2j+1):
//   y(2i,   2j)   = x(i,j) W11
//   y(2i,   2j+1) = x(i,j) W12 + x(i,j+1) W10
//   y(2i+1, 2j)   = x(i,j) W21 + x(i+1,j) W01
//   y(2i+1, 2j+1) = x(i,j) W22 + x(i,j+1) W20 + x(i+1,j) W02 + x(i+1,j+1) W00
// A tile of P input pixels of one row computes the even, then the odd output
// row of its blocks for one vector of channels, with the row's three (even)
// or six (odd) weight vectors per input channel in registers: each input
// value is broadcast once per pass and feeds every accumulator it reaches,
// where the pair tiles of f32_conv_transpose_s2.hpp broadcast it once per
// pair and tap.
// The channel count is a template parameter so that every broadcast
// addresses a row pointer plus a constant.
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"

namespace edgeae::simd {
namespace {

// Output row 2i + kA (0 or 1) of the blocks of input pixels (i, j .. j +
// P - 1), channels [oc0, oc0 + L). x0 and x1 point at input pixels (i, j)
// and (i + 1, j). kRight: column j + P is past the input's edge (zeros, so
// skipped); kBelow: row i + 1 is inside the input (the odd row reads it).
// Even and odd output rows run as separate passes: 2P accumulators, so that
// a tile covers a 7-pixel input row (the two-row tile of 4P accumulators
// had to split it, and ran 12 % slower).
template <class A, int P, uint32_t CIN, uint32_t kA, bool kRight, bool kBelow>
void convt_k3s2_tile(const ConvCtx& c, const float* x0, const float* x1, uint32_t n, uint32_t i,
                     uint32_t j, uint32_t oc0) {
  using B = Batch<A>;
  const ref::ConvShape& s = c.s;
  const uint32_t cout = s.out_c;
  B acc[2 * P][1];  // [column * 2 + column parity]
  const B b0 = c.bias ? B::load_unaligned(c.bias + oc0) : B(0.0f);
#pragma GCC unroll 32
  for (int q = 0; q < 2 * P; ++q) acc[q][0] = b0;
  const size_t tap = size_t(CIN) * cout;  // floats per (kh, kw)
  // Row 2i reads x(i, .) through kernel row 1; row 2i + 1 reads x(i, .)
  // through kernel row 2 and x(i + 1, .) through kernel row 0.
  const float* w_top = c.w + (kA == 0 ? 3 : 6) * tap + oc0;
  const float* w_below = c.w + oc0;
  for (uint32_t ic = 0; ic < CIN; ++ic) {
    B top_w[3], below_w[3];  // kw = 0, 1, 2
#pragma GCC unroll 3
    for (int kw = 0; kw < 3; ++kw) {
      top_w[kw] = B::load_unaligned(w_top + kw * tap + size_t(ic) * cout);
      if (kA == 1 && kBelow)
        below_w[kw] = B::load_unaligned(w_below + kw * tap + size_t(ic) * cout);
    }
    static_for(
        [&](auto column) {
          constexpr int col = int(column);
          if constexpr (kRight && col == P) return;
          // Output column 2(j + col) takes tap 1, 2(j + col) + 1 tap 2, and
          // 2(j + col) - 1 tap 0, of the row above and (kA 1) the row below.
          const auto feed = [&](const B& v, const B(&w)[3]) {
            if constexpr (col < P) {
              acc[col * 2][0] = xsimd::fma(v, w[1], acc[col * 2][0]);
              acc[col * 2 + 1][0] = xsimd::fma(v, w[2], acc[col * 2 + 1][0]);
            }
            if constexpr (col >= 1) acc[col * 2 - 1][0] = xsimd::fma(v, w[0], acc[col * 2 - 1][0]);
          };
          feed(B(x0[col * CIN + ic]), top_w);
          if constexpr (kA == 1 && kBelow) feed(B(x1[col * CIN + ic]), below_w);
        },
        std::make_index_sequence<P + 1>{});
  }
  activate_tile<A, 2 * P, 1>(c.act, acc, oc0);
  const uint32_t oh = 2 * i + kA;
  if (oh >= s.out_h) return;
  for (int q = 0; q < 2 * P; ++q) {
    const uint32_t ow = 2 * j + uint32_t(q);
    if (ow >= s.out_w) continue;
    float* yp = c.y + ((size_t(n) * s.out_h + oh) * s.out_w + ow) * cout + oc0;
    with_residual<A>(c, yp, acc[q][0]).store_unaligned(yp);
  }
}

// A row tile of P pixels: both output rows, every vector of output channels.
template <class A, int P, uint32_t CIN>
void convt_k3s2_row_tile(const ConvCtx& c, uint32_t n, uint32_t i, uint32_t j) {
  constexpr uint32_t L = Batch<A>::size;
  const ref::ConvShape& s = c.s;
  const float* x0 = c.x + ((size_t(n) * s.in_h + i) * s.in_w + j) * CIN;
  const bool right = j + P >= s.in_w, below = i + 1 < s.in_h;
  const float* x1 = below ? x0 + size_t(s.in_w) * CIN : x0;  // unread without a row below
  for (uint32_t oc = 0; oc < s.out_c; oc += L) {
    if (right) {
      convt_k3s2_tile<A, P, CIN, 0, true, false>(c, x0, x1, n, i, j, oc);
      if (below)
        convt_k3s2_tile<A, P, CIN, 1, true, true>(c, x0, x1, n, i, j, oc);
      else
        convt_k3s2_tile<A, P, CIN, 1, true, false>(c, x0, x1, n, i, j, oc);
    } else {
      convt_k3s2_tile<A, P, CIN, 0, false, false>(c, x0, x1, n, i, j, oc);
      if (below)
        convt_k3s2_tile<A, P, CIN, 1, false, true>(c, x0, x1, n, i, j, oc);
      else
        convt_k3s2_tile<A, P, CIN, 1, false, false>(c, x0, x1, n, i, j, oc);
    }
  }
}

template <class A, uint32_t CIN>
void convt_k3s2_layer(const ConvCtx& c) {
  const ref::ConvShape& s = c.s;
  // Tiles of at most 7 pixels (14 accumulators, 6 weights, 2 broadcasts),
  // as equal as possible.
  const uint32_t tiles = (s.in_w + 6) / 7;
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t i = 0; i < s.in_h; ++i)
      for (uint32_t t = 0, j = 0; t < tiles; ++t) {
        const uint32_t size = s.in_w / tiles + (t < s.in_w % tiles ? 1 : 0);
        if (!with_constant<1, 6>(
                size, [&](auto p) { convt_k3s2_row_tile<A, decltype(p)::value, CIN>(c, n, i, j); }))
          convt_k3s2_row_tile<A, 7, CIN>(c, n, i, j);
        j += size;
      }
}

// Runs the path when it applies (2-D 3x3, stride 2, pad 1 at the start,
// undilated, groups 1, 16/32/64 input channels, output channels a multiple
// of the vector width); false otherwise. Only sets with 32 vector registers
// instantiate it (conv_any).
template <class A>
bool conv_transpose_k3s2(const ConvCtx& c) {
  constexpr uint32_t L = Batch<A>::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  for (int a = 0; a < 2; ++a)
    if (p.kernel[a] != 3 || p.stride[a] != 2 || p.pad_begin[a] != 1 || p.dilation[a] != 1)
      return false;
  if (p.groups != 1 || s.out_c % L != 0 || s.out_h > 2 * s.in_h || s.out_w > 2 * s.in_w)
    return false;
  return with_channel_count<false>(s.in_c,
                                   [&](auto cin) { convt_k3s2_layer<A, decltype(cin)::value>(c); });
}

}  // namespace
}  // namespace edgeae::simd
