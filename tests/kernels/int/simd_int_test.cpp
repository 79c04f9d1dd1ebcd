// Every kernel set's int8 Dense (on quad-packed weights) against the plain
// reference ref::dense_s8 on random shapes, bit for bit: K off and on the
// quad size, N off and on every vector width, batches, extreme operands
// (a and zero points at both ends of int8, weights at +-127) that would
// saturate an int16 pair sum, per-tensor and per-channel requantization.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "edgeae/kernel_sets.hpp"
#include "kernels/kernel_set.hpp"

namespace edgeae {
namespace {

struct PackedB {
  std::vector<int8_t> bytes;
  std::vector<int32_t> column_sums;
};

PackedB pack_quads(const std::vector<int8_t>& b, uint32_t k, uint32_t n, uint32_t block) {
  PackedB p;
  const uint32_t kp = (k + 3) / 4 * 4;
  p.bytes.assign(size_t{kp} * n, 0);
  p.column_sums.assign(n, 0);
  for (uint32_t r = 0; r < k; ++r)
    for (uint32_t c = 0; c < n; ++c) {
      p.bytes[format::packed_dense_offset(r, c, kp, n, block)] = b[size_t{r} * n + c];
      p.column_sums[c] += b[size_t{r} * n + c];
    }
  return p;
}

// A layer's random int8 requantization (count multipliers and shifts, an
// input and an output zero point, a ReLU clamp or none), owning its arrays.
struct RandomRequant {
  RandomRequant(std::mt19937& rng, uint32_t count, bool relu) : mult(count), shift(count) {
    auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    for (uint32_t c = 0; c < count; ++c) {
      mult[c] = between(1 << 30, 0x7FFFFFFF);
      shift[c] = between(-14, -4);
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
  ref::LayerQuant q;
};

TEST_CASE("int kernels: every set's int8 Dense equals the reference bit for bit") {
  std::mt19937 rng(2026);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  size_t cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ref::DenseShape s;
    s.m = static_cast<uint32_t>(between(1, 3));
    const uint32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 97, 256, 785};
    const uint32_t ns[] = {1, 3, 4, 7, 8, 15, 16, 17, 31, 63, 64, 65, 100, 129, 256};
    s.k = ks[between(0, 13)];
    s.n = ns[between(0, 14)];
    const bool extreme = trial % 5 == 0;
    const bool per_channel = trial % 2 == 0;
    std::vector<int8_t> a(size_t{s.m} * s.k), b(size_t{s.k} * s.n);
    for (auto& v : a)
      v = static_cast<int8_t>(extreme ? (between(0, 1) ? 127 : -128) : between(-128, 127));
    for (auto& v : b)
      v = static_cast<int8_t>(extreme ? (between(0, 1) ? 127 : -127) : between(-127, 127));
    // Biases: none, one per column ([N]), one per row and column ([M, N]).
    std::vector<int32_t> bias(size_t{s.m} * s.n);
    for (auto& v : bias) v = between(-100000, 100000);
    const bool with_bias = trial % 3 != 0;
    if (with_bias) s.bias_stride_n = 1;
    if (with_bias && trial % 3 == 2) s.bias_stride_m = s.n;
    RandomRequant rq(rng, per_channel ? s.n : 1, trial % 4 == 0);
    ref::LayerQuant& q = rq.q;
    if (extreme) q.in_zp = between(0, 1) ? 127 : -128;
    const int32_t* bias_ptr = with_bias ? bias.data() : nullptr;
    std::vector<int8_t> want(size_t{s.m} * s.n);
    ref::dense_s8(s, q, a.data(), b.data(), bias_ptr, want.data());
    // Column blocks: none, narrower than every tile, the converter's, odd.
    const uint32_t blocks[] = {0, 4, 16, 128, 40};
    s.b_block = blocks[between(0, 4)];
    const PackedB p = pack_quads(b, s.k, s.n, s.b_block);
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      std::vector<int8_t> got(want.size(), 0x55);
      set->dense_s8(s, q, a.data(), p.bytes.data(), bias_ptr, p.column_sums.data(), got.data());
      const std::string label = std::string(set->name) + " block=" + std::to_string(s.b_block) +
                                " m=" + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                                " n=" + std::to_string(s.n);
      CAPTURE(label);
      CHECK(got == want);
      ++cases;
    }
  }
  MESSAGE(cases, " (kernel set, shape) cases");
}

}  // namespace
}  // namespace edgeae

namespace edgeae {
namespace {

TEST_CASE("int kernels: every set's int8 Add/Sub equals the reference bit for bit") {
  std::mt19937 rng(77);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  size_t cases = 0;
  for (int trial = 0; trial < 200; ++trial) {
    ref::BinaryShapes s;
    const uint32_t n = static_cast<uint32_t>(between(1, 300));
    s.a.rank = s.b.rank = s.out.rank = 2;
    s.a.dims[0] = s.b.dims[0] = s.out.dims[0] = 1;
    s.a.dims[1] = s.b.dims[1] = s.out.dims[1] = n;
    if (trial % 7 == 0) s.b.dims[1] = 1;  // a broadcast: the reference path
    // Parameters inside what the loader accepts (quant_rules.cpp).
    ref::AddQuant q;
    q.left_shift = 20;
    q.a_zp = between(-128, 127);
    q.b_zp = between(-128, 127);
    q.a_multiplier = between(1 << 30, 0x7FFFFFFF);
    q.b_multiplier = between(1 << 30, 0x7FFFFFFF);
    q.a_shift = between(-8, 0);
    q.b_shift = between(-8, 0);
    q.out_multiplier = between(1 << 30, 0x7FFFFFFF);
    q.out_shift = between(-25, 3);
    q.out_zp = between(-128, 127);
    q.act_min = trial % 3 == 0 ? q.out_zp : -128;
    q.act_max = 127;
    std::vector<int8_t> a(n), b(s.b.dims[1]);
    for (auto& v : a) v = static_cast<int8_t>(between(-128, 127));
    for (auto& v : b) v = static_cast<int8_t>(between(-128, 127));
    const auto op = trial % 2 ? ref::BinaryOp::kSub : ref::BinaryOp::kAdd;
    std::vector<int8_t> want(n);
    ref::add_s8(op, s, q, a.data(), b.data(), want.data());
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      std::vector<int8_t> got(n, 0x55);
      set->add_s8(op, s, q, a.data(), b.data(), got.data());
      const std::string label = std::string(set->name) + " n=" + std::to_string(n);
      CAPTURE(label);
      CHECK(got == want);
      ++cases;
    }
  }
  MESSAGE(cases, " (kernel set, shape) cases");
}

}  // namespace
}  // namespace edgeae

#include "src/conv_gather.hpp"

namespace edgeae {
namespace {

TEST_CASE("int kernels: packed int8 Conv/ConvTranspose, direct and gathered, equal the reference") {
  std::mt19937 rng(4242);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  size_t cases = 0;
  for (int trial = 0; trial < 120; ++trial) {
    const bool transposed = trial % 2 == 1;
    const bool two_d = trial % 3 == 0;
    ref::ConvShape s;
    s.batch = 1;
    const uint32_t cins[] = {1, 3, 4, 8, 16, 20};
    s.in_c = cins[between(0, 5)];
    const uint32_t couts[] = {1, 5, 16, 17, 32, 64, 130};
    s.out_c = couts[between(0, 6)];
    format::ConvParams& p = s.p;
    p.kernel[0] = two_d ? between(1, 3) : 1;
    p.kernel[1] = between(1, 5);
    p.stride[0] = two_d ? between(1, 2) : 1;
    p.stride[1] = between(1, 3);
    p.dilation[0] = 1;
    p.dilation[1] = between(1, 2);
    p.pad_begin[0] = two_d ? between(0, p.kernel[0] - 1) : 0;
    p.pad_end[0] = two_d ? between(0, p.kernel[0] - 1) : 0;
    p.pad_begin[1] = between(0, p.kernel[1] - 1);
    p.pad_end[1] = between(0, p.kernel[1] - 1);
    p.groups = 1;
    p.w_packing = 1;
    p.w_block = trial % 4 == 0 ? 0 : 128;
    s.in_h = two_d ? static_cast<uint32_t>(between(1, 5)) : 1;
    s.in_w = static_cast<uint32_t>(between(1, 12));
    auto out_size = [&](uint32_t in, int a) -> int64_t {
      const int64_t span = int64_t{p.dilation[a]} * (p.kernel[a] - 1) + 1;
      if (transposed) return (int64_t{in} - 1) * p.stride[a] + span - p.pad_begin[a] - p.pad_end[a];
      const int64_t padded = int64_t{in} + p.pad_begin[a] + p.pad_end[a];
      return padded < span ? 0 : (padded - span) / p.stride[a] + 1;
    };
    const int64_t oh = out_size(s.in_h, 0), ow = out_size(s.in_w, 1);
    if (oh <= 0 || ow <= 0) continue;
    s.out_h = static_cast<uint32_t>(oh);
    s.out_w = static_cast<uint32_t>(ow);
    const uint32_t rows = static_cast<uint32_t>(p.kernel[0] * p.kernel[1]) * s.in_c;
    const uint32_t rp = (rows + 3) / 4 * 4;
    std::vector<int8_t> x(size_t{s.in_h} * s.in_w * s.in_c), w(size_t{rp} * s.out_c, 0);
    for (auto& v : x) v = static_cast<int8_t>(between(-128, 127));
    std::vector<int32_t> sums(s.out_c, 0), bias(s.out_c);
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < s.out_c; ++c) {
        const auto v = static_cast<int8_t>(between(-127, 127));
        w[format::packed_dense_offset(r, c, rp, s.out_c, static_cast<uint32_t>(p.w_block))] = v;
        sums[c] += v;
      }
    for (auto& v : bias) v = between(-50000, 50000);
    RandomRequant rq(rng, s.out_c, trial % 5 == 0);
    const ref::LayerQuant& q = rq.q;
    std::vector<int8_t> want(size_t{s.out_h} * s.out_w * s.out_c);
    (transposed ? ref::conv_transpose_s8_packed : ref::conv_s8_packed)(s, q, x.data(), w.data(),
                                                                       bias.data(), want.data());
    const std::string label =
        std::string(transposed ? "convT" : "conv") + " cin=" + std::to_string(s.in_c) +
        " cout=" + std::to_string(s.out_c) + " k=" + std::to_string(p.kernel[0]) + "x" +
        std::to_string(p.kernel[1]) + " s=" + std::to_string(p.stride[1]) +
        " d=" + std::to_string(p.dilation[1]);
    CAPTURE(label);
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      CAPTURE(set->name);
      std::vector<int8_t> scratch(size_t{rows} * 3 + s.in_c);  // a tile of 3 gathered rows
      std::vector<int8_t> got(want.size(), 0x55);
      detail::conv_s8_gathered(set->dense_s8, s, transposed, q, x.data(), w.data(), bias.data(),
                               sums.data(), scratch.data(), size_t{rows} * 3, got.data());
      CHECK(got == want);
      ++cases;
      if (set->conv_s8 != nullptr) {
        std::fill(got.begin(), got.end(), int8_t{0x55});
        if (set->conv_s8(s, transposed, q, x.data(), w.data(), bias.data(), sums.data(),
                         scratch.data(), got.data())) {
          CHECK(got == want);
          ++cases;
        }
      }
    }
  }
  MESSAGE(cases, " (kernel set, shape) cases");
}

}  // namespace
}  // namespace edgeae
