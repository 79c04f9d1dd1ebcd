// Every optimized kernel set this CPU can run against the reference kernels,
// on random shapes: prime and 1-wide sizes, channel counts on and off the
// vector width, every padding/stride/dilation/group case, every activation.
// Float tolerance: |got - want| <= 1e-5 * max(|want|, 1). The kernels only
// reorder float sums (split accumulators), whose error is of the order of
// sqrt(K) * 2^-24 * |want|, well inside that bound for the sizes here.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "edgeae/kernel_sets.hpp"
#include "edgeae/shape_rules.hpp"
#include "kernels/kernel_set.hpp"

namespace edgeae {
namespace {

using format::Activation;

std::vector<float> random_vector(std::mt19937& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

uint32_t pick(std::mt19937& rng, std::initializer_list<uint32_t> values) {
  std::uniform_int_distribution<size_t> d(0, values.size() - 1);
  return *(values.begin() + d(rng));
}

uint32_t between(std::mt19937& rng, uint32_t lo, uint32_t hi) {
  return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
}

// A random activation; PRelu slopes live in `slopes` (one per channel or one).
ref::ActivationSpec random_activation(std::mt19937& rng, uint32_t channels,
                                      std::vector<float>& slopes) {
  ref::ActivationSpec a;
  a.kind = static_cast<Activation>(between(rng, 0, 7));
  a.alpha = 0.1f;
  a.beta = 0.6f;
  if (a.kind == Activation::kClip) a.alpha = -0.4f;
  if (a.kind == Activation::kHardSigmoid) a.alpha = 0.2f;
  if (a.kind == Activation::kPRelu) {
    slopes = random_vector(rng, between(rng, 0, 1) ? channels : 1, 0.0f, 0.5f);
    a.slope = slopes.data();
    a.slope_count = static_cast<uint32_t>(slopes.size());
  }
  return a;
}

// |got - want| <= 1e-5 * max(|want|, 1), or with `magnitude` (the sum of the
// absolute values of the terms each output adds up), 1e-5 * max(|want|,
// magnitude, 1): a long reduction that cancels (9 taps x 64 channels) is
// only as exact as the reference's own rounding, which scales with its
// terms, not with its result.
void check_close(const std::vector<float>& got, const std::vector<float>& want,
                 const std::string& what, const std::vector<float>* magnitude = nullptr) {
  REQUIRE(got.size() == want.size());
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const float scale = magnitude ? std::max((*magnitude)[i], 1.0f) : 1.0f;
    const float tol = 1e-5f * std::max(std::fabs(want[i]), scale);
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      if (bad++ == 0) first = i;
    }
  }
  INFO(what);
  INFO("first mismatch at " << first << ": got " << got[first] << ", want " << want[first]);
  CHECK(bad == 0);
}

// The optimized sets (everything but the reference, which is set 0).
std::vector<const KernelSet*> optimized_sets() {
  std::vector<const KernelSet*> sets;
  for (size_t i = 1; i < kernel_set_count(); ++i) sets.push_back(kernel_set(i));
  return sets;
}

TEST_CASE("kernel sets: the reference is first, the best is last, names are found") {
  REQUIRE(kernel_set_count() >= 1);
  CHECK(kernel_set(0) == reference_kernels());
  CHECK(std::string(kernel_set_name(reference_kernels())) == "reference");
  CHECK(best_kernels() == kernel_set(kernel_set_count() - 1));
  CHECK(kernel_set(kernel_set_count()) == nullptr);
  for (size_t i = 0; i < kernel_set_count(); ++i)
    CHECK(find_kernel_set(kernel_set_name(kernel_set(i))) == kernel_set(i));
  CHECK(find_kernel_set("no such set") == nullptr);
  MESSAGE("kernel sets on this CPU: ", kernel_set_count(),
          ", best: ", std::string(kernel_set_name(best_kernels())));
#if defined(__x86_64__) || defined(__aarch64__) || defined(__ARM_NEON)
  CHECK(kernel_set_count() >= 2);  // an optimized set exists on these targets
#endif
}

TEST_CASE("kernel sets: dense equals the reference on random shapes") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(101);
    for (int iter = 0; iter < 150; ++iter) {
      ref::DenseShape s;
      s.m = pick(rng, {1, 1, 2, 3});
      s.k = pick(rng, {1, 2, 7, 16, 31, 64, 97, 257});
      s.n = pick(rng, {1, 3, 8, 15, 16, 17, 32, 47, 64, 128, 131, 256, 784});
      s.b_block = pick(rng, {0, 0, 16, 64, 256});     // plain or column-blocked B
      const uint32_t bias_mode = between(rng, 0, 3);  // none, scalar, per column, per row
      s.bias_stride_m = bias_mode == 3 ? 1 : 0;
      s.bias_stride_n = bias_mode == 2 ? 1 : 0;
      const auto a = random_vector(rng, size_t(s.m) * s.k);
      const auto b = random_vector(rng, size_t(s.k) * s.n);
      const auto bias = random_vector(rng, bias_mode == 3 ? s.m : s.n);
      std::vector<float> slopes;
      const ref::ActivationSpec act = random_activation(rng, s.n, slopes);
      std::vector<float> want(size_t(s.m) * s.n), got(want.size(), -7.0f);
      const float* bp = bias_mode ? bias.data() : nullptr;
      ref::dense_f32(s, a.data(), b.data(), bp, act, want.data());
      set->dense(s, a.data(), b.data(), bp, act, got.data());
      check_close(got, want,
                  std::string(set->name) + " dense m" + std::to_string(s.m) + " k" +
                      std::to_string(s.k) + " n" + std::to_string(s.n) + " block" +
                      std::to_string(s.b_block) + " act" + std::to_string(int(act.kind)));
    }
  }
}

void compare_conv(const KernelSet* set, std::mt19937& rng, const ref::ConvShape& s, bool transposed,
                  const std::string& label);

// Runs conv or conv transpose through both sets on one random problem.
void check_conv_case(const KernelSet* set, std::mt19937& rng, bool transposed, int iter) {
  ref::ConvShape s;
  const bool one_d = between(rng, 0, 2) == 0;
  s.batch = pick(rng, {1, 1, 2});
  s.in_h = one_d ? 1 : between(rng, 1, 9);
  s.in_w = pick(rng, {1, 2, 5, 8, 13, 17, 31});
  uint32_t groups = 1;
  const uint32_t kind = between(rng, 0, 5);  // 0-3 plain, 4 grouped, 5 depthwise
  if (kind == 5) {
    s.in_c = s.out_c = pick(rng, {3, 16, 17, 32});
    groups = s.in_c;
  } else {
    groups = kind == 4 ? 2 : 1;
    s.in_c = groups * pick(rng, {1, 2, 3, 8, 16, 17, 32});
    s.out_c = groups * pick(rng, {1, 5, 8, 16, 32, 33, 48, 64});
  }
  auto& p = s.p;
  p = format::ConvParams{};
  p.groups = int32_t(groups);
  for (int a = 0; a < 2; ++a) {
    const bool trivial = a == 0 && one_d;
    p.kernel[a] = trivial ? 1 : int32_t(between(rng, 1, 5));
    p.stride[a] = trivial ? 1 : int32_t(between(rng, 1, 3));
    p.dilation[a] = trivial ? 1 : int32_t(between(rng, 1, 2));
    p.pad_begin[a] = trivial ? 0 : int32_t(between(rng, 0, 2));
    p.pad_end[a] = trivial ? 0 : int32_t(between(rng, 0, 2));
    if (transposed)
      p.output_padding[a] =
          trivial ? 0
                  : int32_t(between(rng, 0, uint32_t(std::max(p.stride[a], p.dilation[a]) - 1)));
  }
  const uint32_t in[2] = {s.in_h, s.in_w};
  uint32_t out[2];
  for (int a = 0; a < 2; ++a)
    out[a] = transposed ? transposed_output_size(in[a], p.kernel[a], p.stride[a], p.pad_begin[a],
                                                 p.pad_end[a], p.dilation[a], p.output_padding[a])
                        : window_output_size(in[a], p.kernel[a], p.stride[a], p.pad_begin[a],
                                             p.pad_end[a], p.dilation[a], false);
  if (out[0] == 0 || out[1] == 0) return;  // an impossible window: the loader refuses it
  s.out_h = out[0];
  s.out_w = out[1];
  compare_conv(
      set, rng, s, transposed,
      std::string(set->name) + (transposed ? " convT" : " conv") + " iter " + std::to_string(iter));
}

// A groups-1 Conv or ConvTranspose shape from per-axis [H, W] parameters,
// with the output size they give (0 for an impossible window).
ref::ConvShape conv_shape(bool transposed, uint32_t batch, uint32_t in_h, uint32_t in_w,
                          uint32_t in_c, uint32_t out_c, const int32_t (&k)[2],
                          const int32_t (&stride)[2], const int32_t (&pad_begin)[2],
                          const int32_t (&pad_end)[2], const int32_t (&dilation)[2],
                          const int32_t (&output_padding)[2]) {
  ref::ConvShape s;
  s.batch = batch;
  s.in_h = in_h;
  s.in_w = in_w;
  s.in_c = in_c;
  s.out_c = out_c;
  format::ConvParams& p = s.p;
  p = format::ConvParams{};
  p.groups = 1;
  const uint32_t in[2] = {in_h, in_w};
  uint32_t out[2];
  for (int a = 0; a < 2; ++a) {
    p.kernel[a] = k[a];
    p.stride[a] = stride[a];
    p.pad_begin[a] = pad_begin[a];
    p.pad_end[a] = pad_end[a];
    p.dilation[a] = dilation[a];
    p.output_padding[a] = output_padding[a];
    out[a] = transposed ? transposed_output_size(in[a], k[a], stride[a], pad_begin[a], pad_end[a],
                                                 dilation[a], output_padding[a])
                        : window_output_size(in[a], k[a], stride[a], pad_begin[a], pad_end[a],
                                             dilation[a], false);
  }
  s.out_h = out[0];
  s.out_w = out[1];
  return s;
}

// Runs one conv or conv transpose problem (random data, bias or not, a
// random activation, a fused residual or not) through the set and the
// reference.
void compare_conv(const KernelSet* set, std::mt19937& rng, const ref::ConvShape& s, bool transposed,
                  const std::string& label) {
  const auto& p = s.p;
  const uint32_t groups = uint32_t(p.groups);
  const uint32_t taps = uint32_t(p.kernel[0] * p.kernel[1]);
  const auto x = random_vector(rng, size_t(s.batch) * s.in_h * s.in_w * s.in_c);
  const auto w = random_vector(rng, size_t(taps) * (s.in_c / groups) * s.out_c);
  const auto bias = random_vector(rng, s.out_c);
  const bool with_bias = between(rng, 0, 3) != 0;
  std::vector<float> slopes;
  ref::ActivationSpec act = random_activation(rng, s.out_c, slopes);
  std::vector<float> want(size_t(s.batch) * s.out_h * s.out_w * s.out_c), got(want.size(), -7.0f);
  const auto residual = random_vector(rng, want.size());
  if (between(rng, 0, 2) == 0) act.residual = residual.data();
  const float* bp = with_bias ? bias.data() : nullptr;
  // The magnitude of each output's terms: the same conv of |x|, |w| and
  // |bias|, plus |residual| (the activations shrink or keep magnitudes).
  const auto absolute = [](std::vector<float> v) {
    for (float& e : v) e = std::fabs(e);
    return v;
  };
  const std::vector<float> x_abs = absolute(x), w_abs = absolute(w), bias_abs = absolute(bias);
  const std::vector<float> residual_abs = absolute(residual);
  ref::ActivationSpec plus_residual;
  plus_residual.residual = act.residual ? residual_abs.data() : nullptr;
  std::vector<float> magnitude(want.size());
  const float* bias_abs_p = with_bias ? bias_abs.data() : nullptr;
  if (transposed) {
    ref::conv_transpose_f32(s, x.data(), w.data(), bp, act, want.data());
    set->conv_transpose(s, x.data(), w.data(), bp, act, got.data());
    ref::conv_transpose_f32(s, x_abs.data(), w_abs.data(), bias_abs_p, plus_residual,
                            magnitude.data());
  } else {
    ref::conv_f32(s, x.data(), w.data(), bp, act, want.data());
    set->conv(s, x.data(), w.data(), bp, act, got.data());
    ref::conv_f32(s, x_abs.data(), w_abs.data(), bias_abs_p, plus_residual, magnitude.data());
  }
  check_close(got, want,
              label + (act.residual ? " residual" : "") + " in " + std::to_string(s.in_h) + "x" +
                  std::to_string(s.in_w) + "x" + std::to_string(s.in_c) + " out_c " +
                  std::to_string(s.out_c) + " k " + std::to_string(p.kernel[0]) + "x" +
                  std::to_string(p.kernel[1]) + " s " + std::to_string(p.stride[1]) + " d " +
                  std::to_string(p.dilation[1]) + " g " + std::to_string(groups),
              &magnitude);
}

TEST_CASE("kernel sets: conv equals the reference on random shapes") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(202);
    for (int iter = 0; iter < 300; ++iter) check_conv_case(set, rng, false, iter);
  }
}

TEST_CASE("kernel sets: conv transpose equals the reference on random shapes") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(303);
    for (int iter = 0; iter < 300; ++iter) check_conv_case(set, rng, true, iter);
  }
}

// 1-D layers with few input channels (Conv) or one output channel
// (ConvTranspose), which have their own paths: rows long enough to span
// several chunks of those paths, prime widths, every padding and stride;
// and 1-D Convs of 3 to 9 taps over 16, 32 or 64 channels (the
// input-stationary path: interior and zero-padded edge tiles, short rows).
TEST_CASE(
    "kernel sets: 1-D conv with few inputs or long kernels and convT with one output equal "
    "the reference") {
  // A 1-D shape: H is 1 with a trivial kernel.
  auto shape = [](bool transposed, uint32_t batch, uint32_t in_w, uint32_t in_c, uint32_t out_c,
                  int32_t k, int32_t stride, int32_t pad_begin, int32_t pad_end, int32_t dilation,
                  int32_t output_padding) {
    return conv_shape(transposed, batch, 1, in_w, in_c, out_c, {1, k}, {1, stride}, {0, pad_begin},
                      {0, pad_end}, {1, dilation}, {0, output_padding});
  };
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(606);
    // The unet's first Conv and last ConvTranspose.
    compare_conv(set, rng, shape(false, 1, 1024, 1, 16, 9, 2, 4, 4, 1, 0), false,
                 std::string(set->name) + " unet e1");
    compare_conv(set, rng, shape(true, 1, 512, 16, 1, 8, 2, 3, 3, 1, 0), true,
                 std::string(set->name) + " unet d3");
    for (int iter = 0; iter < 200; ++iter) {
      const bool transposed = iter % 2 == 1;
      const uint32_t in_w = pick(rng, {1, 2, 7, 16, 17, 131, 256, 293, 521});
      const uint32_t in_c =
          transposed ? pick(rng, {1, 2, 3, 15, 16, 17, 32, 33}) : pick(rng, {1, 1, 2, 3, 4});
      const uint32_t out_c = transposed ? 1 : pick(rng, {8, 16, 32, 48});
      const int32_t k = int32_t(between(rng, 1, 9)), stride = int32_t(between(rng, 1, 4));
      const int32_t dilation = int32_t(between(rng, 1, 2));
      const int32_t pad_begin = int32_t(between(rng, 0, 4)), pad_end = int32_t(between(rng, 0, 4));
      const int32_t output_padding =
          transposed ? int32_t(between(rng, 0, uint32_t(std::max(stride, dilation) - 1))) : 0;
      const ref::ConvShape s = shape(transposed, pick(rng, {1, 2}), in_w, in_c, out_c, k, stride,
                                     pad_begin, pad_end, dilation, output_padding);
      if (s.out_w == 0) continue;
      compare_conv(set, rng, s, transposed,
                   std::string(set->name) + (transposed ? " 1-D convT" : " 1-D conv") + " iter " +
                       std::to_string(iter) + " pad " + std::to_string(pad_begin) + "," +
                       std::to_string(pad_end) + " out_w " + std::to_string(s.out_w));
    }
    // Stride-2 one-output ConvTransposes over 16 or 32 channels (AVX-512:
    // the per-tap dot products over chunks of aligned blocks): widths
    // around a block and the chunks' ends, kernels 2 to 9, every pad.
    for (int iter = 0; iter < 80; ++iter) {
      const uint32_t in_w = pick(rng, {1, 2, 15, 16, 17, 40, 47, 48, 49, 120, 241, 256, 257, 513});
      const int32_t k = int32_t(between(rng, 2, 9)), dilation = iter % 8 == 7 ? 2 : 1;
      const int32_t pad_begin = int32_t(between(rng, 0, 4)), pad_end = int32_t(between(rng, 0, 4));
      const ref::ConvShape s = shape(true, pick(rng, {1, 2}), in_w, pick(rng, {16, 32}), 1, k, 2,
                                     pad_begin, pad_end, dilation, int32_t(between(rng, 0, 1)));
      if (s.out_w == 0) continue;
      compare_conv(set, rng, s, true,
                   std::string(set->name) + " 1-D stride-2 convT iter " + std::to_string(iter) +
                       " k " + std::to_string(k) + " pad " + std::to_string(pad_begin) + "," +
                       std::to_string(pad_end) + " out_w " + std::to_string(s.out_w));
    }
    compare_conv(set, rng, shape(false, 1, 512, 16, 32, 9, 2, 4, 4, 1, 0), false,
                 std::string(set->name) + " unet e2");
    compare_conv(set, rng, shape(false, 1, 256, 32, 64, 9, 2, 4, 4, 1, 0), false,
                 std::string(set->name) + " unet e3");
    for (int iter = 0; iter < 80; ++iter) {
      const int32_t k = int32_t(pick(rng, {3, 5, 7, 9})), stride = int32_t(between(rng, 1, 2));
      const int32_t pad_begin = int32_t(between(rng, 0, uint32_t(k) - 1));
      const int32_t pad_end = int32_t(between(rng, 0, uint32_t(k) - 1));
      const ref::ConvShape s = shape(false, pick(rng, {1, 2}),
                                     pick(rng, {1, 2, 7, 16, 31, 37, 131}), pick(rng, {16, 32, 64}),
                                     pick(rng, {16, 32, 48}), k, stride, pad_begin, pad_end, 1, 0);
      if (s.out_w == 0) continue;
      compare_conv(set, rng, s, false,
                   std::string(set->name) + " 1-D long-kernel conv iter " + std::to_string(iter) +
                       " k " + std::to_string(k) + " pad " + std::to_string(pad_begin) + "," +
                       std::to_string(pad_end) + " out_w " + std::to_string(s.out_w));
    }
  }
}

// Stride-2 ConvTranspose with one vector of output channels left
// (f32_conv_transpose_s2.hpp's input-stationary path for kernels 8 and 4
// with odd pads): the unet's decoder layers, rows shorter and longer than
// a tile, odd lengths, pads that make the end pairs half, edge and interior
// tiles, wide inputs that take the pair path, and 2-D images whose tiles
// wrap across rows.
TEST_CASE("kernel sets: stride-2 convT (input-stationary tiles) equals the reference") {
  // Stride 2 along W; along H stride 1 with a centred kernel of kh rows.
  auto shape = [](uint32_t batch, uint32_t in_h, uint32_t in_w, uint32_t in_c, uint32_t out_c,
                  int32_t kh, int32_t k, int32_t pad_begin, int32_t pad_end,
                  int32_t output_padding) {
    return conv_shape(true, batch, in_h, in_w, in_c, out_c, {kh, k}, {1, 2}, {kh / 2, pad_begin},
                      {kh / 2, pad_end}, {1, 1}, {0, output_padding});
  };
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(808);
    compare_conv(set, rng, shape(1, 1, 128, 64, 32, 1, 8, 3, 3, 0), true,
                 std::string(set->name) + " unet d1");
    compare_conv(set, rng, shape(1, 1, 256, 32, 16, 1, 8, 3, 3, 0), true,
                 std::string(set->name) + " unet d2");
    for (int iter = 0; iter < 150; ++iter) {
      // (2-D: fewer input channels, as the sums of 3 x 8 x 96 terms round
      // beyond the tolerance in either order.)
      const bool two_d = iter % 4 == 3;
      const int32_t k = int32_t(pick(rng, {8, 8, 4, 3, 6}));
      const int32_t pad_begin = int32_t(between(rng, 0, uint32_t(k) - 1));
      const int32_t pad_end = int32_t(between(rng, 0, uint32_t(k) - 1));
      const ref::ConvShape s =
          shape(pick(rng, {1, 2}), two_d ? pick(rng, {2, 3}) : 1,
                pick(rng, {1, 2, 3, 5, 11, 12, 13, 22, 23, 40, 127, 256}),
                two_d ? pick(rng, {1, 3, 16, 17, 32}) : pick(rng, {1, 3, 16, 17, 32, 64, 96}),
                pick(rng, {16, 48, 8, 4}), two_d ? 3 : 1, k, pad_begin, pad_end,
                int32_t(between(rng, 0, 1)));
      if (s.out_w == 0 || s.out_h == 0) continue;
      compare_conv(set, rng, s, true,
                   std::string(set->name) + " stride-2 convT iter " + std::to_string(iter) +
                       " in_w " + std::to_string(s.in_w) + " pad " + std::to_string(pad_begin) +
                       "," + std::to_string(pad_end) + " out " + std::to_string(s.out_h) + "x" +
                       std::to_string(s.out_w));
    }
  }
}

// The same paths in 2-D (a band of input rows per copy), and the stride-2
// ConvTranspose whose tiles wrap across the rows of one tap class: the
// conv2d_ae layers, then random shapes with bands and column chunks of
// every size, 1-wide and prime edges, padding, stride, dilation, output
// padding, batch 2; and the input-stationary 3x3 Conv and the 3x3 stride-2
// ConvTranspose by output blocks.
TEST_CASE("kernel sets: 2-D conv with few inputs and convT with one output equal the reference") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(707);
    const int32_t k3[2] = {3, 3}, s2[2] = {2, 2}, p1[2] = {1, 1}, p0[2] = {0, 0}, d1[2] = {1, 1};
    const int32_t op1[2] = {1, 1};
    // conv2d_ae's c1, d1 and d2.
    compare_conv(set, rng, conv_shape(false, 1, 28, 28, 1, 16, k3, s2, p1, p1, d1, p0), false,
                 std::string(set->name) + " conv2d_ae c1");
    compare_conv(set, rng, conv_shape(true, 2, 7, 7, 32, 16, k3, s2, p1, p1, d1, op1), true,
                 std::string(set->name) + " conv2d_ae d1");
    compare_conv(set, rng, conv_shape(true, 2, 14, 14, 16, 1, k3, s2, p1, p1, d1, op1), true,
                 std::string(set->name) + " conv2d_ae d2");
    // Several bands of input rows and column chunks per image.
    const int32_t k5[2] = {5, 5}, s1[2] = {1, 1}, p2[2] = {2, 2};
    compare_conv(set, rng, conv_shape(false, 2, 61, 131, 3, 32, k5, s1, p2, p1, d1, p0), false,
                 std::string(set->name) + " few inputs, many bands");
    compare_conv(set, rng, conv_shape(true, 2, 37, 23, 16, 1, k3, s2, p1, p1, d1, op1), true,
                 std::string(set->name) + " one output, many bands");
    // One input channel, KW 3, stride 1 or 2 (tiles with a compile-time
    // pixel step): rows shorter than a tile, and a last tile that overlaps.
    const int32_t s21[2] = {2, 1}, p10[2] = {1, 0};
    compare_conv(set, rng, conv_shape(false, 2, 9, 5, 1, 16, k3, s1, p1, p1, d1, p0), false,
                 std::string(set->name) + " few inputs, short rows");
    compare_conv(set, rng, conv_shape(false, 2, 17, 31, 1, 32, k3, s2, p1, p0, d1, p0), false,
                 std::string(set->name) + " few inputs, stride 2, odd width");
    compare_conv(set, rng, conv_shape(false, 1, 6, 40, 1, 16, k3, s21, p10, p1, d1, p0), false,
                 std::string(set->name) + " few inputs, stride 2x1");
    // One output channel, stride 2, output twice the input (the flat
    // path): kernels 1 to 5 (taps reaching 0 to 2 columns either side),
    // dilation 2, rows shorter and longer than a vector, padded rows of a
    // multiple of 16 floats or not, 16 and 32 channels, shapes too big for
    // the stack.
    struct Flat {
      int32_t k, d, pad_begin, pad_end, output_padding;
    };
    for (const Flat f : {Flat{3, 1, 1, 1, 1}, Flat{2, 1, 0, 0, 0}, Flat{4, 1, 1, 1, 0},
                         Flat{1, 1, 0, 0, 1}, Flat{2, 2, 1, 0, 0}, Flat{5, 1, 2, 1, 0}}) {
      const int32_t k[2] = {f.k, f.k}, d[2] = {f.d, f.d}, pb[2] = {f.pad_begin, f.pad_begin};
      const int32_t pe[2] = {f.pad_end, f.pad_end}, op[2] = {f.output_padding, f.output_padding};
      const uint32_t sizes[][2] = {{1, 1},  {3, 5},  {7, 7},  {14, 14}, {9, 15},
                                   {5, 17}, {6, 30}, {2, 47}, {13, 13}, {20, 20}};
      for (const auto& hw : sizes)
        for (const uint32_t in_c : {16u, 32u}) {
          const ref::ConvShape s = conv_shape(true, 2, hw[0], hw[1], in_c, 1, k, s2, pb, pe, d, op);
          REQUIRE(s.out_h == 2 * hw[0]);
          REQUIRE(s.out_w == 2 * hw[1]);
          compare_conv(set, rng, s, true,
                       std::string(set->name) + " one output, twice the input, k " +
                           std::to_string(f.k) + " d " + std::to_string(f.d));
        }
    }
    // Column taps reaching 9 columns either side (more than a vector of
    // plane floats past the last vector), kernel 1 x 35.
    const int32_t k_wide[2] = {1, 35}, pb_wide[2] = {0, 17}, pe_wide[2] = {0, 16};
    const int32_t op_wide[2] = {1, 0};
    const ref::ConvShape wide =
        conv_shape(true, 2, 3, 30, 16, 1, k_wide, s2, pb_wide, pe_wide, d1, op_wide);
    REQUIRE(wide.out_h == 6);
    REQUIRE(wide.out_w == 60);
    compare_conv(set, rng, wide, true, std::string(set->name) + " one output, wide column taps");
    for (int iter = 0; iter < 120; ++iter) {
      const int kind = iter % 3;  // 0: few-input Conv, 1: one-output ConvT, 2: stride-2 ConvT
      const bool transposed = kind != 0;
      const uint32_t in_h = pick(rng, {1, 2, 3, 7, 13, 29, 41});
      const uint32_t in_w = kind == 0 ? pick(rng, {1, 2, 5, 14, 17, 31, 131})
                                      : pick(rng, {1, 2, 5, 7, 14, 17, 31, 67});
      const uint32_t in_c =
          kind == 0 ? pick(rng, {1, 1, 2, 3, 4}) : pick(rng, {1, 2, 3, 15, 16, 17, 32});
      const uint32_t out_c = kind == 1 ? 1 : pick(rng, {16, 32, 48});
      int32_t k[2], stride[2], pad_begin[2], pad_end[2], dilation[2], output_padding[2];
      for (int a = 0; a < 2; ++a) {
        k[a] = int32_t(between(rng, 1, 5));
        stride[a] = kind == 2 && a == 1 ? 2 : int32_t(between(rng, 1, 3));
        dilation[a] = int32_t(between(rng, 1, 2));
        pad_begin[a] = int32_t(between(rng, 0, 2));
        pad_end[a] = int32_t(between(rng, 0, 2));
        output_padding[a] =
            transposed ? int32_t(between(rng, 0, uint32_t(std::max(stride[a], dilation[a]) - 1)))
                       : 0;
      }
      const ref::ConvShape s = conv_shape(transposed, pick(rng, {1, 2}), in_h, in_w, in_c, out_c, k,
                                          stride, pad_begin, pad_end, dilation, output_padding);
      if (s.out_h == 0 || s.out_w == 0) continue;
      compare_conv(set, rng, s, transposed,
                   std::string(set->name) + " 2-D kind " + std::to_string(kind) + " iter " +
                       std::to_string(iter) + " in_h " + std::to_string(in_h) + " k " +
                       std::to_string(k[0]) + "x" + std::to_string(k[1]) + " s " +
                       std::to_string(stride[0]) + "x" + std::to_string(stride[1]) + " d " +
                       std::to_string(dilation[0]) + "x" + std::to_string(dilation[1]) + " pad " +
                       std::to_string(pad_begin[0]) + "," + std::to_string(pad_begin[1]) + " op " +
                       std::to_string(output_padding[0]) + "," + std::to_string(output_padding[1]) +
                       " out " + std::to_string(s.out_h) + "x" + std::to_string(s.out_w));
    }
    // 3x3 Conv of stride 1 or 2 over 16/32/64 channels (the input-stationary
    // path: one- and two-vector tiles, rows split into tiles of 7, padded
    // windows, kernel rows in the padding), conv2d_ae's c2 first.
    compare_conv(set, rng, conv_shape(false, 1, 14, 14, 16, 32, k3, s2, p1, p1, d1, p0), false,
                 std::string(set->name) + " conv2d_ae c2");
    for (int iter = 0; iter < 60; ++iter) {
      const int32_t st = int32_t(between(rng, 1, 2));
      const int32_t stride[2] = {st, st};
      const int32_t pb[2] = {int32_t(between(rng, 0, 2)), int32_t(between(rng, 0, 2))};
      const int32_t pe[2] = {int32_t(between(rng, 0, 2)), int32_t(between(rng, 0, 2))};
      const ref::ConvShape s =
          conv_shape(false, pick(rng, {1, 2}), pick(rng, {1, 2, 3, 7, 14}),
                     pick(rng, {1, 2, 3, 7, 8, 14, 15, 29}), pick(rng, {16, 32, 64}),
                     pick(rng, {16, 32, 48, 64}), k3, stride, pb, pe, d1, p0);
      if (s.out_h == 0 || s.out_w == 0) continue;
      compare_conv(set, rng, s, false,
                   std::string(set->name) + " 3x3 conv iter " + std::to_string(iter) + " s " +
                       std::to_string(st) + " out " + std::to_string(s.out_h) + "x" +
                       std::to_string(s.out_w));
    }
    // 3x3 stride-2 pad-1 ConvTranspose over 16/32/64 channels (the output
    // block path): rows split into tiles of 1 to 5 pixels, edge tiles, both
    // output paddings and end pads.
    for (int iter = 0; iter < 60; ++iter) {
      const int32_t pe[2] = {int32_t(between(rng, 0, 1)), int32_t(between(rng, 0, 1))};
      const int32_t op[2] = {int32_t(between(rng, 0, 1)), int32_t(between(rng, 0, 1))};
      const ref::ConvShape s =
          conv_shape(true, pick(rng, {1, 2}), pick(rng, {1, 2, 3, 7, 11}),
                     pick(rng, {1, 2, 3, 4, 5, 6, 7, 11, 14}), pick(rng, {16, 32, 64}),
                     pick(rng, {16, 32, 48}), k3, s2, p1, pe, d1, op);
      compare_conv(set, rng, s, true,
                   std::string(set->name) + " 3x3 s2 convT iter " + std::to_string(iter) + " out " +
                       std::to_string(s.out_h) + "x" + std::to_string(s.out_w));
    }
  }
}

// The last decoder layer's fused Sigmoid over its whole range: outputs below
// -88 (where e^-v overflows) and above 20, saturating at both ends.
TEST_CASE(
    "kernel sets: a one-output ConvTranspose with a wide-range Sigmoid equals the reference") {
  ref::ConvShape s;
  s.batch = 1;
  s.in_h = s.in_w = 14;
  s.in_c = 16;
  s.out_c = 1;
  s.out_h = s.out_w = 28;
  format::ConvParams& p = s.p;
  p = format::ConvParams{};
  p.groups = 1;
  for (int a = 0; a < 2; ++a) {
    p.kernel[a] = 3;
    p.stride[a] = 2;
    p.pad_begin[a] = p.pad_end[a] = 1;
    p.dilation[a] = 1;
    p.output_padding[a] = 1;
  }
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(909);
    const auto x = random_vector(rng, size_t(14) * 14 * 16, 0.0f, 1.0f);
    const auto w = random_vector(rng, size_t(9) * 16, -30.0f, 30.0f);
    const float bias = -2.0f;
    ref::ActivationSpec act;
    act.kind = Activation::kSigmoid;
    std::vector<float> want(28 * 28), got(want.size(), -7.0f);
    ref::conv_transpose_f32(s, x.data(), w.data(), &bias, act, want.data());
    set->conv_transpose(s, x.data(), w.data(), &bias, act, got.data());
    std::vector<float> raw(want.size());
    ref::conv_transpose_f32(s, x.data(), w.data(), &bias, ref::ActivationSpec{}, raw.data());
    const auto [lo, hi] = std::minmax_element(raw.begin(), raw.end());
    CHECK(*lo < -88.0f);  // the inputs do reach both ends
    CHECK(*hi > 20.0f);
    check_close(got, want, std::string(set->name) + " wide-range sigmoid");
  }
}

TEST_CASE("kernel sets: binary ops equal the reference for every broadcast") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(404);
    for (int iter = 0; iter < 200; ++iter) {
      ref::Shape out;
      out.rank = between(rng, 1, 4);
      for (uint32_t a = 0; a < out.rank; ++a) out.dims[a] = pick(rng, {1, 2, 3, 16, 17, 32});
      auto operand_shape = [&](uint32_t mode) {
        ref::Shape s;
        if (mode == 0) return out;  // same shape
        if (mode == 1) return s;    // scalar (rank 0)
        if (mode == 2) {            // one row of the last axis
          s.rank = 1;
          s.dims[0] = out.dims[out.rank - 1];
          return s;
        }
        s = out;  // general: some axes 1
        for (uint32_t a = 0; a < s.rank; ++a)
          if (between(rng, 0, 1)) s.dims[a] = 1;
        return s;
      };
      const ref::Shape as = operand_shape(between(rng, 0, 3)),
                       bs = operand_shape(between(rng, 0, 3));
      auto count = [](const ref::Shape& s) {
        size_t n = 1;
        for (uint32_t a = 0; a < s.rank; ++a) n *= s.dims[a];
        return n;
      };
      const auto a = random_vector(rng, count(as)), b = random_vector(rng, count(bs));
      const auto op = static_cast<ref::BinaryOp>(between(rng, 0, 3));
      std::vector<float> slopes;
      const ref::ActivationSpec act = random_activation(rng, out.dims[out.rank - 1], slopes);
      std::vector<float> want(count(out)), got(want.size(), -7.0f);
      ref::binary_f32(op, as, a.data(), bs, b.data(), out, act, want.data());
      set->binary(op, as, a.data(), bs, b.data(), out, act, got.data());
      check_close(got, want, std::string(set->name) + " binary iter " + std::to_string(iter));
    }
  }
}

TEST_CASE("kernel sets: activations equal the reference, every kind and length") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(505);
    for (int kind = 0; kind <= 7; ++kind) {
      for (uint32_t channels : {1u, 3u, 16u, 17u, 64u}) {
        const uint32_t count = channels * pick(rng, {1, 2, 7});
        // Wide range: sigmoid and tanh saturate, large negative inputs matter.
        const auto x = random_vector(rng, count, -120.0f, 120.0f);
        std::vector<float> slopes =
            random_vector(rng, between(rng, 0, 1) ? channels : 1, 0.0f, 0.5f);
        ref::ActivationSpec act;
        act.kind = static_cast<Activation>(kind);
        act.alpha = kind == int(Activation::kClip) ? -3.0f : 0.2f;
        act.beta = kind == int(Activation::kClip) ? 4.0f : 0.5f;
        act.slope = slopes.data();
        act.slope_count = uint32_t(slopes.size());
        std::vector<float> want(count), got(count, -7.0f);
        ref::activation_f32(act, count, channels, x.data(), want.data());
        set->activation(act, count, channels, x.data(), got.data());
        check_close(got, want,
                    std::string(set->name) + " activation kind " + std::to_string(kind) +
                        " channels " + std::to_string(channels));
      }
    }
  }
}

TEST_CASE("kernel sets: pools equal the reference (padding, ceil mode, count_include_pad)") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(606);
    for (int iter = 0; iter < 200; ++iter) {
      ref::PoolShape s;
      const bool one_d = between(rng, 0, 2) == 0;
      s.batch = pick(rng, {1, 2});
      s.in_h = one_d ? 1 : between(rng, 1, 9);
      s.in_w = between(rng, 1, 13);
      s.channels = pick(rng, {1, 5, 16, 17, 32, 48});
      auto& p = s.p;
      p = format::PoolParams{};
      for (int a = 0; a < 2; ++a) {
        const bool trivial = a == 0 && one_d;
        p.kernel[a] = trivial ? 1 : int32_t(between(rng, 1, 4));
        p.stride[a] = trivial ? 1 : int32_t(between(rng, 1, 3));
        p.dilation[a] = trivial ? 1 : int32_t(between(rng, 1, 2));
        p.pad_begin[a] = trivial ? 0 : int32_t(between(rng, 0, uint32_t(p.kernel[a] - 1)));
        p.pad_end[a] = trivial ? 0 : int32_t(between(rng, 0, uint32_t(p.kernel[a] - 1)));
      }
      p.ceil_mode = int32_t(between(rng, 0, 1));
      p.count_include_pad = int32_t(between(rng, 0, 1));
      s.out_h = window_output_size(s.in_h, p.kernel[0], p.stride[0], p.pad_begin[0], p.pad_end[0],
                                   p.dilation[0], p.ceil_mode != 0);
      s.out_w = window_output_size(s.in_w, p.kernel[1], p.stride[1], p.pad_begin[1], p.pad_end[1],
                                   p.dilation[1], p.ceil_mode != 0);
      if (s.out_h == 0 || s.out_w == 0) continue;
      const auto x = random_vector(rng, size_t(s.batch) * s.in_h * s.in_w * s.channels);
      std::vector<float> slopes;
      const ref::ActivationSpec act = random_activation(rng, s.channels, slopes);
      const size_t n = size_t(s.batch) * s.out_h * s.out_w * s.channels;
      for (bool is_max : {true, false}) {
        std::vector<float> want(n), got(n, -7.0f);
        if (is_max) {
          ref::max_pool_f32(s, x.data(), act, want.data());
          set->max_pool(s, x.data(), act, got.data());
        } else {
          ref::average_pool_f32(s, x.data(), act, want.data());
          set->average_pool(s, x.data(), act, got.data());
        }
        check_close(got, want,
                    std::string(set->name) + (is_max ? " max" : " avg") + " pool iter " +
                        std::to_string(iter));
      }
    }
  }
}

TEST_CASE("kernel sets: global average pool equals the reference") {
  for (const KernelSet* set : optimized_sets()) {
    std::mt19937 rng(707);
    for (uint32_t channels : {1u, 7u, 16u, 33u, 64u}) {
      for (uint32_t spatial : {1u, 5u, 49u}) {
        const auto x = random_vector(rng, size_t(2) * spatial * channels);
        std::vector<float> slopes;
        const ref::ActivationSpec act = random_activation(rng, channels, slopes);
        std::vector<float> want(2 * channels), got(want.size(), -7.0f);
        ref::global_average_pool_f32(2, spatial, channels, x.data(), act, want.data());
        set->global_average_pool(2, spatial, channels, x.data(), act, got.data());
        check_close(got, want, std::string(set->name) + " gap c" + std::to_string(channels));
      }
    }
  }
}

}  // namespace
}  // namespace edgeae
