#include "quant/quant_math.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace edgeae::quant {

QuantizedMultiplier quantize_multiplier(double real) {
  QuantizedMultiplier r;
  if (real == 0.0 || !std::isfinite(real)) return r;
  const bool negative = real < 0.0;
  int shift = 0;
  const double q = std::frexp(std::fabs(real), &shift);  // q in [0.5, 1)
  int64_t fixed = std::llround(q * 2147483648.0);        // in [2^30, 2^31]
  if (fixed == (int64_t{1} << 31)) {
    // q rounded up to 1.0: 2^31 does not fit, use 2^30 with one more shift.
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) return r;  // below 2^-32: flush to zero (as TFLite)
  if (shift > 30) {           // beyond the kernels' shift range: saturate
    shift = 30;
    fixed = (int64_t{1} << 31) - 1;
  }
  r.multiplier = static_cast<int32_t>(negative ? -fixed : fixed);
  r.shift = shift;
  return r;
}

double dequantize_multiplier(QuantizedMultiplier m) {
  return std::ldexp(static_cast<double>(m.multiplier), m.shift - 31);
}

double channel_real_multiplier(double input_scale, double weight_scale, double output_scale) {
  const double accumulator_scale = input_scale * weight_scale;
  return accumulator_scale / output_scale;
}

std::vector<QuantizedMultiplier> channel_multipliers(double input_scale,
                                                     const std::vector<double>& weight_scales,
                                                     double output_scale) {
  std::vector<QuantizedMultiplier> out;
  out.reserve(weight_scales.size());
  for (double ws : weight_scales) {
    out.push_back(quantize_multiplier(channel_real_multiplier(input_scale, ws, output_scale)));
  }
  return out;
}

namespace {

template <typename I>
I round_saturate(double v) {
  const double r = std::round(v);  // half away from zero
  if (!(r > static_cast<double>(std::numeric_limits<I>::min()))) {
    return std::numeric_limits<I>::min();
  }
  if (r >= static_cast<double>(std::numeric_limits<I>::max())) {
    return std::numeric_limits<I>::max();
  }
  return static_cast<I>(r);
}

int32_t round_clamp(double v, int32_t lo, int32_t hi) {
  const double r = std::round(v);
  if (!(r > lo)) return lo;  // also catches NaN
  if (r >= hi) return hi;
  return static_cast<int32_t>(r);
}

}  // namespace

int32_t quantize_bias_s32(double bias, double input_scale, double weight_scale) {
  return round_saturate<int32_t>(bias / (input_scale * weight_scale));
}

int64_t quantize_bias_s64(double bias, double input_scale, double weight_scale) {
  return round_saturate<int64_t>(bias / (input_scale * weight_scale));
}

AddMultipliers add_multipliers(double a_scale, double b_scale, double out_scale, int left_shift) {
  AddMultipliers m;
  m.left_shift = left_shift;
  const double twice_max = 2.0 * std::max(a_scale, b_scale);
  m.a = quantize_multiplier(a_scale / twice_max);
  m.b = quantize_multiplier(b_scale / twice_max);
  m.out = quantize_multiplier(twice_max / (std::ldexp(1.0, left_shift) * out_scale));
  return m;
}

ActivationRange activation_range(format::Activation kind, float alpha, float beta, double scale,
                                 int32_t zp, int32_t type_min, int32_t type_max) {
  ActivationRange r{type_min, type_max};
  if (kind == format::Activation::kRelu) {
    r.lo = std::max(type_min, std::min(zp, type_max));
  } else if (kind == format::Activation::kClip) {
    r.lo = round_clamp(zp + double(alpha) / scale, type_min, type_max);
    r.hi = round_clamp(zp + double(beta) / scale, type_min, type_max);
  }
  return r;
}

std::vector<int8_t> make_lut_s8(const std::function<double(double)>& f, double in_scale,
                                int32_t in_zp, double out_scale, int32_t out_zp) {
  std::vector<int8_t> t(256);
  for (int i = 0; i < 256; ++i) {
    const double x = in_scale * double(i - 128 - in_zp);
    t[size_t(i)] = static_cast<int8_t>(round_clamp(f(x) / out_scale + out_zp, -128, 127));
  }
  return t;
}

std::vector<int16_t> make_lut_s16(const std::function<double(double)>& f, double in_scale,
                                  double out_scale) {
  std::vector<int16_t> t(513);
  for (int j = 0; j <= 512; ++j) {
    const double x = in_scale * double(-32768 + 128 * j);
    t[size_t(j)] = static_cast<int16_t>(round_clamp(f(x) / out_scale, -32768, 32767));
  }
  return t;
}

}  // namespace edgeae::quant
