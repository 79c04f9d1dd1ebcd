// 1-D Conv with a long kernel (an encoder's k = 3..9, stride 1 or 2),
// input-stationary: a tile of P output pixels for one vector of output
// channels reads a window of S*(P-1) + K input columns, and each input value
// is broadcast once per tile and multiplied into every accumulator it
// reaches (about K/S of them), where conv_tile broadcasts it once per
// (pixel, tap). Per input channel the K weight vectors stay in registers:
// P + K + 1 of them, so only sets with 32 vector registers take this path.
// The tap structure (which column feeds which pixel through which tap) is
// unrolled at compile time, and so is the input channel count, so that every
// broadcast addresses the window pointer plus a constant (a pointer per
// column would not fit the general registers).
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include <utility>

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"

namespace edgeae::simd {
namespace {

template <class F, size_t... I>
inline __attribute__((always_inline)) void static_for(F&& f, std::index_sequence<I...>) {
  (f(std::integral_constant<uint32_t, uint32_t(I)>{}), ...);
}

// Output pixels o0 .. o0 + P - 1 (the first `count` stored) for channels
// [oc0, oc0 + L), from the window xw = input column S*o0 - pad_begin, laid
// out [column][CIN].
template <class A, uint32_t K, uint32_t S, uint32_t CIN, uint32_t P>
void conv1d_stationary_tile(const ConvCtx& c, const float* xw, float* y, uint32_t count,
                            uint32_t oc0) {
  using B = Batch<A>;
  constexpr uint32_t kColumns = S * (P - 1) + K;
  const uint32_t cout = c.s.out_c;
  B acc[P][1];
  const B b0 = c.bias ? B::load_unaligned(c.bias + oc0) : B(0.0f);
#pragma GCC unroll 32
  for (uint32_t q = 0; q < P; ++q) acc[q][0] = b0;
  const float* w = c.w + oc0;
  for (uint32_t ic = 0; ic < CIN; ++ic) {
    B wv[K];
#pragma GCC unroll 16
    for (uint32_t kw = 0; kw < K; ++kw)
      wv[kw] = B::load_unaligned(w + size_t(kw * CIN + ic) * cout);
    static_for(
        [&](auto column) {
          constexpr uint32_t col = column;
          const B xb(xw[col * CIN + ic]);
          static_for(
              [&](auto tap) {
                constexpr uint32_t kw = tap;
                // Column col feeds pixel q through tap kw when col = S*q + kw.
                if constexpr (col >= kw && (col - kw) % S == 0 && (col - kw) / S < P)
                  acc[(col - kw) / S][0] = xsimd::fma(xb, wv[kw], acc[(col - kw) / S][0]);
              },
              std::make_index_sequence<K>{});
        },
        std::make_index_sequence<kColumns>{});
  }
  activate_tile<A, int(P), 1>(c.act, acc, oc0);
  for (uint32_t q = 0; q < count; ++q) {
    float* yp = y + size_t(q) * cout + oc0;
    with_residual<A>(c, yp, acc[q][0]).store_unaligned(yp);
  }
}

template <class A, uint32_t K, uint32_t S, uint32_t CIN>
void conv1d_stationary_layer(const ConvCtx& c) {
  constexpr uint32_t L = Batch<A>::size;
  constexpr uint32_t P = 16;  // P + K + 1 <= 26 vector registers (12: 3 % slower, 20: 10 %)
  constexpr uint32_t kColumns = S * (P - 1) + K;
  const ref::ConvShape& s = c.s;
  const int64_t pad = s.p.pad_begin[1];
  alignas(64) float window[kColumns * CIN];  // an edge tile's zero-padded window
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* x = c.x + size_t(n) * s.in_w * CIN;
    float* y = c.y + size_t(n) * s.out_w * s.out_c;
    for (uint32_t o0 = 0; o0 < s.out_w; o0 += P) {
      const uint32_t count = s.out_w - o0 < P ? s.out_w - o0 : P;
      const int64_t first = int64_t(o0) * S - pad;
      const float* xw = x + first * int64_t(CIN);
      if (first < 0 || first + kColumns > int64_t(s.in_w)) {
        for (uint32_t col = 0; col < kColumns; ++col) {
          const int64_t ic = first + col;
          const bool inside = ic >= 0 && ic < int64_t(s.in_w);
          for (uint32_t k = 0; k < CIN; ++k)
            window[col * CIN + k] = inside ? x[size_t(ic) * CIN + k] : 0.0f;
        }
        xw = window;
      }
      for (uint32_t oc = 0; oc < s.out_c; oc += L)
        conv1d_stationary_tile<A, K, S, CIN, P>(c, xw, y + size_t(o0) * s.out_c, count, oc);
    }
  }
}

template <class A, uint32_t K, uint32_t S>
bool conv1d_stationary_cin(const ConvCtx& c) {
  switch (c.s.in_c) {
    case 16:
      conv1d_stationary_layer<A, K, S, 16>(c);
      return true;
    case 32:
      conv1d_stationary_layer<A, K, S, 32>(c);
      return true;
    case 64:
      conv1d_stationary_layer<A, K, S, 64>(c);
      return true;
    default:
      return false;
  }
}

// Runs the path when it applies (1-D, groups 1, undilated, stride 1 or 2,
// kernel 3, 5, 7 or 9, 16/32/64 input channels, output channels a multiple
// of the vector width, 32 vector registers); false otherwise.
template <class A>
bool conv1d_stationary(const ConvCtx& c) {
  constexpr uint32_t L = Batch<A>::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  if (kVectorRegisters<A> < 32 || s.in_h != 1 || s.out_h != 1 || p.kernel[0] != 1 ||
      p.groups != 1 || p.dilation[1] != 1 || s.out_c % L != 0)
    return false;
  const int32_t k = p.kernel[1];
  if (p.stride[1] == 2) {
    if (k == 9) return conv1d_stationary_cin<A, 9, 2>(c);
    if (k == 7) return conv1d_stationary_cin<A, 7, 2>(c);
    if (k == 5) return conv1d_stationary_cin<A, 5, 2>(c);
    if (k == 3) return conv1d_stationary_cin<A, 3, 2>(c);
  } else if (p.stride[1] == 1) {
    if (k == 9) return conv1d_stationary_cin<A, 9, 1>(c);
    if (k == 7) return conv1d_stationary_cin<A, 7, 1>(c);
    if (k == 5) return conv1d_stationary_cin<A, 5, 1>(c);
    if (k == 3) return conv1d_stationary_cin<A, 3, 1>(c);
  }
  return false;
}

}  // namespace
}  // namespace edgeae::simd
