// Integer dense / conv / conv_transpose against the float reference run on
// the dequantized operands, plus exact structural properties.
#include <functional>

#include "int_test_util.hpp"

namespace edgeae::ref::inttest {
namespace {

using test::conv_out_size;
using test::conv_params;

template <typename T>
using Bias = std::conditional_t<sizeof(T) == 1, int32_t, int64_t>;

template <typename T>
using F32Run = std::function<void(const float* x, const float* w, const float* b, float* y)>;
template <typename T>
using IntRun = std::function<void(const RequantParams& rq, int32_t in_zp, const T* x,
                                  const int8_t* w, const Bias<T>* b, T* y)>;

struct LayerSizes {
  size_t x = 0, w = 0, y = 0;
  uint32_t cout = 1;
};

// Quantizes random x, w, bias; runs the float kernel on their dequantized
// values and the integer kernel on the integers; checks the integer output
// within tol LSB of the float output quantized. Returns the worst error.
template <typename T>
int check_layer(std::mt19937& rng, const LayerSizes& n, bool relu, const F32Run<T>& f32,
                const IntRun<T>& run, int tol) {
  constexpr bool k8 = sizeof(T) == 1;
  std::uniform_real_distribution<double> range(0.2, 3.0);
  const std::vector<float> x = random_floats(rng, n.x, -float(range(rng)), float(range(rng)));
  const auto [x_lo, x_hi] = min_max(x);
  const AffineQ ax = k8 ? choose_s8(x_lo, x_hi) : choose_s16(max_abs(x));
  const std::vector<T> xq = quantize<T>(x, ax);
  const std::vector<float> xd = dequantize(xq, ax);

  const ChannelWeights cw = quantize_weights(random_floats(rng, n.w), n.cout);
  const std::vector<float> b = random_floats(rng, n.cout, -0.5f, 0.5f);
  std::vector<Bias<T>> bq(n.cout);
  std::vector<float> bd(n.cout);
  for (uint32_t c = 0; c < n.cout; ++c) {
    bq[c] = k8 ? Bias<T>(quant::quantize_bias_s32(b[c], ax.scale, cw.scale[c]))
               : Bias<T>(quant::quantize_bias_s64(b[c], ax.scale, cw.scale[c]));
    bd[c] = float(double(bq[c]) * ax.scale * cw.scale[c]);
  }

  std::vector<float> y(n.y);
  f32(xd.data(), cw.dequantized.data(), bd.data(), y.data());
  if (relu)
    for (float& v : y) v = std::max(v, 0.0f);
  const auto [y_lo, y_hi] = min_max(y);
  const AffineQ ay = k8 ? choose_s8(y_lo, y_hi) : choose_s16(max_abs(y));

  const Multipliers ms = multipliers(quant::channel_multipliers(ax.scale, cw.scale, ay.scale));
  RequantParams rq;
  rq.multiplier = ms.multiplier.data();
  rq.shift = ms.shift.data();
  rq.count = n.cout;
  rq.out_zp = ay.zp;
  rq.act_min = relu ? ay.zp : std::numeric_limits<T>::min();
  rq.act_max = std::numeric_limits<T>::max();
  std::vector<T> yq(n.y, T(99));
  run(rq, ax.zp, xq.data(), cw.q.data(), bq.data(), yq.data());
  return max_lsb_error(yq, y, ay, tol, rq.act_min, rq.act_max);
}

ConvShape random_conv(std::mt19937& rng, bool depthwise) {
  const uint32_t groups = depthwise ? random_u32(rng, 2, 4) : random_u32(rng, 1, 3);
  const uint32_t cin_g = depthwise ? 1 : random_u32(rng, 1, 4);
  const uint32_t cout_g = random_u32(rng, 1, 4);
  ConvShape c;
  c.batch = random_u32(rng, 1, 2);
  c.in_h = random_u32(rng, 1, 7);
  c.in_w = random_u32(rng, 1, 7);
  c.in_c = groups * cin_g;
  c.out_c = groups * cout_g;
  c.p =
      conv_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)), int32_t(groups));
  for (int a = 0; a < 2; ++a) {
    c.p.stride[a] = int32_t(random_u32(rng, 1, 3));
    c.p.pad_begin[a] = int32_t(random_u32(rng, 0, 2));
    c.p.pad_end[a] = int32_t(random_u32(rng, 0, 2));
    c.p.dilation[a] = int32_t(random_u32(rng, 1, 2));
  }
  return c;
}

// conv's output size; 0 when the window does not fit.
bool set_conv_out(ConvShape& c) {
  c.out_h = conv_out_size(c.in_h, c.p.kernel[0], c.p.stride[0], c.p.pad_begin[0], c.p.pad_end[0],
                          c.p.dilation[0]);
  c.out_w = conv_out_size(c.in_w, c.p.kernel[1], c.p.stride[1], c.p.pad_begin[1], c.p.pad_end[1],
                          c.p.dilation[1]);
  return c.out_h > 0 && c.out_w > 0;
}

// ConvTranspose output size: (in - 1) * stride + dilation * (k - 1) + 1 +
// output_padding - pads.
void set_conv_transpose_out(ConvShape& c) {
  uint32_t* outs[2] = {&c.out_h, &c.out_w};
  const uint32_t ins[2] = {c.in_h, c.in_w};
  for (int a = 0; a < 2; ++a) {
    const int32_t full = int32_t(ins[a] - 1) * c.p.stride[a] +
                         c.p.dilation[a] * (c.p.kernel[a] - 1) + 1 + c.p.output_padding[a];
    *outs[a] = uint32_t(std::max(1, full - c.p.pad_begin[a] - c.p.pad_end[a]));
  }
}

LayerSizes conv_sizes(const ConvShape& c) {
  LayerSizes n;
  n.x = size_t(c.batch) * c.in_h * c.in_w * c.in_c;
  n.w = size_t(c.p.kernel[0]) * size_t(c.p.kernel[1]) * (c.in_c / uint32_t(c.p.groups)) * c.out_c;
  n.y = size_t(c.batch) * c.out_h * c.out_w * c.out_c;
  n.cout = c.out_c;
  return n;
}

const ActivationSpec kNoAct{};

TEST_CASE("int8 dense: hand-checked accumulate and requantize") {
  // a = [zp + 2, zp - 1] (real 2s, -1s), b = [3, 5], bias 4: acc = 4 + 6 - 5 = 5;
  // multiplier 0.5 gives round(2.5) = 3, plus out_zp 10 -> 13. A second
  // output channel with multiplier 0.25 and bias -20: acc = -20 + 2*1 - 1*(-2) = -16
  // -> -4 + 10 = 6, clamped to act_min 8.
  DenseShape s;
  s.m = 1;
  s.k = 2;
  s.n = 2;
  s.bias_stride_n = 1;
  const int8_t a[2] = {int8_t(-5 + 2), int8_t(-5 - 1)};
  const int8_t b[4] = {3, 1, 5, -2};  // [K, N]
  const int32_t bias[2] = {4, -20};
  const int32_t mult[2] = {1 << 30, 1 << 30};
  const int32_t shift[2] = {0, -1};
  LayerQuant q;
  q.in_zp = -5;
  q.out = RequantParams{mult, shift, 2, 10, 8, 127};
  int8_t y[2] = {0, 0};
  dense_s8(s, q, a, b, bias, y);
  CHECK(int(y[0]) == 13);
  CHECK(int(y[1]) == 8);
}

TEST_CASE("int8 dense: within 1 LSB of the float reference on random shapes") {
  std::mt19937 rng(11);
  int worst = 0;
  for (int iter = 0; iter < 200; ++iter) {
    DenseShape s;
    s.m = random_u32(rng, 1, 4);
    s.k = random_u32(rng, 1, 64);
    s.n = random_u32(rng, 1, 12);
    s.bias_stride_n = 1;
    const bool relu = iter % 3 == 0;
    worst = std::max(worst,
                     check_layer<int8_t>(
                         rng, {size_t(s.m) * s.k, size_t(s.k) * s.n, size_t(s.m) * s.n, s.n}, relu,
                         [&](const float* x, const float* w, const float* b, float* y) {
                           dense_f32(s, x, w, b, kNoAct, y);
                         },
                         [&](const RequantParams& rq, int32_t zp, const int8_t* x, const int8_t* w,
                             const int32_t* b, int8_t* y) {
                           dense_s8(s, LayerQuant{zp, rq}, x, w, b, y);
                         },
                         1));
  }
  MESSAGE("int8 dense worst error: " << worst << " LSB");
}

TEST_CASE("int16 dense: within 2 LSB of the float reference on random shapes") {
  std::mt19937 rng(12);
  for (int iter = 0; iter < 200; ++iter) {
    DenseShape s;
    s.m = random_u32(rng, 1, 4);
    s.k = random_u32(rng, 1, 64);
    s.n = random_u32(rng, 1, 12);
    s.bias_stride_n = 1;
    check_layer<int16_t>(
        rng, {size_t(s.m) * s.k, size_t(s.k) * s.n, size_t(s.m) * s.n, s.n}, iter % 3 == 0,
        [&](const float* x, const float* w, const float* b, float* y) {
          dense_f32(s, x, w, b, kNoAct, y);
        },
        [&](const RequantParams& rq, int32_t, const int16_t* x, const int8_t* w, const int64_t* b,
            int16_t* y) { dense_s16(s, rq, x, w, b, y); },
        2);
  }
}

TEST_CASE("int8 conv: within 1 LSB of the float reference on random shapes") {
  std::mt19937 rng(13);
  int checked = 0;
  for (int iter = 0; iter < 300; ++iter) {
    ConvShape c = random_conv(rng, iter % 4 == 0);
    if (!set_conv_out(c)) continue;
    ++checked;
    check_layer<int8_t>(
        rng, conv_sizes(c), iter % 3 == 0,
        [&](const float* x, const float* w, const float* b, float* y) {
          conv_f32(c, x, w, b, kNoAct, y);
        },
        [&](const RequantParams& rq, int32_t zp, const int8_t* x, const int8_t* w, const int32_t* b,
            int8_t* y) {
          conv_s8(c, LayerQuant{zp, rq}, x, w, b, y);
        },
        1);
  }
  CHECK(checked > 100);
}

TEST_CASE("int16 conv: within 2 LSB of the float reference on random shapes") {
  std::mt19937 rng(14);
  for (int iter = 0; iter < 300; ++iter) {
    ConvShape c = random_conv(rng, iter % 4 == 0);
    if (!set_conv_out(c)) continue;
    check_layer<int16_t>(
        rng, conv_sizes(c), iter % 3 == 0,
        [&](const float* x, const float* w, const float* b, float* y) {
          conv_f32(c, x, w, b, kNoAct, y);
        },
        [&](const RequantParams& rq, int32_t, const int16_t* x, const int8_t* w, const int64_t* b,
            int16_t* y) { conv_s16(c, rq, x, w, b, y); },
        2);
  }
}

ConvShape random_conv_transpose(std::mt19937& rng, bool depthwise) {
  ConvShape c = random_conv(rng, depthwise);
  for (int a = 0; a < 2; ++a) {
    c.p.output_padding[a] = int32_t(random_u32(rng, 0, uint32_t(c.p.stride[a] - 1)));
  }
  set_conv_transpose_out(c);
  return c;
}

TEST_CASE("int8 conv_transpose: within 1 LSB of the float reference on random shapes") {
  std::mt19937 rng(15);
  for (int iter = 0; iter < 300; ++iter) {
    const ConvShape c = random_conv_transpose(rng, iter % 4 == 0);
    check_layer<int8_t>(
        rng, conv_sizes(c), iter % 3 == 0,
        [&](const float* x, const float* w, const float* b, float* y) {
          conv_transpose_f32(c, x, w, b, kNoAct, y);
        },
        [&](const RequantParams& rq, int32_t zp, const int8_t* x, const int8_t* w, const int32_t* b,
            int8_t* y) {
          conv_transpose_s8(c, LayerQuant{zp, rq}, x, w, b, y);
        },
        1);
  }
}

TEST_CASE("int16 conv_transpose: within 2 LSB of the float reference on random shapes") {
  std::mt19937 rng(16);
  for (int iter = 0; iter < 300; ++iter) {
    const ConvShape c = random_conv_transpose(rng, iter % 4 == 0);
    check_layer<int16_t>(
        rng, conv_sizes(c), iter % 3 == 0,
        [&](const float* x, const float* w, const float* b, float* y) {
          conv_transpose_f32(c, x, w, b, kNoAct, y);
        },
        [&](const RequantParams& rq, int32_t, const int16_t* x, const int8_t* w, const int64_t* b,
            int16_t* y) { conv_transpose_s16(c, rq, x, w, b, y); },
        2);
  }
}

// The identity requantization (2^30, shift 1 = exactly 1.0) over the whole
// int16 range: the outputs are the raw accumulators.
const int32_t kOneMultiplier = 1 << 30;
const int32_t kOneShift = 1;
RequantParams identity_s16() {
  return RequantParams{&kOneMultiplier, &kOneShift, 1, 0, INT16_MIN, INT16_MAX};
}

std::vector<int8_t> small_ints8(std::mt19937& rng, size_t n) {
  std::vector<int8_t> v(n);
  for (int8_t& x : v) x = int8_t(int(random_u32(rng, 0, 6)) - 3);
  return v;
}
std::vector<int16_t> small_ints16(std::mt19937& rng, size_t n) {
  std::vector<int16_t> v(n);
  for (int16_t& x : v) x = int16_t(int(random_u32(rng, 0, 6)) - 3);
  return v;
}

TEST_CASE("int16 conv_transpose: is exactly the adjoint of int16 conv") {
  // With unit requantization and small integers nothing rounds or clamps, so
  // <conv(x), y> == <x, convT(y)> holds exactly in integers (same weight
  // relation as the float adjoint test: each group's block transposed in its
  // two channel axes, taps not flipped; in kernel layout [taps, Cin/g, Cout]).
  std::mt19937 rng(17);
  int checked = 0;
  for (int iter = 0; iter < 200; ++iter) {
    ConvShape c = random_conv(rng, iter % 3 == 0);
    if (!set_conv_out(c)) continue;
    const uint32_t groups = uint32_t(c.p.groups);
    const uint32_t cin_g = c.in_c / groups, cout_g = c.out_c / groups;
    const uint32_t taps = uint32_t(c.p.kernel[0] * c.p.kernel[1]);
    ConvShape t = c;
    t.in_h = c.out_h;
    t.in_w = c.out_w;
    t.in_c = c.out_c;
    t.out_h = c.in_h;
    t.out_w = c.in_w;
    t.out_c = c.in_c;
    const std::vector<int8_t> wc = small_ints8(rng, size_t(taps) * cin_g * c.out_c);
    // wc[(tap * cin_g + ic) * Cout + g*cout_g + j] -> wt[(tap * cout_g + j) * Cin + g*cin_g + ic]
    std::vector<int8_t> wt(wc.size());
    for (uint32_t tap = 0; tap < taps; ++tap)
      for (uint32_t g = 0; g < groups; ++g)
        for (uint32_t ic = 0; ic < cin_g; ++ic)
          for (uint32_t j = 0; j < cout_g; ++j)
            wt[(size_t(tap) * cout_g + j) * c.in_c + g * cin_g + ic] =
                wc[(size_t(tap) * cin_g + ic) * c.out_c + g * cout_g + j];
    const std::vector<int16_t> x = small_ints16(rng, size_t(c.batch) * c.in_h * c.in_w * c.in_c);
    const std::vector<int16_t> y = small_ints16(rng, size_t(c.batch) * c.out_h * c.out_w * c.out_c);
    std::vector<int16_t> cx(y.size()), ty(x.size());
    const RequantParams one = identity_s16();
    conv_s16(c, one, x.data(), wc.data(), nullptr, cx.data());
    conv_transpose_s16(t, one, y.data(), wt.data(), nullptr, ty.data());
    int64_t lhs = 0, rhs = 0;
    for (size_t i = 0; i < y.size(); ++i) lhs += int64_t{cx[i]} * y[i];
    for (size_t i = 0; i < x.size(); ++i) rhs += int64_t{x[i]} * ty[i];
    CHECK(lhs == rhs);
    ++checked;
  }
  CHECK(checked > 50);
}

TEST_CASE("int8 conv_transpose: grouped equals the per-group transposes, bit for bit") {
  std::mt19937 rng(18);
  for (int iter = 0; iter < 100; ++iter) {
    ConvShape c = random_conv_transpose(rng, iter % 3 == 0);
    const uint32_t groups = uint32_t(c.p.groups);
    const uint32_t cin_g = c.in_c / groups, cout_g = c.out_c / groups;
    const uint32_t taps = uint32_t(c.p.kernel[0] * c.p.kernel[1]);
    const size_t pixels_in = size_t(c.batch) * c.in_h * c.in_w;
    const size_t pixels_out = size_t(c.batch) * c.out_h * c.out_w;
    std::vector<int8_t> x(pixels_in * c.in_c), w(size_t(taps) * cin_g * c.out_c);
    for (int8_t& v : x) v = int8_t(int(random_u32(rng, 0, 255)) - 128);
    for (int8_t& v : w) v = int8_t(int(random_u32(rng, 0, 254)) - 127);
    std::vector<int32_t> bias(c.out_c), mult(c.out_c), shift(c.out_c);
    for (uint32_t o = 0; o < c.out_c; ++o) {
      bias[o] = int32_t(random_u32(rng, 0, 20000)) - 10000;
      mult[o] = int32_t(random_u32(rng, 1u << 30, 0x7FFFFFFFu));
      shift[o] = -int32_t(random_u32(rng, 6, 12));
    }
    const int32_t in_zp = int32_t(random_u32(rng, 0, 40)) - 20;
    LayerQuant q{in_zp, RequantParams{mult.data(), shift.data(), c.out_c, 3, -128, 127}};
    std::vector<int8_t> y(pixels_out * c.out_c);
    conv_transpose_s8(c, q, x.data(), w.data(), bias.data(), y.data());

    for (uint32_t g = 0; g < groups; ++g) {
      ConvShape s = c;
      s.in_c = cin_g;
      s.out_c = cout_g;
      s.p.groups = 1;
      std::vector<int8_t> xs(pixels_in * cin_g), ws(size_t(taps) * cin_g * cout_g);
      for (size_t p = 0; p < pixels_in; ++p)
        for (uint32_t i = 0; i < cin_g; ++i) xs[p * cin_g + i] = x[p * c.in_c + g * cin_g + i];
      for (size_t r = 0; r < size_t(taps) * cin_g; ++r)
        for (uint32_t j = 0; j < cout_g; ++j) ws[r * cout_g + j] = w[r * c.out_c + g * cout_g + j];
      LayerQuant qs = q;
      qs.out.multiplier = mult.data() + g * cout_g;
      qs.out.shift = shift.data() + g * cout_g;
      qs.out.count = cout_g;
      std::vector<int8_t> ys(pixels_out * cout_g);
      conv_transpose_s8(s, qs, xs.data(), ws.data(), bias.data() + g * cout_g, ys.data());
      bool same = true;
      for (size_t p = 0; p < pixels_out; ++p)
        for (uint32_t j = 0; j < cout_g; ++j)
          same = same && ys[p * cout_g + j] == y[p * c.out_c + g * cout_g + j];
      CHECK(same);
    }
  }
}

TEST_CASE("int8 conv_transpose: 1-D stride 2 with output_padding by hand") {
  // As the float case: x = [1, 2], w = [1, 2, 3], stride 2, output_padding 1
  // -> [1, 2, 5, 4, 6, 0] + bias 1, identity-ish multiplier 1.0, in_zp 4, out_zp -2.
  ConvShape s;
  s.in_w = 2;
  s.out_w = 6;
  s.p = conv_params(1, 3);
  s.p.stride[1] = 2;
  s.p.output_padding[1] = 1;
  const int8_t x[2] = {5, 6};  // real 1, 2 with zp 4
  const int8_t w[3] = {1, 2, 3};
  const int32_t bias = 1;
  LayerQuant q{4, RequantParams{&kOneMultiplier, &kOneShift, 1, -2, -128, 127}};
  int8_t y[6] = {};
  conv_transpose_s8(s, q, x, w, &bias, y);
  const int want[6] = {1 + 1 - 2, 2 + 1 - 2, 5 + 1 - 2, 4 + 1 - 2, 6 + 1 - 2, 0 + 1 - 2};
  for (int i = 0; i < 6; ++i) CHECK(int(y[i]) == want[i]);
}

}  // namespace
}  // namespace edgeae::ref::inttest
