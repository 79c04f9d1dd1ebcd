// What the Cortex-M DSP int8 kernels share (s8_dsp.cpp on quad-packed
// weights, s8_dsp_pairs.cpp on DSP column pairs): loads, the halfword
// widening of SXTB16/SXTAB16, the output stage (a requantization in fewer
// instructions for the common multiplier range, packed clamps) and the 1-D
// Conv that reads its pixels in place.
#pragma once

#include <arm_acle.h>
#include <string.h>

#include "kernels/kernel_set.hpp"
#include "kernels/reference/quant.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm::dsp {

inline uint32_t load_quad(const int8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);  // LDR: Armv7-M/v8-M load words at any alignment
  return v;
}

// The last K % 4 values of a row, zero past K (the weights there are zero).
inline uint32_t load_partial_quad(const int8_t* p, uint32_t count) {
  uint8_t bytes[4] = {0, 0, 0, 0};
  memcpy(bytes, p, count);
  uint32_t v;
  memcpy(&v, bytes, 4);
  return v;
}

// Halfwords (x.b0, x.b2) and (x.b1, x.b3), sign-extended, plus off's halfwords.
inline uint32_t even_plus(int32_t off, uint32_t x) {
  return static_cast<uint32_t>(__sxtab16(off, static_cast<int32_t>(x)));
}
inline uint32_t odd_plus(int32_t off, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off), "r"(x));
  return r;
}
inline int32_t even(uint32_t x) {
  return __sxtb16(static_cast<int32_t>(x));
}
inline int32_t odd(uint32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
inline int32_t smlad(uint32_t x, int32_t w, int32_t acc) {
  return __smlad(static_cast<int32_t>(x), w, acc);
}

// Halfwords (lo.h0, hi.h0) and (lo.h1, hi.h1) of two words: one PKHBT /
// PKHTB each (gcc 12 builds them from two or three instructions).
inline uint32_t bottoms(uint32_t lo, uint32_t hi) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}
inline uint32_t tops(uint32_t lo, uint32_t hi) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

// The sentinel after the last widened quad: halfwords of 256, which no
// a - zp in [-255, 255] is. The tiles' loops end on it, so no register
// holds the end.
constexpr uint32_t kSentinel = 0x01000100;

// What the output stage needs, per call.
struct Output {
  const int32_t* bias;  // or nullptr
  size_t bias_stride_m, bias_stride_n;
  int8_t* y;
  size_t n;  // y's row length
  const ref::RequantParams* q;
  size_t channel_step;        // 1: per-channel requantization, 0: per tensor
  bool fast;                  // fast_requant(*q)
  int32_t twice_zp_plus_one;  // 2 * out_zp + 1 (column_quant())
  uint32_t lo4, hi4;          // act_min, act_max in each byte
};

// quant::requantize_fast in fewer instructions, for layers whose every
// channel has multiplier in [2^30, 2^31) and shift in [-20, -1]
// (fast_requant(); other layers take quant::requantize_fast itself):
// - the rounding high multiply floor((sum * m + 2^30) / 2^31) is SMMULR
//   (floor((x * m + 2^31) / 2^32)) of x = 2 * sum, exact for |sum| < 2^30.
//   Larger sums saturate the doubling (QADD), and then both the exact and
//   the computed high product are at least 2^29 - 1 in magnitude with the
//   sum's sign, so after the shift by at most 20 both are beyond +-255 and
//   clamp to the same bound;
// - rounding_divide_by_pot(h, e), e >= 1, plus the zero point is
//   (h + 2^(e-1) + zp * 2^e - (h < 0)) >> e: the multiple of 2^e passes
//   through the floor exactly, and |h| <= 2^30 leaves no overflow;
// - the clamp to [act_min, act_max] within int8 is SSAT 8, then
//   clamp_bytes() on up to four packed results.
// Whether a channel is outside requant_fast's range (multiplier in
// [2^30, 2^31), shift in [-20, -1]).
__attribute__((always_inline)) inline bool slow_channel(int32_t multiplier, int32_t shift) {
  return multiplier < (1 << 30) || static_cast<uint32_t>(-shift - 1) >= 20u;
}
inline bool fast_requant(const ref::RequantParams& q) {
  const int32_t *multiplier = q.multiplier, *shift = q.shift;
  for (uint32_t c = 0; c < q.count; ++c)
    if (slow_channel(multiplier[c], shift[c])) return false;
  return true;
}

struct ColumnQuant {
  int32_t multiplier, exponent, rounding;  // rounding: 2^(e-1) + zp * 2^e
};

// A channel's requant_fast parameters (not slow_channel()).
__attribute__((always_inline)) inline ColumnQuant channel_quant(int32_t multiplier, int32_t shift,
                                                                int32_t twice_zp_plus_one) {
  const int32_t exponent = -shift;
  // ((2 zp + 1) * 2^e) / 2, exact for e >= 1; |2 zp + 1| * 2^20 < 2^29.
  const auto rounding =
      static_cast<int32_t>(static_cast<uint32_t>(twice_zp_plus_one) << exponent) >> 1;
  return {multiplier, exponent, rounding};
}

inline ColumnQuant column_quant(const Output& o, uint32_t n) {
  const size_t c = n * o.channel_step;
  return channel_quant(o.q->multiplier[c], o.q->shift[c], o.twice_zp_plus_one);
}

inline int32_t requant_fast(int32_t sum, const ColumnQuant& c) {
  int32_t h;
  __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"(__qadd(sum, sum)), "r"(c.multiplier));
  return __ssat((h + c.rounding + (h >> 31)) >> c.exponent, 8);
}

// max(v, lo) then min(v, hi) in each byte (signed).
inline uint32_t clamp_bytes(uint32_t v, uint32_t lo4, uint32_t hi4) {
  uint32_t t;
  __asm__(
      "ssub8 %[t], %[v], %[lo]\n\t"  // GE: v >= lo
      "sel %[v], %[v], %[lo]\n\t"
      "ssub8 %[t], %[v], %[hi]\n\t"  // GE: v >= hi
      "sel %[v], %[hi], %[v]"
      : [v] "+r"(v), [t] "=&r"(t)
      : [lo] "r"(lo4), [hi] "r"(hi4)
      : "cc");
  return v;
}

// Rows [m, m + rows) and columns [n, n + width) of y from their sums (bias
// included), sum[r * width + w], through quant::requantize_fast (layers
// fast_requant() rejects; one copy for every tile shape, small in flash).
__attribute__((noinline)) inline void store_exact(const Output& o, uint32_t m, uint32_t n,
                                                  const int32_t* sum, int rows, int width) {
  const ref::RequantParams& q = *o.q;
  for (int r = 0; r < rows; ++r)
    for (int w = 0; w < width; ++w) {
      const size_t c = (n + w) * o.channel_step;
      o.y[(m + r) * o.n + n + w] = static_cast<int8_t>(quant::requantize_fast(
          sum[r * width + w], q.multiplier[c], q.shift[c], q.out_zp, q.act_min, q.act_max));
    }
}

// Byte k of v replaced by the low byte of x (BFI).
inline uint32_t insert_byte(uint32_t v, int32_t x, int k) {
  return (v & ~(0xFFu << 8 * k)) | (static_cast<uint32_t>(x) & 0xFF) << 8 * k;
}

// The low bytes of v[0..3], little-endian.
inline uint32_t pack4(const int32_t* v) {
  auto packed = static_cast<uint32_t>(v[0]);
  __asm__(
      "bfi %0, %1, #8, #8\n\t"
      "bfi %0, %2, #16, #8\n\t"
      "bfi %0, %3, #24, #8"
      : "+&r"(packed)
      : "r"(v[1]), "r"(v[2]), "r"(v[3]));
  return packed;
}

// (-zp, -zp) as halfwords.
inline int32_t minus_zp_pair(int32_t zp) {
  const uint32_t nzp = static_cast<uint16_t>(-zp);
  return static_cast<int32_t>(nzp | nzp << 16);
}

// fast: fast_requant(q.out), for the kernels that choose their output stage
// per call (false for those that test each output's channel as they store).
inline Output output_of(const ref::DenseShape& s, const ref::LayerQuant& q, const int32_t* bias,
                        int8_t* y, bool fast) {
  return Output{bias,
                s.bias_stride_m,
                s.bias_stride_n,
                y,
                s.n,
                &q.out,
                q.out.count > 1 ? 1u : 0u,
                fast,
                2 * q.out.out_zp + 1,
                static_cast<uint8_t>(q.out.act_min) * 0x01010101u,
                static_cast<uint8_t>(q.out.act_max) * 0x01010101u};
}

// Rows [m, m + R) of a Dense's output from its rows at a (lda bytes apart).
using RowsFn = void (*)(const ref::DenseShape& s, const Output& o, const int8_t* a, size_t lda,
                        const int8_t* b, int32_t minus_zp, uint32_t m);

// A 1-D Conv (KH = 1, undilated along W) is a Dense whose rows, output
// pixel ow's KW * Cin inputs, lie in place in the input row from
// (ow * sw - pw) * Cin, sw * Cin bytes apart: the pixels whose window lies
// inside the row run as rows2 pairs read in place (no gather); the few
// whose window reaches the padding are gathered one at a time into scratch
// (K bytes, zero points for the padding) for rows1. False for other shapes.
// fast: output_of()'s.
inline bool conv_in_place(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                          const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* scratch,
                          int8_t* y, RowsFn rows1, RowsFn rows2, bool fast) {
  const format::ConvParams& p = s.p;
  if (transposed || p.kernel[0] != 1 || p.dilation[1] != 1) return false;
  const auto kw = static_cast<uint32_t>(p.kernel[1]), sw = static_cast<uint32_t>(p.stride[1]),
             pw = static_cast<uint32_t>(p.pad_begin[1]);
  ref::DenseShape d;  // one output row: out_w pixels of K inputs
  d.m = s.out_w;
  d.n = s.out_c;
  d.k = kw * s.in_c;
  d.b_block = static_cast<uint32_t>(p.w_block);
  d.b_packing = p.w_packing;
  d.bias_stride_n = bias != nullptr ? 1 : 0;
  // Pixels whose window lies inside the row: ow * sw >= pw, ow * sw - pw + KW <= W.
  uint32_t ow_lo = (pw + sw - 1) / sw, ow_hi = 0;
  if (s.in_w + pw >= kw) ow_hi = (s.in_w + pw - kw) / sw + 1;
  if (ow_hi > s.out_w) ow_hi = s.out_w;
  if (ow_lo > ow_hi) ow_lo = ow_hi;
  const int32_t minus_zp = minus_zp_pair(q.in_zp);
  const size_t row_bytes = size_t{s.in_w} * s.in_c, lda = size_t{sw} * s.in_c;
  Output o = output_of(d, q, bias, y, fast);  // each output row moves o.y only
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      const int64_t ih = int64_t{oh} * p.stride[0] - p.pad_begin[0];
      const bool inside = ih >= 0 && ih < int64_t{s.in_h};
      const int8_t* x_row = inside ? x + (size_t{n} * s.in_h + size_t(ih)) * row_bytes : nullptr;
      o.y = y + (size_t{n} * s.out_h + oh) * s.out_w * s.out_c;
      const uint32_t lo = inside ? ow_lo : s.out_w, hi = inside ? ow_hi : s.out_w;
      uint32_t ow = 0;
      for (; ow < s.out_w; ++ow) {
        if (ow == lo) {  // the pixels in place, then the rest
          for (; ow + 2 <= hi; ow += 2)
            rows2(d, o, x_row + (size_t{ow} * sw - pw) * s.in_c, lda, w, minus_zp, ow);
          if (ow == s.out_w) break;
          if (ow < hi) {
            rows1(d, o, x_row + (size_t{ow} * sw - pw) * s.in_c, lda, w, minus_zp, ow);
            continue;
          }
        }
        // Gathered: the taps inside the row copied, the others zero points.
        const int64_t iw0 = int64_t{ow} * sw - pw;
        for (uint32_t t = 0; t < kw; ++t) {
          const int64_t iw = iw0 + t;
          int8_t* dst = scratch + size_t{t} * s.in_c;
          if (x_row != nullptr && iw >= 0 && iw < int64_t{s.in_w})
            memcpy(dst, x_row + size_t(iw) * s.in_c, s.in_c);
          else
            memset(dst, q.in_zp, s.in_c);
        }
        rows1(d, o, scratch, d.k, w, minus_zp, ow);
      }
    }
  return true;
}

}  // namespace edgeae::cortexm::dsp

#endif  // __ARM_FEATURE_DSP
