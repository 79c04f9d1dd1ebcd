// The fixed-point primitives (kernels/reference/quant.hpp) against exact
// integer/rational computations, and the host's multiplier quantization.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/quant.hpp"
#include "quant/quant_math.hpp"

namespace edgeae::quant {
namespace {

// floor(n / 2^e) for any int64 n, by division (not by shifting).
int64_t floor_div_pot(int64_t n, int e) {
  const int64_t d = int64_t{1} << e;
  int64_t q = n / d;
  if (n % d != 0 && n < 0) --q;
  return q;
}

// gemmlowp's high-mul as a rounding rule: a * b / 2^31 to nearest, ties
// toward +infinity (floor of value + 1/2), saturated.
int64_t srdhm_model(int32_t a, int32_t b) {
  const int64_t ab = int64_t{a} * b;
  const int64_t r = floor_div_pot(ab + (int64_t{1} << 30), 31);
  return r > INT32_MAX ? INT32_MAX : r;
}

// x / 2^e rounded to nearest, ties away from zero, on magnitudes.
int64_t rdbpot_model(int32_t x, int e) {
  const int64_t m = x < 0 ? -int64_t{x} : int64_t{x};
  const int64_t r = e == 0 ? m : (m + (int64_t{1} << (e - 1))) >> e;
  return x < 0 ? -r : r;
}

std::vector<int32_t> edge_values() {
  return {INT32_MIN, INT32_MIN + 1, -(1 << 30),    -3,       -2, -1, 0, 1, 2,
          3,         1 << 30,       INT32_MAX - 1, INT32_MAX};
}

TEST_CASE("quant: saturating_rounding_doubling_high_mul hand-checked values") {
  CHECK(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX);
  CHECK(saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX) == INT32_MAX - 1);
  CHECK(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX) == -INT32_MAX);
  CHECK(saturating_rounding_doubling_high_mul(100, 1 << 30) == 50);  // * 0.5
  CHECK(saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);     // 1.5: tie up
  CHECK(saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);   // -1.5: tie toward +inf
  CHECK(saturating_rounding_doubling_high_mul(-1, 1 << 30) == 0);    // -0.5 -> 0
  CHECK(saturating_rounding_doubling_high_mul(1, 1 << 30) == 1);     // 0.5 -> 1
  CHECK(saturating_rounding_doubling_high_mul(-5, 1 << 29) == -1);   // -1.25 -> -1
  CHECK(saturating_rounding_doubling_high_mul(-7, 1 << 29) == -2);   // -1.75 -> -2
}

TEST_CASE(
    "quant: saturating_rounding_doubling_high_mul equals round(a*b/2^31) on random and edge "
    "inputs") {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-70000, 70000);
  const std::vector<int32_t> edges = edge_values();
  for (int32_t a : edges)
    for (int32_t b : edges) {
      INFO(a << " * " << b);
      CHECK(saturating_rounding_doubling_high_mul(a, b) == srdhm_model(a, b));
    }
  int mismatches = 0;
  for (int i = 0; i < 400000; ++i) {
    const int32_t a = i % 3 == 0 ? small(rng) : any(rng);
    int32_t b = i % 5 == 0 ? edges[size_t(i / 5) % edges.size()] : any(rng);
    // Multipliers a tie can hit: b = 2^k.
    if (i % 7 == 0) b = int32_t(1) << (i % 31);
    if (saturating_rounding_doubling_high_mul(a, b) != srdhm_model(a, b)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("quant: rounding_divide_by_pot hand-checked values") {
  CHECK(rounding_divide_by_pot(5, 1) == 3);    // 2.5 -> 3
  CHECK(rounding_divide_by_pot(-5, 1) == -3);  // -2.5 -> -3
  CHECK(rounding_divide_by_pot(7, 2) == 2);    // 1.75
  CHECK(rounding_divide_by_pot(-7, 2) == -2);
  CHECK(rounding_divide_by_pot(6, 2) == 2);  // 1.5
  CHECK(rounding_divide_by_pot(-6, 2) == -2);
  CHECK(rounding_divide_by_pot(-2, 2) == -1);  // -0.5 -> -1
  CHECK(rounding_divide_by_pot(2, 2) == 1);
  CHECK(rounding_divide_by_pot(-1, 2) == 0);
  CHECK(rounding_divide_by_pot(123, 0) == 123);
  CHECK(rounding_divide_by_pot(INT32_MIN, 31) == -1);
  CHECK(rounding_divide_by_pot(INT32_MAX, 31) == 1);
  CHECK(rounding_divide_by_pot(INT32_MIN, 0) == INT32_MIN);
  CHECK(rounding_divide_by_pot(1 << 30, 31) == 1);      // exactly 0.5
  CHECK(rounding_divide_by_pot(-(1 << 30), 31) == -1);  // exactly -0.5
}

TEST_CASE("quant: rounding_divide_by_pot equals exact rounding for every exponent 0..31") {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  int mismatches = 0;
  for (int e = 0; e <= 31; ++e) {
    for (int32_t x : edge_values())
      if (rounding_divide_by_pot(x, e) != rdbpot_model(x, e)) ++mismatches;
    for (int i = 0; i < 20000; ++i) {
      int32_t x = any(rng);
      // Exact ties and their neighbours: k * 2^e + 2^(e-1) + {-1, 0, 1}.
      if (i % 4 == 0 && e > 0 && e < 31) {
        const int64_t k = std::uniform_int_distribution<int64_t>(-(int64_t{1} << (31 - e)) + 1,
                                                                 (int64_t{1} << (31 - e)) - 2)(rng);
        const int64_t v = k * (int64_t{1} << e) + (int64_t{1} << (e - 1)) + (i % 3) - 1;
        if (v >= INT32_MIN && v <= INT32_MAX) x = int32_t(v);
      }
      if (rounding_divide_by_pot(x, e) != rdbpot_model(x, e)) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("quant: multiply_by_quantized_multiplier composes the two roundings like TFLite") {
  // 0.75 = 3 * 2^29 / 2^31
  CHECK(multiply_by_quantized_multiplier(100, 3 << 29, 0) == 75);
  CHECK(multiply_by_quantized_multiplier(-100, 3 << 29, 0) == -75);
  // 0.375 = 0.75 * 2^-1: 3 * 0.375 = 1.125 -> high-mul gives round(2.25) = 2, then 2/2 = 1
  CHECK(multiply_by_quantized_multiplier(3, 3 << 29, -1) == 1);
  // Double rounding: 5 * 0.5 * 2^-1 = 1.25, but 5 * 0.5 = 2.5 -> 3 -> 3/2 = 1.5 -> 2.
  CHECK(multiply_by_quantized_multiplier(5, 1 << 30, -1) == 2);
  // 1.5 * 2^2 = 6: left shift first.
  CHECK(multiply_by_quantized_multiplier(7, 3 << 29, 3) == 42);
  // Left shift that would overflow int32 saturates instead of wrapping.
  CHECK(multiply_by_quantized_multiplier(INT32_MAX, 1 << 30, 4) ==
        multiply_by_quantized_multiplier(INT32_MAX, 1 << 30, 0));
  CHECK(multiply_by_quantized_multiplier(INT32_MIN, 1 << 30, 4) == -(1 << 30));

  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> xs(-(1 << 24), 1 << 24);
  std::uniform_int_distribution<int32_t> ms(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shifts(-31, 6);
  int mismatches = 0, off = 0;
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = xs(rng), m = ms(rng);
    const int s = shifts(rng);
    const int32_t got = multiply_by_quantized_multiplier(x, m, s);
    // The model: shift left (no overflow at these sizes), round-mul, round-shift.
    const int64_t hm = srdhm_model(int32_t(int64_t{x} * (int64_t{1} << (s > 0 ? s : 0))), m);
    const int64_t want = rdbpot_model(int32_t(hm), s > 0 ? 0 : -s);
    if (got != want) ++mismatches;
    // Within one of the exact value x * m * 2^(s - 31) (double rounding).
    const double exact = std::ldexp(double(x) * double(m), s - 31);
    if (std::fabs(double(got) - exact) > 1.0) ++off;
  }
  CHECK(mismatches == 0);
  CHECK(off == 0);
}

TEST_CASE("quant: multiply_by_quantized_multiplier_64 is TFLite's 16x8 requantization") {
  // 0.5 -> reduced 2^14, total shift 15: 1000 * 0.5 = 500 exactly.
  CHECK(multiply_by_quantized_multiplier_64(1000, 1 << 30, 0) == 500);
  // 3 * 0.5 = 1.5 rounds half up to 2; -3 * 0.5 = -1.5 rounds half up to -1.
  CHECK(multiply_by_quantized_multiplier_64(3, 1 << 30, 0) == 2);
  CHECK(multiply_by_quantized_multiplier_64(-3, 1 << 30, 0) == -1);
  // The identity (2^30, 1) is exact.
  for (int64_t x : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{32767}, int64_t{-32768},
                    int64_t{123456789}, int64_t{-987654321}})
    CHECK(multiply_by_quantized_multiplier_64(x, 1 << 30, 1) == x);
  // A multiplier within 2^16 of 2^31 reduces to 0x7FFF, not 2^15.
  CHECK(multiply_by_quantized_multiplier_64(1 << 20, INT32_MAX, 0) ==
        ((int64_t{1} << 20) * 0x7FFF + (1 << 14)) >> 15);
  // Out-of-contract inputs saturate rather than overflow.
  CHECK(multiply_by_quantized_multiplier_64(INT64_MAX, INT32_MAX, 7) == INT32_MAX);
  CHECK(multiply_by_quantized_multiplier_64(INT64_MIN, INT32_MAX, 7) == INT32_MIN);

  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int64_t> xs(-(int64_t{1} << 40), int64_t{1} << 40);
  std::uniform_int_distribution<int32_t> ms(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shifts(-31, -10);  // results < 2^30
  int off = 0;
  for (int i = 0; i < 100000; ++i) {
    const int64_t x = xs(rng);
    const int32_t m = ms(rng);
    const int s = shifts(rng);
    const double exact = std::ldexp(double(x) * double(m), s - 31);
    // The 15-bit multiplier is within 2^-15 relative; plus half an LSB.
    const double tol = 0.5 + std::fabs(exact) * std::ldexp(1.0, -15) + 1e-9 * std::fabs(exact);
    if (std::fabs(double(multiply_by_quantized_multiplier_64(x, m, s)) - exact) > tol) ++off;
  }
  CHECK(off == 0);
}

TEST_CASE("quant: rounded_divide rounds half away from zero") {
  CHECK(rounded_divide(3, 2) == 2);
  CHECK(rounded_divide(-3, 2) == -2);
  CHECK(rounded_divide(5, 4) == 1);
  CHECK(rounded_divide(-5, 4) == -1);
  CHECK(rounded_divide(6, 4) == 2);
  CHECK(rounded_divide(-6, 4) == -2);
  CHECK(rounded_divide(7, 3) == 2);
  CHECK(rounded_divide(-8, 3) == -3);
  CHECK(rounded_divide(0, 9) == 0);
}

TEST_CASE("quant: quantize_multiplier reconstructs the real value within 2^-31 relative") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> log2s(-30.0, 20.0);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp2(log2s(rng));
    const QuantizedMultiplier m = quantize_multiplier(real);
    REQUIRE(m.multiplier >= (1 << 30));
    REQUIRE(m.shift >= -31);
    REQUIRE(m.shift <= 30);
    CHECK(std::fabs(dequantize_multiplier(m) - real) <= real * std::ldexp(1.0, -31));
  }
}

TEST_CASE("quant: quantize_multiplier edge cases") {
  QuantizedMultiplier m = quantize_multiplier(0.0);
  CHECK(m.multiplier == 0);
  CHECK(m.shift == 0);
  m = quantize_multiplier(1e-12);  // 2^-40: below the shift range, flushed
  CHECK(m.multiplier == 0);
  CHECK(m.shift == 0);
  m = quantize_multiplier(0.5);
  CHECK(m.multiplier == (1 << 30));
  CHECK(m.shift == 0);
  m = quantize_multiplier(1.0);
  CHECK(m.multiplier == (1 << 30));
  CHECK(m.shift == 1);
  m = quantize_multiplier(3.0);  // 0.75 * 2^2
  CHECK(m.multiplier == (3 << 29));
  CHECK(m.shift == 2);
  // q * 2^31 rounds up to 2^31: becomes (2^30, shift + 1).
  m = quantize_multiplier(1.0 - std::ldexp(1.0, -40));
  CHECK(m.multiplier == (1 << 30));
  CHECK(m.shift == 1);
  m = quantize_multiplier(std::ldexp(1.0 - std::ldexp(1.0, -34), -5));
  CHECK(m.multiplier == (1 << 30));
  CHECK(m.shift == -4);
  // Just below the round-up: the largest multiplier.
  m = quantize_multiplier(1.0 - std::ldexp(1.0, -31));
  CHECK(m.multiplier == INT32_MAX);
  CHECK(m.shift == 0);
  // Too large: saturates.
  m = quantize_multiplier(std::ldexp(1.0, 40));
  CHECK(m.multiplier == INT32_MAX);
  CHECK(m.shift == 30);
  // Negative reals keep their sign in the multiplier.
  m = quantize_multiplier(-0.75);
  CHECK(m.multiplier == -(3 << 29));
  CHECK(m.shift == 0);
  // The smallest representable shift.
  m = quantize_multiplier(std::ldexp(0.75, -31));
  CHECK(m.multiplier == (3 << 29));
  CHECK(m.shift == -31);
}

TEST_CASE("quant: channel multipliers use (input_scale * weight_scale) / output_scale") {
  const double in = 0.1, out = 0.3;
  const std::vector<double> ws = {0.7, 1e-3};
  const auto ms = channel_multipliers(in, ws, out);
  REQUIRE(ms.size() == 2);
  for (size_t c = 0; c < 2; ++c) {
    const double real = (in * ws[c]) / out;
    CHECK(channel_real_multiplier(in, ws[c], out) == real);
    const QuantizedMultiplier q = quantize_multiplier(real);
    CHECK(ms[c].multiplier == q.multiplier);
    CHECK(ms[c].shift == q.shift);
  }
  CHECK(quantize_bias_s32(1.0, 0.5, 0.25) == 8);
  CHECK(quantize_bias_s32(-0.3125, 0.5, 0.25) == -3);  // -2.5 -> -3 (half away)
  CHECK(quantize_bias_s32(1e30, 1.0, 1.0) == INT32_MAX);
  CHECK(quantize_bias_s64(-1e30, 1.0, 1.0) == INT64_MIN);
}

TEST_CASE("quant: activation ranges of ReLU and Clip") {
  ActivationRange r = activation_range(format::Activation::kRelu, 0, 0, 0.1, -20, -128, 127);
  CHECK(r.lo == -20);
  CHECK(r.hi == 127);
  r = activation_range(format::Activation::kClip, -1.0f, 6.0f, 0.05, 10, -128, 127);
  CHECK(r.lo == -10);
  CHECK(r.hi == 127);  // 10 + 120 = 130 clamps
  r = activation_range(format::Activation::kNone, 0, 0, 0.05, 10, -32768, 32767);
  CHECK(r.lo == -32768);
  CHECK(r.hi == 32767);
}

}  // namespace
}  // namespace edgeae::quant

namespace edgeae {
namespace {

TEST_CASE("quant: requantize_fast equals requantize on edge, tie and random inputs") {
  std::mt19937_64 rng(99);
  size_t checked = 0;
  auto check = [&](int32_t acc, int32_t m, int shift, int32_t zp, int32_t lo, int32_t hi) {
    CAPTURE(acc);
    CAPTURE(m);
    CAPTURE(shift);
    REQUIRE(quant::requantize_fast(acc, m, shift, zp, lo, hi) ==
            quant::requantize(acc, m, shift, zp, lo, hi));
    ++checked;
  };
  const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -(1 << 30),    -3,       -2, -1, 0, 1, 2,
                           3,         1 << 30,       INT32_MAX - 1, INT32_MAX};
  for (int32_t acc : edges)
    for (int32_t m : edges)
      for (int shift : {-31, -20, -1, 0, 1, 5, 30})
        check(acc, m, shift, 0, INT32_MIN / 2, INT32_MAX / 2);
  // Products exactly half-way between two results of the high multiply
  // (acc * m = (k + 1/2) * 2^31), where the two roundings could part:
  // m = 2^30 makes acc * m / 2^31 = acc / 2, a tie for every odd acc.
  for (int32_t acc = -1001; acc <= 1001; acc += 2)
    for (int shift : {0, -1, -2, -7}) check(acc, 1 << 30, shift, -5, -128, 127);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int> shifts(-31, 30), zps(-128, 127);
  for (int i = 0; i < 200000; ++i) {
    const int32_t zp = zps(rng);
    check(any(rng), any(rng), shifts(rng), zp, zp, 127);
    check(any(rng) >> (i % 31), std::uniform_int_distribution<int32_t>(1 << 30, INT32_MAX)(rng),
          -(i % 32), zp, -128, 127);
  }
  MESSAGE(checked, " inputs");
}

}  // namespace
}  // namespace edgeae
