// Every kernel set's int8 Dense (on quad-packed weights, and on DSP column
// pairs) against the plain reference ref::dense_s8 on random shapes, bit for
// bit: K off and on the quad size, N off and on every vector width, batches,
// extreme operands (a and zero points at both ends of int8, weights at
// +-127) that would saturate an int16 pair sum, per-tensor and per-channel
// requantization. The DSP-pair layout itself, by hand and by its promise
// (a pair's halfword is w(even) + 256 * w(odd)).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "edgeae/kernel_sets.hpp"
#include "int_test_util.hpp"
#include "kernels/kernel_set.hpp"

namespace edgeae {
using ref::inttest::RandomRequant;
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
    // Column blocks: none, narrower than every tile (odd ones: a block
    // ending in an unpaired DSP column), the converter's, odd multiples of 8.
    const uint32_t blocks[] = {0, 4, 5, 6, 16, 128, 40};
    s.b_block = blocks[between(0, 6)];
    const PackedB p = pack_quads(b, s.k, s.n, s.b_block);
    const std::vector<int8_t> pairs = ref::inttest::pack_dsp_pairs(
        s.k, s.n, s.b_block, [&](uint32_t r, uint32_t c) { return b[size_t{r} * s.n + c]; });
    // Both layouts decode to the weights (and to 0 past K).
    const uint32_t kp = (s.k + 3) / 4 * 4;
    size_t misdecoded = 0;
    for (uint32_t r = 0; r < kp; ++r)
      for (uint32_t c = 0; c < s.n; ++c) {
        const int32_t w = r < s.k ? b[size_t{r} * s.n + c] : 0;
        misdecoded += format::packed_dense_weight(p.bytes.data(), 1, r, c, kp, s.n, s.b_block) != w;
        misdecoded += format::packed_dense_weight(pairs.data(), 2, r, c, kp, s.n, s.b_block) != w;
      }
    CHECK(misdecoded == 0);
    ref::DenseShape sp = s;
    sp.b_packing = 2;
    std::vector<int8_t> ref_pairs(want.size(), 0x55);
    ref::dense_s8_packed(sp, q, a.data(), pairs.data(), bias_ptr, ref_pairs.data());
    CHECK(ref_pairs == want);
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      std::vector<int8_t> got(want.size(), 0x55);
      set->dense_s8(s, q, a.data(), p.bytes.data(), bias_ptr, p.column_sums.data(), got.data());
      const std::string label = std::string(set->name) + " block=" + std::to_string(s.b_block) +
                                " m=" + std::to_string(s.m) + " k=" + std::to_string(s.k) +
                                " n=" + std::to_string(s.n);
      CAPTURE(label);
      CHECK(got == want);
      std::fill(got.begin(), got.end(), int8_t{0x55});
      set->dense_s8_pairs(sp, q, a.data(), pairs.data(), bias_ptr, p.column_sums.data(),
                          got.data());
      CHECK_MESSAGE(got == want, "DSP pairs");
      cases += 2;
    }
  }
  MESSAGE(cases, " (kernel set, layout, shape) cases");
}

int16_t halfword(const std::vector<int8_t>& bytes, size_t at) {
  int16_t v;
  std::memcpy(&v, bytes.data() + at, 2);  // little endian, as on Arm and x86
  return v;
}

TEST_CASE("int8 DSP pairs: the bytes of a small B, by hand") {
  // K 4, N 3, one block: columns 0 and 1 paired, column 2 a plain quad.
  const int8_t w[4][3] = {{-1, 10, 5}, {2, -20, 6}, {-3, 30, 7}, {4, -40, 8}};
  const std::vector<int8_t> bytes =
      ref::inttest::pack_dsp_pairs(4, 3, 0, [&](uint32_t r, uint32_t c) { return w[r][c]; });
  // Per k-pair a word [w(0,k0), v(1,k0), w(0,k1), v(1,k1)], v = w - 1 where
  // w(0,k) < 0; then column 2's quad.
  const std::vector<int8_t> want = {-1, 9, 2, -20, -3, 29, 4, -40, 5, 6, 7, 8};
  CHECK(bytes == want);
  for (uint32_t r = 0; r < 4; ++r)
    for (uint32_t c = 0; c < 3; ++c) {
      CAPTURE(r);
      CAPTURE(c);
      CHECK(format::packed_dense_weight(want.data(), 2, r, c, 4, 3, 0) == w[r][c]);
    }
  // The halfwords a 16-bit dual multiply reads: w(0, k) + 256 w(1, k).
  CHECK(halfword(want, 0) == -1 + 256 * 10);
  CHECK(halfword(want, 6) == 4 + 256 * -40);
}

TEST_CASE("int8 DSP pairs: every byte once, each pair's halfword is w(even) + 256 w(odd)") {
  std::mt19937 rng(7);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 200; ++trial) {
    const auto k = static_cast<uint32_t>(between(1, 23));
    const auto n = static_cast<uint32_t>(between(1, 19));
    const uint32_t blocks[] = {0, 1, 2, 3, 4, 5, 6, 8, 128};
    const uint32_t block = blocks[between(0, 8)];
    const uint32_t kp = (k + 3) / 4 * 4, bw = block != 0 ? block : n;
    CAPTURE(k);
    CAPTURE(n);
    CAPTURE(block);
    // Full int8 range, -128 included where the layout holds it (even
    // columns; odd ones next to a non-negative weight), every fourth
    // trial at the ends.
    std::vector<int8_t> b(size_t{k} * n);
    for (uint32_t r = 0; r < k; ++r)
      for (uint32_t c = 0; c < n; ++c) {
        int v = trial % 4 == 0 ? (between(0, 1) ? 127 : -128) : between(-128, 127);
        if (v == -128 && (c % bw) % 2 == 1 && b[size_t{r} * n + c - 1] < 0) v = -127;
        b[size_t{r} * n + c] = static_cast<int8_t>(v);
      }
    const auto weight = [&](uint32_t r, uint32_t c) { return b[size_t{r} * n + c]; };
    const std::vector<int8_t> bytes = ref::inttest::pack_dsp_pairs(k, n, block, weight);
    std::vector<int> written(size_t{kp} * n, 0);
    size_t wrong = 0;
    for (uint32_t r = 0; r < kp; ++r)
      for (uint32_t c = 0; c < n; ++c) {
        const size_t at = format::paired_dense_offset(r, c, kp, n, block);
        REQUIRE(at < written.size());
        ++written[at];
        wrong += format::packed_dense_weight(bytes.data(), 2, r, c, kp, n, block) !=
                 (r < k ? weight(r, c) : 0);
        // An even column with a partner in its block (not the unpaired last
        // column of an odd-width block).
        const uint32_t width = std::min(bw, n - c / bw * bw);
        if (r < k && (c % bw) % 2 == 0 && c % bw + 1 < width) {
          wrong += at % 2 != 0;
          wrong += halfword(bytes, at) != weight(r, c) + 256 * weight(r, c + 1);
        }
      }
    CHECK(wrong == 0);
    CHECK(std::count(written.begin(), written.end(), 1) == static_cast<long>(written.size()));
  }
}

}  // namespace
}  // namespace edgeae

namespace edgeae {
namespace {

// Every kernel set's int8 Add/Sub of (a, b) (n outputs) against
// ref::add_s8, bit for bit; returns the number of sets checked.
size_t add_on_every_set(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                        const std::vector<int8_t>& a, const std::vector<int8_t>& b, size_t n,
                        const std::string& what) {
  std::vector<int8_t> want(n);
  ref::add_s8(op, s, q, a.data(), b.data(), want.data());
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    const KernelSet* set = kernel_set(i);
    std::vector<int8_t> got(n, 0x55);
    set->add_s8(op, s, q, a.data(), b.data(), got.data());
    const std::string label = std::string(set->name) + " " + what;
    CAPTURE(label);
    CHECK(got == want);
  }
  return kernel_set_count();
}

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
    cases += add_on_every_set(op, s, q, a, b, n, "n=" + std::to_string(n));
  }
  MESSAGE(cases, " (kernel set, shape) cases");
}

// The converter's parameters (quant::add_multipliers) on every pair of int8
// operands: scale ratios that are exact powers of two and equal scales (whose
// sums land on rounding ties, where a vector path's fast estimate must defer
// to the exact arithmetic), near-equal ones, and random ones up to 8 apart.
TEST_CASE("int kernels: every set's int8 Add/Sub equals the reference on all operand pairs") {
  std::mt19937 rng(1207);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto log_uniform = [&](double lo, double hi) {
    return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
  };
  // Every (a, b) pair once, then a tail that no 64-byte block covers.
  const size_t n = 65536 + 37;
  std::vector<int8_t> a(n), b(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = static_cast<int8_t>(static_cast<int>(i % 256) - 128);
    b[i] = static_cast<int8_t>(static_cast<int>((i / 256) % 256) - 128);
  }
  ref::BinaryShapes s;
  s.a.rank = s.b.rank = s.out.rank = 1;
  s.a.dims[0] = s.b.dims[0] = s.out.dims[0] = static_cast<uint32_t>(n);
  size_t cases = 0;
  for (int trial = 0; trial < 24; ++trial) {
    double a_scale = 0.01, b_scale = 0.01, out_scale = 0.01;
    if (trial % 4 == 1) {
      b_scale = a_scale * 0.5;
      out_scale = a_scale * 2.0;
    } else if (trial % 4 == 2) {
      b_scale = a_scale * (1.0 + 1e-7);
      out_scale = a_scale * log_uniform(0.5, 2.0);
    } else if (trial % 4 == 3) {
      b_scale = a_scale * log_uniform(0.125, 8.0);
      out_scale = a_scale * log_uniform(0.125, 8.0);
    }
    const auto m = quant::add_multipliers(a_scale, b_scale, out_scale, 20);
    ref::AddQuant q = ref::inttest::add_quant(m);
    q.a_zp = trial < 4 ? 0 : between(-128, 127);
    q.b_zp = trial < 4 ? 0 : between(-128, 127);
    q.out_zp = trial < 4 ? 0 : between(-128, 127);
    q.act_min = trial % 3 == 0 ? q.out_zp : -128;
    q.act_max = 127;
    const auto op = trial % 2 ? ref::BinaryOp::kSub : ref::BinaryOp::kAdd;
    cases += add_on_every_set(op, s, q, a, b, n, "trial=" + std::to_string(trial));
  }
  MESSAGE(cases, " (kernel set, parameters) cases");
}

}  // namespace
}  // namespace edgeae
