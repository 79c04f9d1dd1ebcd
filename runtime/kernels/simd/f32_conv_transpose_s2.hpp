// ConvTranspose with stride 2 along W, the decoder's upsampling layer: the
// even and odd output columns (the two tap classes along W) are computed
// together. Output columns 2j and 2j + 1 read the same input column
// j + b through different taps (kw0 for the even one, kw1 for the odd one),
// so each broadcast input element feeds both accumulator sets: about a third
// fewer loads per FMA than one class at a time (f32_conv.hpp's path). With
// 32 vector registers, kernels 8 and 4 with odd pads go further: each input
// element is broadcast once for all the accumulators it feeds
// (accumulate_stationary).
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include <string.h>

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"

namespace edgeae::simd {
namespace {

// One input-column offset b and the taps that reach it from an even (kw0)
// and an odd (kw1) output column; -1: none.
struct ColumnPair {
  int32_t b;
  int32_t kw0, kw1;
};

// The pairs of a stride-2 ConvTranspose along W, by decreasing b.
// Returns how many (at most kernel_w).
inline uint32_t column_pairs(const format::ConvParams& p, ColumnPair* out) {
  uint32_t n = 0;
  for (int32_t kw = 0; kw < p.kernel[1]; ++kw) {
    for (int32_t parity = 0; parity < 2; ++parity) {
      // Output column 2j + parity reads input column (2j + parity + pad - kw*d) / 2.
      const int32_t t = parity + p.pad_begin[1] - kw * p.dilation[1];
      if (((t % 2) + 2) % 2 != 0) continue;
      const int32_t b = (t - ((t % 2) + 2) % 2) / 2;
      uint32_t k = 0;
      while (k < n && out[k].b != b) ++k;
      if (k == n) out[n++] = ColumnPair{b, -1, -1};
      (parity == 0 ? out[k].kw0 : out[k].kw1) = kw;
    }
  }
  return n;
}

// acc[0][q] += x_q * w0, acc[1][q] += x_q * w1 over the input channels
// (either weight row may be absent).
template <class A, int P, int T, bool kEven, bool kOdd>
inline void accumulate_pair(Batch<A> (&acc)[2][P][T], const float* const (&xp)[P], const float* w0,
                            const float* w1, uint32_t cin, uint32_t w_stride) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  for (uint32_t ic = 0; ic < cin; ++ic) {
    B v0[T], v1[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      if (kEven) v0[t] = B::load_unaligned(w0 + size_t(ic) * w_stride + t * L);
      if (kOdd) v1[t] = B::load_unaligned(w1 + size_t(ic) * w_stride + t * L);
    }
#pragma GCC unroll 16
    for (int q = 0; q < P; ++q) {
      const B xb(xp[q][ic]);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        if (kEven) acc[0][q][t] = xsimd::fma(xb, v0[t], acc[0][q][t]);
        if (kOdd) acc[1][q][t] = xsimd::fma(xb, v1[t], acc[1][q][t]);
      }
    }
  }
}

// Input-stationary accumulation for a run of P consecutive pairs of one row
// (ConvTranspose stride 2 along W, dilation 1, even kernel K, odd pad: the
// usual k = 2s upsampling). Pair j reads input columns j + b_min + m for the
// window offsets m = 0..K/2: the even output column through taps
// kw = K - 1 - 2m (m < K/2), the odd one through kw = K - 2m (m >= 1).
// Loading all K weight vectors of one input channel once, each window
// column (P + K/2 of them) is broadcast once and feeds every accumulator it
// reaches: for K = 8 and P = 11, 88 FMAs per 15 broadcasts + 8 loads,
// against 0.7 loads per FMA in accumulate_pair. kTile pairs per tile fill
// the vector registers: 2 kTile + K + 1 <= 32.
template <int K, int kTile>
struct StationaryShape {
  static_assert(K % 2 == 0, "even kernels only");
  static constexpr int kernel = K, taps = K / 2, tile = kTile;
};
struct NoStationaryShape {};

// Window columns of an edge tile copied here, zeros outside the input.
constexpr uint32_t kStationaryWindowFloats = 4096;

template <class Shape>
inline bool stationary_applies(const format::ConvParams& p, uint32_t in_c) {
  return p.kernel[1] == Shape::kernel && p.pad_begin[1] % 2 == 1 && p.dilation[1] == 1 &&
         size_t(in_c) * (Shape::tile + Shape::taps) <= kStationaryWindowFloats;
}

// acc[0][q] += x[q + i][ic] * w_last[-2i], acc[1][q] += x[q + 1 + i][ic] *
// w_last[-2i - 1] (in units of w_tap, plus ic * w_stride) for i < K/2 over
// ic; window column m at x + m * x_step, w_last the weights of tap K - 1.
// Not inlined, so that it has the registers to itself.
template <class A, int P, class Shape>
__attribute__((noinline)) void accumulate_stationary(Batch<A> (&acc)[2][P][1], const float* x,
                                                     size_t x_step, const float* w_last,
                                                     size_t w_tap, uint32_t cin,
                                                     uint32_t w_stride) {
  using B = Batch<A>;
  constexpr int N = Shape::taps, kColumns = P + N;
  // Local copies: through the reference every FMA would be stored back
  // (x and w might alias it).
  B a[2][P];
#pragma GCC unroll 16
  for (int q = 0; q < P; ++q) {
    a[0][q] = acc[0][q][0];
    a[1][q] = acc[1][q][0];
  }
  for (uint32_t ic = 0; ic < cin; ++ic) {
    const float* w_ic = w_last + size_t(ic) * w_stride;
    B wv[2][N];
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) {
      wv[0][i] = B::load_unaligned(w_ic - size_t(2 * i) * w_tap);
      wv[1][i] = B::load_unaligned(w_ic - size_t(2 * i + 1) * w_tap);
    }
    const float* xc = x + ic;
#pragma GCC unroll 32
    for (int m = 0; m < kColumns; ++m) {
      const B xb(xc[size_t(m) * x_step]);
#pragma GCC unroll 8
      for (int i = 0; i < N; ++i) {
        const int q0 = m - i, q1 = m - 1 - i;
        if (q0 >= 0 && q0 < P) a[0][q0] = xsimd::fma(xb, wv[0][i], a[0][q0]);
        if (q1 >= 0 && q1 < P) a[1][q1] = xsimd::fma(xb, wv[1][i], a[1][q1]);
      }
    }
  }
#pragma GCC unroll 16
  for (int q = 0; q < P; ++q) {
    acc[0][q][0] = a[0][q];
    acc[1][q][0] = a[1][q];
  }
}

// The tile's accumulation by accumulate_stationary when its `count` pairs
// are consecutive in one row (j0 the first); false otherwise.
template <class A, int P, class Shape>
bool accumulate_row_stationary(const ConvCtx& c, uint32_t n, const TapClass& k, uint32_t row,
                               uint32_t j0, uint32_t last_row, uint32_t oc0,
                               Batch<A> (&acc)[2][P][1]) {
  constexpr int kColumns = P + Shape::taps;
  if (last_row != row) return false;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const size_t w_tap = size_t(s.in_c) * s.out_c;  // floats per (kh, kw)
  const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * s.in_c;
  // Input column of window column 0: the even output column's tap K - 1.
  const int64_t col0 = int64_t(j0) + (p.pad_begin[1] - Shape::kernel + 1) / 2;
  const bool inside = col0 >= 0 && col0 + kColumns <= int64_t(s.in_w);
  alignas(64) float window[kStationaryWindowFloats];
  for (uint32_t kh = 0; kh < uint32_t(p.kernel[0]); ++kh) {
    int64_t base_h, mult_h;
    if (!tap_origin<true>(k.phase_h, p.stride[0], p.pad_begin[0], p.dilation[0], kh, &base_h,
                          &mult_h))
      continue;
    const int64_t ih = base_h + int64_t(row);
    if (ih < 0 || ih >= int64_t(s.in_h)) continue;
    const float* x_row = x_image + size_t(ih) * s.in_w * s.in_c;
    const float* xw = window;
    if (inside) {
      xw = x_row + size_t(col0) * s.in_c;
    } else {
      for (int m = 0; m < kColumns; ++m) {
        const int64_t iw = col0 + m;
        float* column = window + size_t(m) * s.in_c;
        if (iw >= 0 && iw < int64_t(s.in_w))
          memcpy(column, x_row + size_t(iw) * s.in_c, s.in_c * sizeof(float));
        else
          memset(column, 0, s.in_c * sizeof(float));
      }
    }
    const float* w_last = c.w + (size_t(kh) * Shape::kernel + Shape::kernel - 1) * w_tap + oc0;
    accumulate_stationary<A, P, Shape>(acc, xw, s.in_c, w_last, w_tap, s.in_c, s.out_c);
  }
  return true;
}

// Output columns 2 * tj[q] and 2 * tj[q] + 1 of output row
// k.phase_h + k.step_h * ti[q] for q < count (rows of one tap class along H,
// so that all pixels share their taps), channels [oc0, oc0 + T*L)
// (groups == 1). kResidual: add c.act.residual as the outputs are stored (a
// template parameter: the branch in the store slowed the plain tile's loops
// by 7 %).
template <class A, int P, int T, bool kResidual, class Shape = NoStationaryShape>
void convt_s2_tile(const ConvCtx& c, const ColumnPair* pairs, uint32_t pair_count, uint32_t n,
                   const TapClass& k, const uint32_t (&ti)[P], const uint32_t (&tj)[P],
                   uint32_t count, uint32_t oc0) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  B acc[2][P][T];  // even and odd output columns
  start_from_bias<A, P, T>(c, oc0, acc[0]);
  start_from_bias<A, P, T>(c, oc0, acc[1]);
  const size_t w_tap = size_t(s.in_c) * s.out_c;  // floats per (kh, kw)
  const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * s.in_c;
  bool done = false;
  if constexpr (T == 1 && !std::is_same_v<Shape, NoStationaryShape>)
    done = accumulate_row_stationary<A, P, Shape>(c, n, k, ti[0], tj[0], ti[count - 1], oc0, acc);
  for (uint32_t kh = 0; !done && kh < uint32_t(p.kernel[0]); ++kh) {
    int64_t base_h, mult_h;
    if (!tap_origin<true>(k.phase_h, p.stride[0], p.pad_begin[0], p.dilation[0], kh, &base_h,
                          &mult_h))
      continue;
    for (uint32_t m = 0; m < pair_count; ++m) {
      const ColumnPair& pr = pairs[m];
      const float* xp[P];
      bool any_in = false;
#pragma GCC unroll 16
      for (int q = 0; q < P; ++q) {
        const int64_t ih = base_h + int64_t(ti[q]);
        const int64_t iw = int64_t(tj[q]) + pr.b;
        const bool in = uint32_t(q) < count && ih >= 0 && ih < int64_t(s.in_h) && iw >= 0 &&
                        iw < int64_t(s.in_w);
        xp[q] = in ? x_image + (size_t(ih) * s.in_w + size_t(iw)) * s.in_c : kZeroRow;
        any_in = any_in || in;
      }
      if (!any_in) continue;
      const float* w_kh = c.w + size_t(kh) * uint32_t(p.kernel[1]) * w_tap + oc0;
      const float* w0 = pr.kw0 >= 0 ? w_kh + size_t(pr.kw0) * w_tap : nullptr;
      const float* w1 = pr.kw1 >= 0 ? w_kh + size_t(pr.kw1) * w_tap : nullptr;
      if (w0 && w1)
        accumulate_pair<A, P, T, true, true>(acc, xp, w0, w1, s.in_c, s.out_c);
      else if (w0)
        accumulate_pair<A, P, T, true, false>(acc, xp, w0, w1, s.in_c, s.out_c);
      else
        accumulate_pair<A, P, T, false, true>(acc, xp, w0, w1, s.in_c, s.out_c);
    }
  }
  activate_tile<A, P, T>(c.act, acc[0], oc0);
  activate_tile<A, P, T>(c.act, acc[1], oc0);
  for (uint32_t q = 0; q < count; ++q)
    for (uint32_t parity = 0; parity < 2; ++parity) {
      const uint32_t oh = k.phase_h + k.step_h * ti[q], ow = 2 * tj[q] + parity;
      if (ow >= s.out_w) continue;
      float* yp = c.y + ((size_t(n) * s.out_h + oh) * s.out_w + ow) * s.out_c + oc0;
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        if (kResidual) acc[parity][q][t] += B::load_unaligned(c.act.residual + (yp - c.y) + t * L);
        acc[parity][q][t].store_unaligned(yp + t * L);
      }
    }
}

// Tiles of P column pairs run in row-major order over the rows of one tap
// class along H, wrapping from row to row: a decoder's rows hold few pairs
// (7 for a 14-pixel output), fewer than a tile.
template <class A, int P, int T, class Shape = NoStationaryShape>
void convt_s2_channels(const ConvCtx& c, const ColumnPair* pairs, uint32_t pair_count,
                       uint32_t oc0) {
  const ref::ConvShape& s = c.s;
  const uint32_t pairs_per_row = (s.out_w + 1) / 2;
  const uint32_t sh = uint32_t(s.p.stride[0]);
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t ph = 0; ph < sh && ph < s.out_h; ++ph) {
      const TapClass k{ph, 0, sh, 2, (s.out_h - ph + sh - 1) / sh, pairs_per_row};
      const uint32_t total = k.rows * pairs_per_row;
      uint32_t i = 0, j = 0;  // class row and pair of the next tile's first pixel
      // One tile of Q pairs, `count` of them real.
      auto tile = [&](auto pairs_in_tile, uint32_t count) {
        constexpr int Q = decltype(pairs_in_tile)::value;
        uint32_t ti[Q], tj[Q];
        for (uint32_t q = 0; q < uint32_t(Q); ++q) {
          ti[q] = q < count ? i : ti[0];
          tj[q] = q < count ? j : tj[0];
          if (q < count && ++j == pairs_per_row) {
            j = 0;
            ++i;
          }
        }
        if (c.act.residual)
          convt_s2_tile<A, Q, T, true, Shape>(c, pairs, pair_count, n, k, ti, tj, count, oc0);
        else
          convt_s2_tile<A, Q, T, false, Shape>(c, pairs, pair_count, n, k, ti, tj, count, oc0);
      };
      if constexpr (std::is_same_v<Shape, NoStationaryShape>) {
        for (uint32_t first = 0; first < total; first += P)
          tile(std::integral_constant<int, P>{}, total - first < uint32_t(P) ? total - first : P);
      } else {
        // The stationary path computes all pairs of a tile: tiles of P and
        // P - 1 pairs cover the class exactly when they can (the unet's 128
        // and 256 pairs), else a short last tile takes a half-size one.
        constexpr int kHalf = (P + 1) / 2;
        const uint32_t tiles = (total + P - 1) / P;
        const uint32_t long_tiles =
            total >= tiles * (P - 1) ? total - tiles * (P - 1) : tiles;  // of P pairs
        uint32_t first = 0;
        for (uint32_t t = 0; first < total; ++t) {
          const uint32_t left = total - first;
          if (t >= long_tiles) {
            tile(std::integral_constant<int, P - 1>{}, P - 1);
            first += P - 1;
          } else if (left <= uint32_t(kHalf)) {
            tile(std::integral_constant<int, kHalf>{}, left);
            first += left;
          } else {
            tile(std::integral_constant<int, P>{}, left < uint32_t(P) ? left : P);
            first += P;
          }
        }
      }
    }
}

// Runs the paired path when it applies (groups 1, stride 2 along W, output
// channels a multiple of the vector width); false otherwise.
template <class A>
bool conv_transpose_stride2(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  if (p.groups != 1 || p.stride[1] != 2 || s.out_c % L != 0 || s.in_c > kZeroRowFloats ||
      p.kernel[1] > 64)
    return false;
  ColumnPair pairs[128];
  const uint32_t pair_count = column_pairs(p, pairs);
  // Two accumulator sets: P * T * 2 + 2T + 1 vector registers (one vector
  // of channels: 13 pixels, 29 registers; longer tiles spread the loop
  // overhead over more FMAs, the unet's 32->16 layer 10.5 -> 9.8 us).
  constexpr bool kWide = kVectorRegisters<A> >= 32;
  uint32_t oc = 0;
  // The input-stationary path, one vector of channels at a time, when the
  // taps have its structure (with 32 vector registers only: AVX-512,
  // AArch64). It beats the wider tiles below too (the unet's 64->32 layer
  // 17.9 -> 17.4 us).
  if constexpr (kWide) {
    using K8 = StationaryShape<8, 11>;
    using K4 = StationaryShape<4, 13>;
    if (stationary_applies<K8>(p, s.in_c)) {
      for (; oc + L <= s.out_c; oc += L)
        convt_s2_channels<A, K8::tile, 1, K8>(c, pairs, pair_count, oc);
    } else if (stationary_applies<K4>(p, s.in_c)) {
      for (; oc + L <= s.out_c; oc += L)
        convt_s2_channels<A, K4::tile, 1, K4>(c, pairs, pair_count, oc);
    }
  }
  for (; oc + 4 * L <= s.out_c; oc += 4 * L)
    convt_s2_channels<A, kWide ? 2 : 1, 4>(c, pairs, pair_count, oc);
  for (; oc + 2 * L <= s.out_c; oc += 2 * L)
    convt_s2_channels<A, kWide ? 5 : 2, 2>(c, pairs, pair_count, oc);
  for (; oc + L <= s.out_c; oc += L)
    convt_s2_channels<A, kWide ? 13 : 4, 1>(c, pairs, pair_count, oc);
  return true;
}

}  // namespace
}  // namespace edgeae::simd
