// Helpers of the integer-kernel tests: quantize float data, choose
// parameters, compare against the float reference within a few LSB.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "edgeae/blob_format.hpp"
#include "kernels/kernel_test_util.hpp"
#include "kernels/reference/int_reference.hpp"
#include "quant/quant_math.hpp"

namespace edgeae::ref::inttest {

using test::random_floats;
using test::random_u32;

struct AffineQ {
  double scale = 1.0;
  int32_t zp = 0;
};

// Asymmetric int8 parameters covering [lo, hi] (widened to include 0).
inline AffineQ choose_s8(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  if (hi - lo < 0.05) hi = lo + 0.05;  // no degenerate output ranges
  AffineQ q;
  q.scale = (hi - lo) / 255.0;
  q.zp = int32_t(std::clamp(std::lround(-128.0 - lo / q.scale), -128L, 127L));
  return q;
}

// Symmetric int16 parameters covering [-m, m].
inline AffineQ choose_s16(double m) {
  AffineQ q;
  q.scale = std::max(m, 0.05) / 32767.0;
  return q;
}

template <typename T>
T quantize_one(double v, const AffineQ& q) {
  const double r = std::round(v / q.scale) + q.zp;
  const double lo = double(std::numeric_limits<T>::min()),
               hi = double(std::numeric_limits<T>::max());
  return T(std::clamp(r, lo, hi));
}

template <typename T>
std::vector<T> quantize(const std::vector<float>& x, const AffineQ& q) {
  std::vector<T> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = quantize_one<T>(x[i], q);
  return out;
}

template <typename T>
std::vector<float> dequantize(const std::vector<T>& x, const AffineQ& q) {
  std::vector<float> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = float(q.scale * double(int32_t(x[i]) - q.zp));
  return out;
}

inline std::pair<double, double> min_max(const std::vector<float>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {double(*lo), double(*hi)};
}

inline double max_abs(const std::vector<float>& v) {
  double m = 0.0;
  for (float x : v) m = std::max(m, std::fabs(double(x)));
  return m;
}

// Symmetric per-channel int8 weights, the channel being the last axis (of
// size channels): scale[c] = max |w[., c]| / 127.
struct ChannelWeights {
  std::vector<int8_t> q;
  std::vector<double> scale;
  std::vector<float> dequantized;
};
inline ChannelWeights quantize_weights(const std::vector<float>& w, uint32_t channels) {
  ChannelWeights r;
  r.scale.assign(channels, 0.0);
  for (size_t i = 0; i < w.size(); ++i) {
    double& s = r.scale[i % channels];
    s = std::max(s, std::fabs(double(w[i])));
  }
  for (double& s : r.scale) s = std::max(s, 1e-6) / 127.0;
  r.q.resize(w.size());
  r.dequantized.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const double s = r.scale[i % channels];
    r.q[i] = int8_t(std::clamp(std::lround(w[i] / s), -127L, 127L));
    r.dequantized[i] = float(s * r.q[i]);
  }
  return r;
}

// The kernels' AddQuant with the converter's multipliers and shifts
// (quant::add_multipliers); zero points and clamp are the caller's.
inline AddQuant add_quant(const quant::AddMultipliers& m) {
  AddQuant q;
  q.left_shift = m.left_shift;
  q.a_multiplier = m.a.multiplier;
  q.a_shift = m.a.shift;
  q.b_multiplier = m.b.multiplier;
  q.b_shift = m.b.shift;
  q.out_multiplier = m.out.multiplier;
  q.out_shift = m.out.shift;
  return q;
}

// The int32 arrays of the kernels' RequantParams.
struct Multipliers {
  std::vector<int32_t> multiplier, shift;
};
inline Multipliers multipliers(const std::vector<quant::QuantizedMultiplier>& m) {
  Multipliers r;
  for (const auto& x : m) {
    r.multiplier.push_back(x.multiplier);
    r.shift.push_back(int32_t(x.shift));
  }
  return r;
}

// |got - round(want / scale) - zp| <= tol for every element (want clamped to
// [lo, hi] in quantized units first); returns the largest difference seen.
template <typename T>
int max_lsb_error(const std::vector<T>& got, const std::vector<float>& want, const AffineQ& q,
                  int tol, int32_t lo = std::numeric_limits<T>::min(),
                  int32_t hi = std::numeric_limits<T>::max()) {
  REQUIRE(got.size() == want.size());
  int worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e =
        std::clamp(std::round(double(want[i]) / q.scale) + q.zp, double(lo), double(hi));
    const int d = int(std::lround(std::fabs(double(got[i]) - e)));
    worst = std::max(worst, d);
    if (d > tol) {
      INFO("index " << i << " got " << int(got[i]) << " want " << e << " (float " << want[i]
                    << ")");
      CHECK(d <= tol);
      return worst;
    }
  }
  return worst;
}

// weight(r, c) of an int8 [K, N] matrix (K rows, N columns) packed into
// DSP column pairs (format::paired_dense_offset, padded to round_up(K, 4)
// rows): the odd column of a pair stores its weight minus 1 where its even
// partner is negative. The weights must have that form (an odd column's -128
// next to a negative weight has none).
template <typename Weight>
std::vector<int8_t> pack_dsp_pairs(uint32_t k, uint32_t n, uint32_t block, Weight weight) {
  const uint32_t kp = (k + 3) / 4 * 4, bw = block != 0 ? block : n;
  std::vector<int8_t> bytes(size_t{kp} * n, 0);
  for (uint32_t r = 0; r < k; ++r)
    for (uint32_t c = 0; c < n; ++c) {
      const bool odd = (c % bw) % 2 == 1;
      const int32_t v = weight(r, c) - (odd && weight(r, c - 1) < 0 ? 1 : 0);
      REQUIRE(v >= -128);
      bytes[format::paired_dense_offset(r, c, kp, n, block)] = static_cast<int8_t>(v);
    }
  return bytes;
}

// A layer's random int8 requantization (count multipliers and shifts, an
// input and an output zero point, a ReLU clamp or none), owning its arrays.
struct RandomRequant {
  RandomRequant(std::mt19937& rng, uint32_t count, bool relu) : mult(count), shift(count) {
    auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    // One layer in four has some positive (left) shifts, which saturate:
    // kernels that special-case right shifts must still take them.
    const bool left_shifts = between(0, 3) == 0;
    for (uint32_t c = 0; c < count; ++c) {
      mult[c] = between(1 << 30, 0x7FFFFFFF);
      shift[c] = left_shifts ? between(-14, 2) : between(-14, -4);
    }
    q.in_zp = between(-128, 127);
    q.out.multiplier = mult.data();
    q.out.shift = shift.data();
    q.out.count = count;
    q.out.out_zp = between(-20, 20);
    q.out.act_min = relu ? q.out.out_zp : -128;
    q.out.act_max = 127;
  }
  RandomRequant(const RandomRequant&) = delete;
  RandomRequant& operator=(const RandomRequant&) = delete;
  std::vector<int32_t> mult, shift;
  LayerQuant q;
};

}  // namespace edgeae::ref::inttest
