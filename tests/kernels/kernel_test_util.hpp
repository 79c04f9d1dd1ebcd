// Helpers shared by the reference-kernel tests (tests may use the STL).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "kernels/reference/reference.hpp"

namespace edgeae::ref::test {

inline Shape make_shape(std::initializer_list<uint32_t> dims) {
  Shape s;
  for (uint32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

inline size_t element_count(const Shape& s) {
  size_t n = 1;
  for (uint32_t i = 0; i < s.rank; ++i) n *= s.dims[i];
  return n;
}

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline uint32_t random_u32(std::mt19937& rng, uint32_t lo, uint32_t hi) {
  return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
}

// Inner product in double so that the comparison measures the kernels, not
// the summation order.
inline double dot(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
  return s;
}

// ONNX Conv output size (floor mode); 0 when the window does not fit.
inline uint32_t conv_out_size(uint32_t in, int32_t kernel, int32_t stride, int32_t pad_begin,
                              int32_t pad_end, int32_t dilation) {
  const int32_t span = dilation * (kernel - 1) + 1;
  const int32_t room = int32_t(in) + pad_begin + pad_end - span;
  return room < 0 ? 0u : uint32_t(room / stride + 1);
}

// The tests write conv weights filter by filter, [Cout, KH, KW, Cin/g] (each
// output channel's taps contiguous: easiest to reason about by hand); the
// kernels read [KH, KW, Cin/g, Cout]. This reorders the former into the latter.
inline std::vector<float> to_kernel_layout(const std::vector<float>& filters, uint32_t cout,
                                           uint32_t taps, uint32_t cin_g) {
  std::vector<float> w(filters.size());
  for (uint32_t o = 0; o < cout; ++o)
    for (uint32_t t = 0; t < taps; ++t)
      for (uint32_t i = 0; i < cin_g; ++i)
        w[(size_t(t) * cin_g + i) * cout + o] = filters[(size_t(o) * taps + t) * cin_g + i];
  return w;
}

inline format::ConvParams conv_params(int32_t kh, int32_t kw, int32_t groups = 1) {
  format::ConvParams p{};
  p.kernel[0] = kh;
  p.kernel[1] = kw;
  p.stride[0] = p.stride[1] = 1;
  p.dilation[0] = p.dilation[1] = 1;
  p.groups = groups;
  return p;
}

inline format::PoolParams pool_params(int32_t kh, int32_t kw) {
  format::PoolParams p{};
  p.kernel[0] = kh;
  p.kernel[1] = kw;
  p.stride[0] = p.stride[1] = 1;
  p.dilation[0] = p.dilation[1] = 1;
  return p;
}

// tol 0 asks for exact equality (doctest's Approx compares with a strict <).
inline void check_close(const std::vector<float>& got, const std::vector<float>& want,
                        float tol = 1e-5f) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("index " << i);
    if (tol == 0.0f) {
      CHECK(got[i] == want[i]);
    } else {
      CHECK(got[i] == doctest::Approx(want[i]).epsilon(tol).scale(1.0));
    }
  }
}

}  // namespace edgeae::ref::test
