// Conv with KW-tap rows (a 1-D encoder's k = 3..9, a 2-D 3x3), stride 1 or
// 2, input-stationary: a tile of P output pixels of one output row for T
// vectors of output channels reads, per kernel row, a window of
// S*(P-1) + KW input columns, and each input value is broadcast once per
// tile and row and multiplied into every accumulator it reaches (about KW/S
// of them), where conv_tile broadcasts it once per (pixel, tap). Per input
// channel the KW*T weight vectors of the row stay in registers: P*T + KW*T
// + 1 of them, so only sets with 32 vector registers take this path. The
// tap structure (which column feeds which pixel through which tap) is
// unrolled at compile time, and so is the input channel count, so that every
// broadcast addresses a window pointer plus a constant (a pointer per
// column would not fit the general registers).
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include <utility>

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"

namespace edgeae::simd {
namespace {

// A tile's shape: KW taps per kernel row, stride S, CIN input channels, P
// output pixels, T vectors of output channels.
template <uint32_t KW, uint32_t S, uint32_t CIN, uint32_t P, uint32_t T>
struct StationaryTile {
  static constexpr uint32_t kColumns = S * (P - 1) + KW;  // window of one kernel row
};

// Output pixels y .. y + P - 1 of one output row (the first `count` stored)
// for channels [oc0, oc0 + T*L): the sum over kernel rows kh with
// windows[kh] != null (null: the row is padding) of the row's window, laid
// out [column][CIN], times the weights of row kh.
template <class A, class Tile, uint32_t KW, uint32_t S, uint32_t CIN, uint32_t P, uint32_t T>
void conv_stationary_tile(const ConvCtx& c, const float* const* windows, uint32_t kh_count,
                          float* y, uint32_t count, uint32_t oc0) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const uint32_t cout = c.s.out_c;
  B acc[P][T];
  start_from_bias<A, int(P), int(T)>(c, oc0, acc);
  for (uint32_t kh = 0; kh < kh_count; ++kh) {
    const float* xw = windows[kh];
    if (!xw) continue;
    const float* w = c.w + size_t(kh) * KW * CIN * cout + oc0;
    for (uint32_t ic = 0; ic < CIN; ++ic) {
      B wv[KW][T];
#pragma GCC unroll 16
      for (uint32_t kw = 0; kw < KW; ++kw)
#pragma GCC unroll 4
        for (uint32_t t = 0; t < T; ++t)
          wv[kw][t] = B::load_unaligned(w + size_t(kw * CIN + ic) * cout + t * L);
      static_for(
          [&](auto column) {
            constexpr uint32_t col = column;
            const B xb(xw[col * CIN + ic]);
            static_for(
                [&](auto tap) {
                  constexpr uint32_t kw = tap;
                  // Column col feeds pixel q through tap kw when col = S*q + kw.
                  if constexpr (col >= kw && (col - kw) % S == 0 && (col - kw) / S < P) {
                    constexpr uint32_t q = (col - kw) / S;
#pragma GCC unroll 4
                    for (uint32_t t = 0; t < T; ++t)
                      acc[q][t] = xsimd::fma(xb, wv[kw][t], acc[q][t]);
                  }
                },
                std::make_index_sequence<KW>{});
          },
          std::make_index_sequence<Tile::kColumns>{});
    }
  }
  activate_tile<A, int(P), int(T)>(c.act, acc, oc0);
  for (uint32_t q = 0; q < count; ++q) {
    float* yp = y + size_t(q) * cout + oc0;
#pragma GCC unroll 4
    for (uint32_t t = 0; t < T; ++t)
      with_residual<A>(c, yp + t * L, acc[q][t]).store_unaligned(yp + t * L);
  }
}

// Every output pixel, tiles of P along each output row. A tile whose window
// crosses the left or right padding reads a zero-padded copy of it; kernel
// rows in the top or bottom padding are skipped.
template <class A, uint32_t KH, uint32_t KW, uint32_t S, uint32_t CIN, uint32_t P, uint32_t T>
void conv_stationary_layer(const ConvCtx& c) {
  using Tile = StationaryTile<KW, S, CIN, P, T>;
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const int64_t pad_w = p.pad_begin[1], pad_h = p.pad_begin[0];
  // Padded windows: at most 10 KB (1-D: 39 columns of 64 floats) or
  // 11.5 KB (3x3: 3 rows of 15 columns of 64 floats).
  alignas(64) float copies[KH][Tile::kColumns * CIN];
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* image = c.x + size_t(n) * s.in_h * s.in_w * CIN;
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      const float* rows[KH];
      for (uint32_t kh = 0; kh < KH; ++kh) {
        const int64_t ih = int64_t(oh) * p.stride[0] - pad_h + kh;
        rows[kh] = ih >= 0 && ih < int64_t(s.in_h) ? image + size_t(ih) * s.in_w * CIN : nullptr;
      }
      float* y_row = c.y + (size_t(n) * s.out_h + oh) * s.out_w * s.out_c;
      for (uint32_t o0 = 0; o0 < s.out_w; o0 += P) {
        const uint32_t count = s.out_w - o0 < P ? s.out_w - o0 : P;
        const int64_t first = int64_t(o0) * S - pad_w;
        const bool inside = first >= 0 && first + Tile::kColumns <= int64_t(s.in_w);
        const float* windows[KH];
        for (uint32_t kh = 0; kh < KH; ++kh) {
          windows[kh] = rows[kh] && inside ? rows[kh] + size_t(first) * CIN : nullptr;
          if (inside || !rows[kh]) continue;
          for (uint32_t col = 0; col < Tile::kColumns; ++col) {
            const int64_t iw = first + col;
            const bool in = iw >= 0 && iw < int64_t(s.in_w);
            if constexpr (CIN % L == 0) {
              for (uint32_t k = 0; k < CIN; k += L)
                (in ? B::load_unaligned(rows[kh] + size_t(iw) * CIN + k) : B(0.0f))
                    .store_aligned(&copies[kh][col * CIN + k]);
            } else {
              for (uint32_t k = 0; k < CIN; ++k)
                copies[kh][col * CIN + k] = in ? rows[kh][size_t(iw) * CIN + k] : 0.0f;
            }
          }
          windows[kh] = copies[kh];
        }
        uint32_t oc = 0;
        for (; oc + T * L <= s.out_c; oc += T * L)
          conv_stationary_tile<A, Tile, KW, S, CIN, P, T>(c, windows, KH,
                                                          y_row + size_t(o0) * s.out_c, count, oc);
        for (; oc < s.out_c; oc += L)
          conv_stationary_tile<A, Tile, KW, S, CIN, P, 1>(c, windows, KH,
                                                          y_row + size_t(o0) * s.out_c, count, oc);
      }
    }
  }
}

// The 1-D (one kernel row, KW taps; also one input channel) or 2-D 3x3
// layer for an input channel count the path holds; false for others.
template <class A, uint32_t KH, uint32_t KW, uint32_t S, uint32_t P, uint32_t T>
bool conv_stationary_cin(const ConvCtx& c) {
  return with_channel_count<KH == 1>(c.s.in_c, [&](auto cin) {
    conv_stationary_layer<A, KH, KW, S, decltype(cin)::value, P, T>(c);
  });
}

// Runs the path when it applies (groups 1, undilated; 1-D kernels of 3, 5,
// 7 or 9 taps or 2-D 3x3, equal strides of 1 or 2; 16/32/64 input channels,
// 1-D also one; output channels a multiple of the vector width); false
// otherwise. Only sets with 32 vector registers instantiate it (conv_any).
// 1-D tiles: 16 pixels by one vector (16 + KW + 1 <= 26 registers; 12
// pixels ran 3 % slower, 20 10 %). 2-D 3x3: 7 pixels by two vectors
// (14 + 6 + 1).
template <class A>
bool conv_stationary(const ConvCtx& c) {
  constexpr uint32_t L = Batch<A>::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  if (p.groups != 1 || p.dilation[0] != 1 || p.dilation[1] != 1 || s.out_c % L != 0) return false;
  const int32_t k = p.kernel[1], stride = p.stride[1];
  if (p.kernel[0] == 1 && s.in_h == 1 && s.out_h == 1 && p.stride[0] == 1) {
    if (stride == 2) {
      if (k == 9) return conv_stationary_cin<A, 1, 9, 2, 16, 1>(c);
      if (k == 7) return conv_stationary_cin<A, 1, 7, 2, 16, 1>(c);
      if (k == 5) return conv_stationary_cin<A, 1, 5, 2, 16, 1>(c);
      if (k == 3) return conv_stationary_cin<A, 1, 3, 2, 16, 1>(c);
    } else if (stride == 1) {
      if (k == 9) return conv_stationary_cin<A, 1, 9, 1, 16, 1>(c);
      if (k == 7) return conv_stationary_cin<A, 1, 7, 1, 16, 1>(c);
      if (k == 5) return conv_stationary_cin<A, 1, 5, 1, 16, 1>(c);
      if (k == 3) return conv_stationary_cin<A, 1, 3, 1, 16, 1>(c);
    }
    return false;
  }
  if (p.kernel[0] != 3 || k != 3 || p.stride[0] != stride) return false;
  if (stride == 2) return conv_stationary_cin<A, 3, 3, 2, 7, 2>(c);
  if (stride == 1) return conv_stationary_cin<A, 3, 3, 1, 7, 2>(c);
  return false;
}

}  // namespace
}  // namespace edgeae::simd
