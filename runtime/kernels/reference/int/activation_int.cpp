// Integer activations: lookup tables (sigmoid, tanh, leaky ReLU, any
// function of one value; the converter computes the tables) and PRelu with
// per-channel slopes folded into multipliers.
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

template <typename T>
void prelu(const PReluQuant& q, uint32_t count, uint32_t channels, const T* x, T* y) {
  const uint32_t c_count = channels == 0 ? 1 : channels;
  for (uint32_t i = 0; i < count; ++i) {
    const int32_t d = x[i] - q.in_zp;
    int32_t multiplier = q.pos_multiplier, shift = q.pos_shift;
    if (d < 0) {
      const uint32_t c = q.neg_count > 1 ? i % c_count : 0;
      multiplier = q.neg_multiplier[c];
      shift = q.neg_shift[c];
    }
    y[i] = static_cast<T>(quant::requantize(d, multiplier, shift, q.out_zp, q.act_min, q.act_max));
  }
}

}  // namespace

void prelu_s8(const PReluQuant& q, uint32_t count, uint32_t channels, const int8_t* x, int8_t* y) {
  prelu(q, count, channels, x, y);
}
void prelu_s16(const PReluQuant& q, uint32_t count, uint32_t channels, const int16_t* x,
               int16_t* y) {
  prelu(q, count, channels, x, y);
}

void lut_s8(const int8_t table[256], uint32_t count, const int8_t* x, int8_t* y) {
  for (uint32_t i = 0; i < count; ++i) y[i] = table[x[i] + 128];
}

void lut_s16(const int16_t table[513], uint32_t count, const int16_t* x, int16_t* y) {
  for (uint32_t i = 0; i < count; ++i) {
    const int32_t u = x[i] + 32768;  // 0 .. 65535
    const int32_t j = u >> 7;        // segment 0 .. 511
    const int32_t frac = u & 127;    // position in it, in 1/128ths
    const int32_t base = table[j];
    // |delta| <= 65535, times 127: far inside int32. The shift of a negative
    // value right is arithmetic (floor), so the +64 rounds half up.
    const int32_t delta = table[j + 1] - base;
    const int32_t v = base + ((delta * frac + 64) >> 7);
    y[i] = static_cast<int16_t>(quant::clamp_i32(v, INT16_MIN, INT16_MAX));
  }
}

}  // namespace edgeae::ref
