// AVX-512 int8 helpers shared by the VNNI units (each compiled with the
// same ISA flags): gemmlowp requantization on 16 lanes, bit-exact with
// quant::requantize, and the per-column-tile epilogue of the packed Dense and
// Conv kernels. Unnamed namespace, like conv_geometry.hpp: no instantiation
// may be shared with a unit compiled for another ISA.
#pragma once

#include <immintrin.h>

#include "kernels/reference/int_reference.hpp"

namespace edgeae::simd {
namespace {

// Rows processed together for `tiles` column tiles when `available` rows
// are left: 16 accumulators at most, as many rows as that allows.
inline int rows_for(int tiles, uint64_t available) {
  if (tiles <= 2 && available >= 8) return 8;
  if (tiles <= 4 && available >= 4) return 4;
  return 1;
}

// gemmlowp's SaturatingRoundingDoublingHighMul on 16 lanes: (x * m +
// nudge) / 2^31 truncated toward zero, nudge 2^30 (p >= 0) or 1 - 2^30
// (p < 0). That equals floor((p + 2^30) / 2^31) for every product p: for
// p >= 0 the two are the same expression; for p < 0, p + 1 - 2^30 is
// negative, and truncating it toward zero is flooring it plus 2^31 - 1,
// which adds up to the same 2^30. So one add and one arithmetic shift per
// 64-bit half. INT32_MIN * INT32_MIN saturates.
// Without the saturation (the multiplier is never INT32_MIN).
inline __m512i rounding_doubling_high_mul16_unsaturated(__m512i x, __m512i mult) {
  const __m512i half = _mm512_set1_epi64(1ll << 30);
  const __m512i even = _mm512_srai_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, mult), half), 31);
  const __m512i odd = _mm512_srai_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32)),
                       half),
      31);
  return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}
inline __m512i rounding_doubling_high_mul16(__m512i x, __m512i mult) {
  const __m512i h = rounding_doubling_high_mul16_unsaturated(x, mult);
  const __m512i min = _mm512_set1_epi32(INT32_MIN);
  return _mm512_mask_mov_epi32(h,
                               _mm512_cmpeq_epi32_mask(x, min) & _mm512_cmpeq_epi32_mask(mult, min),
                               _mm512_set1_epi32(INT32_MAX));
}

// gemmlowp's RoundingDivideByPOT on 16 lanes (exponents 0..31): ties away
// from zero.
inline __m512i rounding_shift_right16(__m512i h, __m512i right) {
  const __m512i mask =
      _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), right), _mm512_set1_epi32(1));
  const __m512i remainder = _mm512_and_si512(h, mask);
  const __m512i threshold =
      _mm512_add_epi32(_mm512_srai_epi32(mask, 1),
                       _mm512_maskz_mov_epi32(_mm512_cmplt_epi32_mask(h, _mm512_setzero_si512()),
                                              _mm512_set1_epi32(1)));
  const __m512i r = _mm512_srav_epi32(h, right);
  return _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, threshold), r,
                               _mm512_set1_epi32(1));
}

// quant::multiply_by_quantized_multiplier on 16 lanes, bit for bit: a
// positive shift multiplies first (saturating), then the rounding doubling
// high multiply, then a rounding right shift (ties away from zero).
inline __m512i multiply_by_quantized_multiplier16(__m512i x, __m512i mult, __m512i shift) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i left = _mm512_max_epi32(shift, zero);
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  // x * 2^left, saturated to int32 where it overflows.
  const __m512i shifted = _mm512_sllv_epi32(x, left);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, left), x);
  const __m512i saturated = _mm512_mask_blend_epi32(
      _mm512_cmplt_epi32_mask(x, zero), _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
  x = _mm512_mask_blend_epi32(overflow, shifted, saturated);
  return rounding_shift_right16(rounding_doubling_high_mul16(x, mult), right);
}

// clamp(r + zp, lo, hi) as quant::requantize does it (in int64): clamping r
// to [lo - zp, hi - zp] first keeps every step inside int32.
inline __m512i add_zero_point_and_clamp(__m512i r, int32_t zp, int32_t lo, int32_t hi) {
  r = _mm512_max_epi32(r, _mm512_set1_epi32(lo - zp));
  r = _mm512_min_epi32(r, _mm512_set1_epi32(hi - zp));
  return _mm512_add_epi32(r, _mm512_set1_epi32(zp));
}

inline __m512i requantize16(__m512i x, __m512i mult, __m512i shift, const ref::RequantParams& q) {
  return add_zero_point_and_clamp(multiply_by_quantized_multiplier16(x, mult, shift), q.out_zp,
                                  q.act_min, q.act_max);
}

// The requantization constants of 16 output columns from `first` (up to
// `end`), computed once per column tile and shared by every row stored with
// it: offset = bias - (zp + 128) * column_sum, since sum (a + 128) w -
// (zp + 128) sum w = sum (a - zp) w (mod 2^32); then the multipliers and
// shifts.
// right_only: no shift is positive and no multiplier INT32_MIN (the usual
// case), so the left shift and the saturation, which then change nothing,
// are skipped; `right` holds -shift (in the general case, 0 - shift),
// round_mask 2^right - 1 and round_half round_mask >> 1, the rounding
// shift's constants.
struct OutputTile {
  __mmask16 lanes;
  uint32_t first;
  bool right_only;
  __m512i offset, mult, right, round_mask, round_half;
};

inline OutputTile output_tile(uint32_t first, uint32_t end, const int32_t* bias_row,
                              bool bias_per_column, const int32_t* column_sums,
                              const ref::LayerQuant& q) {
  OutputTile t;
  const uint32_t live = end - first >= 16 ? 16 : end - first;
  t.lanes = static_cast<__mmask16>((1u << live) - 1u);
  t.first = first;
  const __m512i cs = _mm512_maskz_loadu_epi32(t.lanes, column_sums + first);
  t.offset = _mm512_sub_epi32(_mm512_setzero_si512(),
                              _mm512_mullo_epi32(_mm512_set1_epi32(q.in_zp + 128), cs));
  if (bias_row != nullptr)
    t.offset = _mm512_add_epi32(t.offset, bias_per_column
                                              ? _mm512_maskz_loadu_epi32(t.lanes, bias_row + first)
                                              : _mm512_set1_epi32(bias_row[0]));
  const bool per_channel = q.out.count > 1;
  t.mult = per_channel ? _mm512_maskz_loadu_epi32(t.lanes, q.out.multiplier + first)
                       : _mm512_set1_epi32(q.out.multiplier[0]);
  const __m512i shift = per_channel ? _mm512_maskz_loadu_epi32(t.lanes, q.out.shift + first)
                                    : _mm512_set1_epi32(q.out.shift[0]);
  t.right = _mm512_sub_epi32(_mm512_setzero_si512(), shift);
  t.right_only = _mm512_cmpgt_epi32_mask(shift, _mm512_setzero_si512()) == 0 &&
                 _mm512_cmpeq_epi32_mask(t.mult, _mm512_set1_epi32(INT32_MIN)) == 0;
  t.round_mask =
      _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), t.right), _mm512_set1_epi32(1));
  t.round_half = _mm512_srai_epi32(t.round_mask, 1);
  return t;
}

// Narrows 16 int32 lanes (already within int8) to bytes and stores `lanes`
// of them: vpmovdb to a register, then a masked byte store. vpmovdb straight
// to memory with a mask is much slower on AMD cores, and GCC fuses the two
// into it unless the empty asm hides the register in between.
inline void store_bytes16(int8_t* y, __mmask16 lanes, __m512i v) {
  __m128i bytes = _mm512_cvtepi32_epi8(v);
  __asm__("" : "+v"(bytes));
  _mm_mask_storeu_epi8(y, lanes, bytes);
}

// The output clamp's constants, broadcast once per kernel call:
// [act_min - zp, act_max - zp], then + zp (add_zero_point_and_clamp).
struct OutputClamp {
  __m512i low, high, zp;
};

inline OutputClamp output_clamp(const ref::RequantParams& q) {
  return {_mm512_set1_epi32(q.act_min - q.out_zp), _mm512_set1_epi32(q.act_max - q.out_zp),
          _mm512_set1_epi32(q.out_zp)};
}

// rounding_doubling_high_mul16_unsaturated with the odd lanes' multipliers
// already moved down (odd_mult = mult >> 32 per 64-bit lane) and the odd
// products' high halves taken by a left shift: bits 31..62 of p + 2^30 are
// the high dword of (p + 2^30) << 1.
inline __m512i high_mul16_unsaturated(__m512i x, __m512i mult, __m512i odd_mult) {
  const __m512i half = _mm512_set1_epi64(1ll << 30);
  const __m512i even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(x, mult), half), 31);
  const __m512i odd = _mm512_slli_epi64(
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), odd_mult), half), 1);
  return _mm512_mask_blend_epi32(0xAAAA, even, odd);
}

// rounding_shift_right16 with the tile's constants: floor(h / 2^right), plus
// one when the remainder exceeds half, or half + 1 for a negative h (ties
// away from zero). remainder - (h < 0) >= -1 cannot overflow.
inline __m512i rounding_shift_right16(__m512i h, const OutputTile& t) {
  const __m512i remainder =
      _mm512_sub_epi32(_mm512_and_si512(h, t.round_mask), _mm512_srli_epi32(h, 31));
  const __m512i r = _mm512_srav_epi32(h, t.right);
  return _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, t.round_half), r,
                               _mm512_set1_epi32(1));
}

// Requantizes one row's accumulators of a tile and stores its int8 outputs.
inline void store_tile(const OutputTile& t, const OutputClamp& c, __m512i acc,
                       const ref::LayerQuant& q, int8_t* y_row) {
  const __m512i x = _mm512_add_epi32(acc, t.offset);
  __m512i r;
  if (t.right_only) {
    r = rounding_shift_right16(high_mul16_unsaturated(x, t.mult, _mm512_srli_epi64(t.mult, 32)), t);
    r = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, c.low), c.high), c.zp);
  } else {
    r = requantize16(x, t.mult, _mm512_sub_epi32(_mm512_setzero_si512(), t.right), q.out);
  }
  if (t.lanes == 0xFFFF) {  // a whole tile: a plain store (see store_bytes16)
    __m128i bytes = _mm512_cvtepi32_epi8(r);
    __asm__("" : "+v"(bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y_row + t.first), bytes);
  } else {
    store_bytes16(y_row + t.first, t.lanes, r);
  }
}

// The output tiles of columns [n0, n0 + 16 * tiles) below `end`; returns how
// many there are (the last may be partial, tiles past `end` are dropped).
inline int output_tiles(uint32_t n0, int tiles, uint32_t end, const int32_t* bias_row,
                        bool bias_per_column, const int32_t* column_sums, const ref::LayerQuant& q,
                        OutputTile* out) {
  int count = 0;
  for (int t = 0; t < tiles; ++t) {
    const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
    if (first >= end) break;
    out[count++] = output_tile(first, end, bias_row, bias_per_column, column_sums, q);
  }
  return count;
}

inline int64_t positive_mod(int64_t v, int64_t m) {
  return ((v % m) + m) % m;
}

}  // namespace
}  // namespace edgeae::simd
