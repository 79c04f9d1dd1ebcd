// Host-side quantization arithmetic: real multipliers to (multiplier, shift)
// pairs, the parameters of the integer Add, activation bounds and lookup
// tables. Everything is computed in double; the runtime side (kernels/
// reference/quant.hpp, int_reference.hpp) only ever sees the integers.
// docs/quantization.md describes the scheme.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "edgeae/blob_format.hpp"

namespace edgeae::quant {

// real = multiplier / 2^31 * 2^shift, multiplier in [2^30, 2^31) (or
// (-2^31, -2^30] for a negative real), shift in [-31, 30].
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

// TFLite's QuantizeMultiplier: frexp splits |real| into q * 2^shift with q in
// [0.5, 1); multiplier = round(q * 2^31) (half away from zero); when the
// rounding reaches 2^31 the pair becomes (2^30, shift + 1). 0 gives (0, 0);
// |real| < 2^-32 (shift < -31) flushes to (0, 0); shift > 30 saturates to
// (2^31 - 1, 30). A negative real gives the negated multiplier of |real|.
QuantizedMultiplier quantize_multiplier(double real);

// The real value a pair stands for (for tests and diagnostics).
double dequantize_multiplier(QuantizedMultiplier m);

// Per output channel: real[c] = (input_scale * weight_scale[c]) / output_scale,
// in double and in exactly that order (product first, then the division).
double channel_real_multiplier(double input_scale, double weight_scale, double output_scale);
std::vector<QuantizedMultiplier> channel_multipliers(double input_scale,
                                                     const std::vector<double>& weight_scales,
                                                     double output_scale);

// Bias of channel c in units of input_scale * weight_scale[c], rounded half
// away from zero and saturated to the accumulator type.
int32_t quantize_bias_s32(double bias, double input_scale, double weight_scale);
int64_t quantize_bias_s64(double bias, double input_scale, double weight_scale);

// The integer Add/Sub (TFLite): left_shift 20 (int8) or 15 (int16);
// twice_max = 2 * max(a_scale, b_scale); input multipliers a_scale / twice_max
// and b_scale / twice_max, output multiplier
// twice_max / (2^left_shift * out_scale).
struct AddMultipliers {
  int left_shift = 20;
  QuantizedMultiplier a, b, out;
};
AddMultipliers add_multipliers(double a_scale, double b_scale, double out_scale, int left_shift);

// Quantized bounds [lo, hi] of a fused ReLU (kRelu) or Clip (kClip, alpha..beta)
// for an output (scale, zp) of type range [type_min, type_max]:
// lo = max(type_min, zp + round(alpha / scale)), hi likewise; kNone (or any
// other kind) gives the type's range. ReLU is [zp, type_max].
struct ActivationRange {
  int32_t lo = 0, hi = 0;
};
ActivationRange activation_range(format::Activation kind, float alpha, float beta, double scale,
                                 int32_t zp, int32_t type_min, int32_t type_max);

// Lookup tables of y = f(x) for lut_s8 / lut_s16.
// int8: table[i] = clamp(round(f(in_scale * (i - 128 - in_zp)) / out_scale) + out_zp).
std::vector<int8_t> make_lut_s8(const std::function<double(double)>& f, double in_scale,
                                int32_t in_zp, double out_scale, int32_t out_zp);
// int16 (zero points 0): table[j] = clamp(round(f(in_scale * (-32768 + 128 j)) / out_scale)),
// j = 0..512 (the last sample at 32768, one past the input range).
std::vector<int16_t> make_lut_s16(const std::function<double(double)>& f, double in_scale,
                                  double out_scale);

}  // namespace edgeae::quant
