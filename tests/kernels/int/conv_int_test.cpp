// Every kernel set's packed int8 Conv/ConvTranspose (its direct kernel where
// it has one, and the gathered path; on quads and on DSP column pairs)
// against the reference, bit for bit, on random shapes: strides, dilations,
// paddings at both ends, odd and 1-wide sizes, batches, per-tensor and
// per-channel requantization.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "edgeae/kernel_sets.hpp"
#include "int_test_util.hpp"
#include "kernels/kernel_set.hpp"
#include "src/conv_gather.hpp"

namespace edgeae {
namespace {

using ref::inttest::RandomRequant;

int between(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// The output size along axis a, or <= 0 when the input is too small.
int64_t out_size(const ref::ConvShape& s, bool transposed, uint32_t in, int a) {
  const format::ConvParams& p = s.p;
  const int64_t span = int64_t{p.dilation[a]} * (p.kernel[a] - 1) + 1;
  if (transposed) return (int64_t{in} - 1) * p.stride[a] + span - p.pad_begin[a] - p.pad_end[a];
  const int64_t padded = int64_t{in} + p.pad_begin[a] + p.pad_end[a];
  return padded < span ? 0 : (padded - span) / p.stride[a] + 1;
}

struct ConvResult {
  size_t cases = 0;          // (kernel set, path) pairs checked
  bool vnni_direct = false;  // the avx512-vnni set's direct kernel took the shape
};

// Random data for shape s (its geometry set, out_h/out_w derived here; false
// if the output is empty), the reference result, and every set's gathered and
// direct results checked against it.
bool check_conv(std::mt19937& rng, ref::ConvShape s, bool transposed, bool per_channel,
                ConvResult* result) {
  format::ConvParams& p = s.p;
  const int64_t oh = out_size(s, transposed, s.in_h, 0), ow = out_size(s, transposed, s.in_w, 1);
  if (oh <= 0 || ow <= 0) return false;
  s.out_h = static_cast<uint32_t>(oh);
  s.out_w = static_cast<uint32_t>(ow);
  const uint32_t rows = static_cast<uint32_t>(p.kernel[0] * p.kernel[1]) * s.in_c;
  const uint32_t rp = (rows + 3) / 4 * 4;
  std::vector<int8_t> x(size_t{s.batch} * s.in_h * s.in_w * s.in_c), w(size_t{rp} * s.out_c, 0);
  for (auto& v : x) v = static_cast<int8_t>(between(rng, -128, 127));
  std::vector<int32_t> sums(s.out_c, 0), bias(s.out_c);
  const auto block = static_cast<uint32_t>(p.w_block);
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < s.out_c; ++c) {
      // Every third shape at the ends of the weights' range.
      const auto v = static_cast<int8_t>(s.in_c % 3 == 0 ? (between(rng, 0, 1) ? 127 : -127)
                                                         : between(rng, -127, 127));
      w[format::packed_dense_offset(r, c, rp, s.out_c, block)] = v;
      sums[c] += v;
    }
  // The same weights in DSP column pairs.
  const std::vector<int8_t> w_pairs =
      ref::inttest::pack_dsp_pairs(rows, s.out_c, block, [&](uint32_t r, uint32_t c) {
        return w[format::packed_dense_offset(r, c, rp, s.out_c, block)];
      });
  ref::ConvShape s_pairs = s;
  s_pairs.p.w_packing = 2;
  for (auto& v : bias) v = between(rng, -50000, 50000);
  RandomRequant rq(rng, per_channel ? s.out_c : 1, between(rng, 0, 1) == 1);
  const ref::LayerQuant& q = rq.q;
  std::vector<int8_t> want(size_t{s.batch} * s.out_h * s.out_w * s.out_c);
  (transposed ? ref::conv_transpose_s8_packed : ref::conv_s8_packed)(s, q, x.data(), w.data(),
                                                                     bias.data(), want.data());
  const std::string label =
      std::string(transposed ? "convT" : "conv") + " n=" + std::to_string(s.batch) +
      " in=" + std::to_string(s.in_h) + "x" + std::to_string(s.in_w) + "x" +
      std::to_string(s.in_c) + " cout=" + std::to_string(s.out_c) +
      " k=" + std::to_string(p.kernel[0]) + "x" + std::to_string(p.kernel[1]) +
      " s=" + std::to_string(p.stride[0]) + "x" + std::to_string(p.stride[1]) +
      " d=" + std::to_string(p.dilation[0]) + "x" + std::to_string(p.dilation[1]) +
      " pad=" + std::to_string(p.pad_begin[0]) + "," + std::to_string(p.pad_begin[1]) + "," +
      std::to_string(p.pad_end[0]) + "," + std::to_string(p.pad_end[1]);
  CAPTURE(label);
  std::vector<int8_t> ref_pairs(want.size(), 0x55);
  (transposed ? ref::conv_transpose_s8_packed : ref::conv_s8_packed)(
      s_pairs, q, x.data(), w_pairs.data(), bias.data(), ref_pairs.data());
  CHECK_MESSAGE(ref_pairs == want, "reference on DSP pairs");
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    const KernelSet* set = kernel_set(i);
    CAPTURE(set->name);
    std::vector<int8_t> scratch(size_t{rows} * 3 + s.in_c);  // a tile of 3 gathered rows
    std::vector<int8_t> got(want.size(), 0x55);
    detail::conv_s8_gathered(set->dense_s8, s, transposed, q, x.data(), w.data(), bias.data(),
                             sums.data(), scratch.data(), size_t{rows} * 3, got.data());
    CHECK(got == want);
    ++result->cases;
    // (Column blocks narrower than a kernel's tiles, e.g. w_block 4, 5, 6,
    // must be refused or handled: avx512-vnni's lane kernels once wrote out
    // of bounds on them.)
    if (set->conv_s8 != nullptr) {
      std::fill(got.begin(), got.end(), int8_t{0x55});
      if (set->conv_s8(s, transposed, q, x.data(), w.data(), bias.data(), sums.data(),
                       scratch.data(), got.data())) {
        CHECK(got == want);
        ++result->cases;
        if (std::string(kernel_set_name(set)) == "avx512-vnni") result->vnni_direct = true;
      }
    }
    std::fill(got.begin(), got.end(), int8_t{0x55});
    detail::conv_s8_gathered(set->dense_s8_pairs, s_pairs, transposed, q, x.data(), w_pairs.data(),
                             bias.data(), sums.data(), scratch.data(), size_t{rows} * 3,
                             got.data());
    CHECK_MESSAGE(got == want, "gathered, DSP pairs");
    ++result->cases;
    if (set->conv_s8_pairs != nullptr) {
      std::fill(got.begin(), got.end(), int8_t{0x55});
      if (set->conv_s8_pairs(s_pairs, transposed, q, x.data(), w_pairs.data(), bias.data(),
                             sums.data(), scratch.data(), got.data())) {
        CHECK_MESSAGE(got == want, "direct, DSP pairs");
        ++result->cases;
      }
    }
  }
  return true;
}

ref::ConvShape base_shape() {
  ref::ConvShape s;
  format::ConvParams& p = s.p;
  p.groups = 1;
  p.w_packing = 1;
  p.dilation[0] = p.dilation[1] = 1;
  return s;
}

bool has_vnni_set() {
  for (size_t i = 0; i < kernel_set_count(); ++i)
    if (std::string(kernel_set_name(kernel_set(i))) == "avx512-vnni") return true;
  return false;
}

TEST_CASE("int kernels: packed int8 Conv/ConvTranspose, direct and gathered, equal the reference") {
  std::mt19937 rng(4242);
  ConvResult result;
  for (int trial = 0; trial < 120; ++trial) {
    const bool transposed = trial % 2 == 1;
    const bool two_d = trial % 3 == 0;
    ref::ConvShape s = base_shape();
    const uint32_t cins[] = {1, 3, 4, 8, 16, 20};
    s.in_c = cins[between(rng, 0, 5)];
    const uint32_t couts[] = {1, 5, 16, 17, 32, 64, 130};
    s.out_c = couts[between(rng, 0, 6)];
    format::ConvParams& p = s.p;
    p.kernel[0] = two_d ? between(rng, 1, 3) : 1;
    p.kernel[1] = between(rng, 1, 5);
    p.stride[0] = two_d ? between(rng, 1, 2) : 1;
    p.stride[1] = between(rng, 1, 3);
    p.dilation[1] = between(rng, 1, 2);
    p.pad_begin[0] = two_d ? between(rng, 0, p.kernel[0] - 1) : 0;
    p.pad_end[0] = two_d ? between(rng, 0, p.kernel[0] - 1) : 0;
    p.pad_begin[1] = between(rng, 0, p.kernel[1] - 1);
    p.pad_end[1] = between(rng, 0, p.kernel[1] - 1);
    // Blocks: one, small ones (odd: an unpaired DSP column per block), the
    // converter's.
    const int32_t blocks[] = {0, 0, 4, 5, 6, 128, 128, 128};
    p.w_block = blocks[between(rng, 0, 7)];
    s.in_h = two_d ? static_cast<uint32_t>(between(rng, 1, 5)) : 1;
    s.in_w = static_cast<uint32_t>(between(rng, 1, 12));
    check_conv(rng, s, transposed, trial % 5 == 0, &result);
  }
  MESSAGE(result.cases, " (kernel set, shape) cases");
}

// The 2-D Conv of any Cin read in place by kernel-row runs (Cin * KW off and
// on whole quads: weights re-packed or not), the ConvTranspose with one
// output channel (2-D and 1-D, every stride class, dilations) and the 2-D
// ConvTranspose by input-pixel rows: each shape must go to the avx512-vnni
// set's direct kernel where the machine has it (and where it takes it).
TEST_CASE(
    "int kernels: 2-D Conv of any Cin and 2-D/one-channel ConvTranspose equal the reference") {
  std::mt19937 rng(9090);
  ConvResult result;
  size_t shapes = 0, direct = 0;
  for (int trial = 0; trial < 240; ++trial) {
    const bool transposed = trial % 2 == 1;
    ref::ConvShape s = base_shape();
    format::ConvParams& p = s.p;
    s.batch = trial % 7 == 0 ? 2 : 1;
    const bool one_d = transposed && trial % 5 == 1;
    const uint32_t cins[] = {1, 2, 3, 4, 5, 8, 16, 17, 32};
    s.in_c = cins[between(rng, 0, 8)];
    const uint32_t couts[] = {1, 3, 16, 17, 32, 33, 64, 80, 130};
    s.out_c = transposed && trial % 4 == 1 ? 1 : couts[between(rng, 0, 8)];
    p.kernel[0] = one_d ? 1 : between(rng, 1, 4);
    p.kernel[1] = between(rng, 1, 5);
    p.stride[0] = one_d ? 1 : between(rng, 1, 3);
    p.stride[1] = between(rng, 1, 3);
    p.dilation[0] = one_d ? 1 : between(rng, 1, 2);
    p.dilation[1] = transposed ? between(rng, 1, 2) : 1;
    for (int a = 0; a < 2; ++a) {
      const int extent = p.dilation[a] * (p.kernel[a] - 1);
      p.pad_begin[a] = a == 0 && one_d ? 0 : between(rng, 0, extent);
      p.pad_end[a] = a == 0 && one_d ? 0 : between(rng, 0, extent);
    }
    p.w_block = trial % 4 == 0 ? 0 : 128;
    s.in_h = one_d ? 1 : static_cast<uint32_t>(between(rng, 1, 9));
    s.in_w = static_cast<uint32_t>(between(rng, 1, trial % 3 == 0 ? 40 : 12));
    ConvResult one;
    if (!check_conv(rng, s, transposed, trial % 3 == 0, &one)) continue;
    ++shapes;
    // A ConvTranspose with Cout > 1 needs whole quads of Cin in place.
    const bool expect_direct = !transposed || s.out_c == 1 || s.in_c % 4 == 0;
    direct += one.vnni_direct == expect_direct ? 1 : 0;
    result.cases += one.cases;
  }
  MESSAGE(result.cases, " (kernel set, shape) cases over ", shapes, " shapes");
  CHECK(shapes > 150);
  if (has_vnni_set()) CHECK(direct == shapes);
}

// 1-D Conv and ConvTranspose with whole quads of Cin (or one input channel,
// stride 2) and Cout a multiple of 16, or a ConvTranspose to one channel
// (the avx512-vnni set's output-pixels-in-lanes kernels): strides 1-3,
// dilations, paddings past the kernel's reach, inputs long enough for
// several strips (and their edges at both ends), two column blocks.
TEST_CASE("int kernels: 1-D Conv/ConvTranspose with Cout % 16 == 0 or 1 equal the reference") {
  std::mt19937 rng(7321);
  ConvResult result;
  size_t shapes = 0, direct = 0;
  for (int trial = 0; trial < 160; ++trial) {
    const bool transposed = trial % 2 == 1;
    ref::ConvShape s = base_shape();
    format::ConvParams& p = s.p;
    s.batch = trial % 5 == 0 ? 2 : 1;
    const uint32_t cins[] = {1, 4, 8, 12, 16, 32, 64};
    s.in_c = cins[between(rng, 0, 6)];
    const uint32_t couts[] = {16, 32, 48, 64, 144};
    s.out_c = transposed && trial % 3 == 1 ? 1 : couts[between(rng, 0, 4)];
    p.kernel[0] = p.stride[0] = 1;
    p.kernel[1] = between(rng, 1, 9);
    p.stride[1] = s.in_c == 1 && trial % 3 != 0 ? 2 : between(rng, 1, 3);
    p.dilation[1] = trial % 4 == 3 ? 2 : 1;
    const int extent = p.dilation[1] * (p.kernel[1] - 1);
    p.pad_begin[1] = between(rng, 0, extent + 1);
    p.pad_end[1] = between(rng, 0, extent + 1);
    p.w_block = trial % 3 == 0 ? 0 : 128;
    s.in_w = static_cast<uint32_t>(between(rng, 1, trial % 4 == 0 ? 900 : 40));
    ConvResult one;
    if (!check_conv(rng, s, transposed, trial % 3 == 0, &one)) continue;
    ++shapes;
    // One input channel: the lanes kernel or the windowed one (undilated
    // Conv), a one-channel kernel (ConvTranspose to one channel); other
    // ConvTransposes and dilated Convs of it are left to the gathered path.
    const bool expect_direct =
        s.in_c % 4 == 0 || (!transposed && p.dilation[1] == 1) || (transposed && s.out_c == 1);
    direct += one.vnni_direct == expect_direct ? 1 : 0;
    result.cases += one.cases;
  }
  MESSAGE(result.cases, " (kernel set, shape) cases over ", shapes, " shapes");
  CHECK(shapes > 120);
  if (has_vnni_set()) CHECK(direct == shapes);
}

// A 1-D ConvTranspose to one channel (a decoder's last layer) with inputs
// long enough for several strips, even and odd output widths: the stride-2
// one interleaves its two classes' staged bytes per strip.
TEST_CASE("int kernels: long 1-D ConvTranspose to one channel equals the reference") {
  std::mt19937 rng(9113);
  ConvResult result;
  size_t shapes = 0, direct = 0;
  for (int trial = 0; trial < 24; ++trial) {
    ref::ConvShape s = base_shape();
    format::ConvParams& p = s.p;
    s.batch = trial % 4 == 0 ? 2 : 1;
    s.in_c = 4 * static_cast<uint32_t>(between(rng, 1, 16));
    s.out_c = 1;
    p.kernel[0] = p.stride[0] = 1;
    p.kernel[1] = between(rng, 1, 9);
    p.stride[1] = trial % 3 == 2 ? between(rng, 1, 3) : 2;
    p.dilation[1] = trial % 5 == 4 ? 2 : 1;
    const int extent = p.dilation[1] * (p.kernel[1] - 1);
    p.pad_begin[1] = between(rng, 0, extent);
    p.pad_end[1] = between(rng, 0, extent);
    p.w_block = 128;
    s.in_w = static_cast<uint32_t>(between(rng, 200, 1500));
    ConvResult one;
    if (!check_conv(rng, s, true, false, &one)) continue;
    ++shapes;
    direct += one.vnni_direct ? 1 : 0;
    result.cases += one.cases;
  }
  MESSAGE(result.cases, " (kernel set, shape) cases over ", shapes, " shapes");
  CHECK(shapes > 20);
  if (has_vnni_set()) CHECK(direct == shapes);
}

}  // namespace
}  // namespace edgeae
