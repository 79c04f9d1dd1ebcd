// Fixed-point primitives of the integer kernels: the gemmlowp/TFLite
// requantization arithmetic, written out so that every step is defined
// behaviour in C++17 (no signed overflow, no shift of a negative value to the
// left). Freestanding: only <stdint.h>. docs/quantization.md is the prose
// version of this file.
//
// A real multiplier M > 0 is represented as (multiplier, shift) with
// multiplier in [2^30, 2^31) read as the Q0.31 fraction multiplier / 2^31 in
// [0.5, 1), and M = multiplier / 2^31 * 2^shift (converters/quant/quant_math
// computes them in double).
#pragma once

#include <stdint.h>

namespace edgeae::quant {

// gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2 * a * b,
// i.e. (a * b) / 2^31 rounded to nearest. Bit-exact with gemmlowp/TFLite,
// including its tie rule: the nudge is +2^30 for a non-negative product and
// 1 - 2^30 for a negative one, then the division truncates toward zero. So a
// positive tie (a*b = (k + 1/2) * 2^31) rounds up, away from zero, and a
// negative tie rounds toward zero, i.e. ties go toward +infinity in both
// cases; every non-tie rounds to nearest.
//
// Overflow: |a * b| <= 2^62 fits int64, and so does a * b + nudge. The only
// quotient that does not fit int32 is INT32_MIN * INT32_MIN / 2^31 = 2^31,
// which saturates to INT32_MAX (the one saturating case).
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = int64_t{a} * int64_t{b};
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (int64_t{1} - (int64_t{1} << 30));
  // C++ division truncates toward zero, as gemmlowp's does. The quotient lies
  // in [-2^31 + 1, 2^31 - 1] here (the 2^31 case was handled above).
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties
// away from zero, for exponent in [0, 31]. x >> exponent is floor(x / 2^e)
// (an arithmetic shift: defined for negative x by every compiler we target
// and by C++20), and the remainder x & mask = x - floor * 2^e lies in
// [0, 2^e). One is added to the floor when the remainder is past the
// threshold: for x >= 0 the threshold is 2^(e-1) - 1, so a remainder of
// exactly half rounds up (away from zero); for x < 0 it is 2^(e-1), so a
// remainder of exactly half stays at the floor (again away from zero).
// Nothing can overflow: mask and threshold are at most 2^31 - 1, and the
// result lies between x / 2^e and 0 in magnitude.
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite's MultiplyByQuantizedMultiplier (the default, "double rounding"
// form): x * multiplier / 2^31 * 2^shift. A positive shift is applied as a
// left shift of x before the high-mul, a negative one as a rounding right
// shift after it. shift must lie in [-31, 30].
//
// TFLite computes x * (1 << shift) in int32, which is undefined when it
// overflows. Here it is computed in int64 and saturated to int32: identical
// whenever TFLite's is defined, and the extreme of the range otherwise (the
// converter chooses scales so that it does not happen).
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  int64_t shifted = int64_t{x} * (int64_t{1} << left_shift);  // |x| < 2^31, shift <= 30: < 2^61
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  if (shifted < INT32_MIN) shifted = INT32_MIN;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(static_cast<int32_t>(shifted), multiplier),
      right_shift);
}

// TFLite's MultiplyByQuantizedMultiplier for int64 inputs (the 16x8 kernels'
// requantization, tensorflow/lite/kernels/internal/common.h): the multiplier
// is first rounded to 15 fractional bits, reduced = round(multiplier / 2^16)
// in [2^14, 2^15] (0x7FFF when that rounding would reach 2^15), then
// x * reduced / 2^(15 - shift) is rounded by adding half and shifting right
// arithmetically (round half toward +infinity). Requirements (as TFLite's):
// multiplier >= 0, shift in [-31, 7], |x| < 2^47 (so |x * reduced| < 2^62).
// TFLite narrows the result to int32 unchecked; here it saturates, which is
// identical whenever the result fits.
inline int32_t multiply_by_quantized_multiplier_64(int64_t x, int32_t multiplier, int shift) {
  // Keep the product inside int64 even for out-of-contract accumulators.
  const int64_t limit = int64_t{1} << 47;
  if (x >= limit) x = limit - 1;
  if (x < -limit) x = -limit;
  const int32_t reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
  const int total_shift = 15 - shift;  // in [8, 46]
  const int64_t rounded = x * int64_t{reduced} + (int64_t{1} << (total_shift - 1));
  const int64_t result = rounded >> total_shift;
  if (result > INT32_MAX) return INT32_MAX;
  if (result < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(result);
}

// num / den rounded to nearest, ties away from zero (den > 0): the average
// pools' division, as TFLite's (acc +- den / 2) / den.
inline int64_t rounded_divide(int64_t num, int64_t den) {
  return num >= 0 ? (num + den / 2) / den : (num - den / 2) / den;
}

inline int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

// The output stage of every accumulating kernel: the requantized
// accumulator plus the output zero point, clamped to [lo, hi] (the fused
// activation's bounds, within the output type's range). The sum is formed in
// int64, so a result near INT32_MAX cannot overflow.
inline int32_t requantize(int32_t acc, int32_t multiplier, int shift, int32_t zp, int32_t lo,
                          int32_t hi) {
  const int64_t v = int64_t{multiply_by_quantized_multiplier(acc, multiplier, shift)} + zp;
  return v < lo ? lo : (v > hi ? hi : static_cast<int32_t>(v));
}
// requantize (int32 accumulator) with the same result in fewer operations,
// for optimized kernels: for shift <= 0 the rounding doubling high multiply
// is floor((acc * m + 2^30) / 2^31), which equals gemmlowp's nudge-and-
// truncate for every product (for p >= 0 it is the same expression; for
// p < 0, p + 1 - 2^30 is negative and truncating it is flooring it plus
// 2^31 - 1, which adds up to the same 2^30; docs/kernels.md); the clamp
// comes before the zero point so all stays in 32 bits. A positive shift and
// INT32_MIN * INT32_MIN take requantize itself. Tested equal on edge and
// random inputs.
inline int32_t requantize_fast(int32_t acc, int32_t multiplier, int shift, int32_t zp, int32_t lo,
                               int32_t hi) {
  if (shift > 0 || (acc == INT32_MIN && multiplier == INT32_MIN))
    return requantize(acc, multiplier, shift, zp, lo, hi);
  const int64_t p = int64_t{acc} * multiplier + (int64_t{1} << 30);
  const auto h = static_cast<int32_t>(p >> 31);  // fits: only INT32_MIN^2 would not
  const int32_t r = rounding_divide_by_pot(h, -shift);
  const int32_t low = lo - zp, high = hi - zp;
  return (r < low ? low : (r > high ? high : r)) + zp;
}

inline int32_t requantize(int64_t acc, int32_t multiplier, int shift, int32_t zp, int32_t lo,
                          int32_t hi) {
  const int64_t v = int64_t{multiply_by_quantized_multiplier_64(acc, multiplier, shift)} + zp;
  return v < lo ? lo : (v > hi ? hi : static_cast<int32_t>(v));
}

}  // namespace edgeae::quant
