// Integer pools, Add/Sub/Mul, Concat, PRelu and the lookup tables against
// the float reference on dequantized inputs, plus hand-checked roundings.
#include "int_test_util.hpp"

namespace edgeae::ref::inttest {
namespace {

using test::make_shape;
using test::pool_params;

const ActivationSpec kNoAct{};

template <typename T>
AffineQ choose(const std::vector<float>& v) {
  if constexpr (sizeof(T) == 1) {
    const auto [lo, hi] = min_max(v);
    return choose_s8(lo, hi);
  } else {
    return choose_s16(max_abs(v));
  }
}

PoolShape random_pool(std::mt19937& rng) {
  PoolShape s;
  s.batch = random_u32(rng, 1, 2);
  s.in_h = random_u32(rng, 1, 7);
  s.in_w = random_u32(rng, 1, 7);
  s.channels = random_u32(rng, 1, 4);
  s.p = pool_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)));
  const uint32_t ins[2] = {s.in_h, s.in_w};
  uint32_t* outs[2] = {&s.out_h, &s.out_w};
  for (int a = 0; a < 2; ++a) {
    s.p.stride[a] = int32_t(random_u32(rng, 1, 2));
    s.p.pad_begin[a] = int32_t(random_u32(rng, 0, uint32_t(s.p.kernel[a] - 1)));
    s.p.pad_end[a] = int32_t(random_u32(rng, 0, uint32_t(s.p.kernel[a] - 1)));
    const int32_t room = int32_t(ins[a]) + s.p.pad_begin[a] + s.p.pad_end[a] - s.p.kernel[a];
    *outs[a] = room < 0 ? 1u : uint32_t(room / s.p.stride[a] + 1);
  }
  s.p.count_include_pad = int32_t(random_u32(rng, 0, 1));
  return s;
}

template <typename T>
void check_pools(uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const PoolShape s = random_pool(rng);
    const std::vector<float> x =
        random_floats(rng, size_t(s.batch) * s.in_h * s.in_w * s.channels, -1.5f, 2.0f);
    const AffineQ a = choose<T>(x);
    const std::vector<T> xq = quantize<T>(x, a);
    const std::vector<float> xd = dequantize(xq, a);
    const size_t out_n = size_t(s.batch) * s.out_h * s.out_w * s.channels;
    std::vector<float> yf(out_n);
    std::vector<T> yq(out_n);
    const PoolQuant q{a.zp, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()};
    max_pool_f32(s, xd.data(), kNoAct, yf.data());
    if constexpr (sizeof(T) == 1) {
      max_pool_s8(s, q, xq.data(), yq.data());
    } else {
      max_pool_s16(s, q, xq.data(), yq.data());
    }
    max_lsb_error(yq, yf, a, 0);  // the max is exact
    average_pool_f32(s, xd.data(), kNoAct, yf.data());
    if constexpr (sizeof(T) == 1) {
      average_pool_s8(s, q, xq.data(), yq.data());
    } else {
      average_pool_s16(s, q, xq.data(), yq.data());
    }
    max_lsb_error(yq, yf, a, 1);
    const uint32_t spatial = s.in_h * s.in_w;
    std::vector<float> gf(size_t(s.batch) * s.channels);
    std::vector<T> gq(gf.size());
    global_average_pool_f32(s.batch, spatial, s.channels, xd.data(), kNoAct, gf.data());
    if constexpr (sizeof(T) == 1) {
      global_average_pool_s8(s.batch, spatial, s.channels, q, xq.data(), gq.data());
    } else {
      global_average_pool_s16(s.batch, spatial, s.channels, q, xq.data(), gq.data());
    }
    max_lsb_error(gq, gf, a, 1);
  }
}

TEST_CASE("int8 pools: max exact, averages within 1 LSB of the float reference") {
  check_pools<int8_t>(21);
}

TEST_CASE("int16 pools: max exact, averages within 1 LSB of the float reference") {
  check_pools<int16_t>(22);
}

TEST_CASE("int8 average_pool: rounds half away from zero around the zero point, by hand") {
  // One 2x2 window per channel, zp = 10; centered values:
  // c0: 1, 2, 2, 2 -> 7/4 = 1.75 -> 2;   c1: 1, 1, 0, 0 -> 0.5 -> 1;
  // c2: -1, -1, 0, 0 -> -0.5 -> -1;      c3: -1, -2, -2, -1 -> -1.5 -> -2.
  PoolShape s;
  s.in_h = s.in_w = 2;
  s.channels = 4;
  s.p = pool_params(2, 2);
  const int c[4][4] = {{1, 2, 2, 2}, {1, 1, 0, 0}, {-1, -1, 0, 0}, {-1, -2, -2, -1}};
  std::vector<int8_t> x(16);
  for (int p = 0; p < 4; ++p)
    for (int ch = 0; ch < 4; ++ch) x[size_t(p * 4 + ch)] = int8_t(10 + c[ch][p]);
  int8_t y[4] = {};
  average_pool_s8(s, PoolQuant{10, -128, 127}, x.data(), y);
  CHECK(int(y[0]) == 12);
  CHECK(int(y[1]) == 11);
  CHECK(int(y[2]) == 9);
  CHECK(int(y[3]) == 8);
  // count_include_pad: a 2x2 window at the corner with pads 1: one real tap
  // (centered 3) over 4 -> 0.75 -> 1; padding counts as real zero, i.e. zp.
  PoolShape p;
  p.in_h = p.in_w = 1;
  p.out_h = p.out_w = 1;
  p.p = pool_params(2, 2);
  p.p.pad_begin[0] = p.p.pad_begin[1] = 1;
  p.p.count_include_pad = 1;
  const int8_t one = int8_t(10 + 3);
  int8_t out = 0;
  average_pool_s8(p, PoolQuant{10, -128, 127}, &one, &out);
  CHECK(int(out) == 11);
  p.p.count_include_pad = 0;
  average_pool_s8(p, PoolQuant{10, -128, 127}, &one, &out);
  CHECK(int(out) == 13);
  // Global average: -3, -2, -2, -2 centered: -9/4 = -2.25 -> -2; act clamp to 9.
  const int8_t g[4] = {7, 8, 8, 8};
  global_average_pool_s8(1, 4, 1, PoolQuant{10, -128, 127}, g, &out);
  CHECK(int(out) == 8);
  global_average_pool_s8(1, 4, 1, PoolQuant{10, 9, 127}, g, &out);
  CHECK(int(out) == 9);
}

struct BinaryCase {
  BinaryShapes s;
  std::vector<float> a, b;
};

BinaryCase random_binary(std::mt19937& rng) {
  BinaryCase c;
  const uint32_t rank = random_u32(rng, 1, 3);
  c.s.out.rank = c.s.a.rank = rank;
  for (uint32_t i = 0; i < rank; ++i) c.s.out.dims[i] = c.s.a.dims[i] = random_u32(rng, 1, 5);
  // b: lower rank or broadcast axes.
  c.s.b.rank = random_u32(rng, 0, rank);
  for (uint32_t i = 0; i < c.s.b.rank; ++i) {
    const uint32_t d = c.s.out.dims[rank - c.s.b.rank + i];
    c.s.b.dims[i] = random_u32(rng, 0, 2) == 0 ? 1 : d;
  }
  std::uniform_real_distribution<float> r(0.2f, 4.0f);
  c.a = random_floats(rng, test::element_count(c.s.a), -r(rng), r(rng));
  c.b = random_floats(rng, test::element_count(c.s.b), -r(rng), r(rng));
  return c;
}

template <typename T>
void check_add_mul(uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; ++iter) {
    const BinaryCase c = random_binary(rng);
    const AffineQ qa = choose<T>(c.a), qb = choose<T>(c.b);
    const std::vector<T> aq = quantize<T>(c.a, qa), bq = quantize<T>(c.b, qb);
    const std::vector<float> ad = dequantize(aq, qa), bd = dequantize(bq, qb);
    const size_t n = test::element_count(c.s.out);
    std::vector<float> yf(n);
    std::vector<T> yq(n);
    const BinaryOp op = iter % 2 == 0 ? BinaryOp::kAdd : BinaryOp::kSub;
    binary_f32(op, c.s.a, ad.data(), c.s.b, bd.data(), c.s.out, kNoAct, yf.data());
    const bool relu = iter % 3 == 0;
    if (relu)
      for (float& v : yf) v = std::max(v, 0.0f);
    const AffineQ qy = choose<T>(yf);
    const auto m = quant::add_multipliers(qa.scale, qb.scale, qy.scale, sizeof(T) == 1 ? 20 : 15);
    AddQuant aqp = add_quant(m);
    aqp.a_zp = qa.zp;
    aqp.b_zp = qb.zp;
    aqp.out_zp = qy.zp;
    aqp.act_min = relu ? qy.zp : std::numeric_limits<T>::min();
    aqp.act_max = std::numeric_limits<T>::max();
    if constexpr (sizeof(T) == 1) {
      add_s8(op, c.s, aqp, aq.data(), bq.data(), yq.data());
    } else {
      add_s16(op, c.s, aqp, aq.data(), bq.data(), yq.data());
    }
    max_lsb_error(yq, yf, qy, 1, aqp.act_min, aqp.act_max);

    binary_f32(BinaryOp::kMul, c.s.a, ad.data(), c.s.b, bd.data(), c.s.out, kNoAct, yf.data());
    const AffineQ qm = choose<T>(yf);
    const auto mm = quant::quantize_multiplier(qa.scale * qb.scale / qm.scale);
    const MulQuant mq{qa.zp,
                      qb.zp,
                      mm.multiplier,
                      mm.shift,
                      qm.zp,
                      std::numeric_limits<T>::min(),
                      std::numeric_limits<T>::max()};
    if constexpr (sizeof(T) == 1) {
      mul_s8(c.s, mq, aq.data(), bq.data(), yq.data());
    } else {
      mul_s16(c.s, mq, aq.data(), bq.data(), yq.data());
    }
    max_lsb_error(yq, yf, qm, 1);
  }
}

TEST_CASE("int8 add/sub/mul: different input scales within 1 LSB of float, broadcasting") {
  check_add_mul<int8_t>(23);
}

TEST_CASE("int16 add/sub/mul: different input scales within 1 LSB of float, broadcasting") {
  check_add_mul<int16_t>(24);
}

TEST_CASE("int8 add: hand-checked TFLite arithmetic") {
  // a: scale 0.5 zp 0, b: scale 0.25 zp 0, out: scale 0.5 zp 1.
  // twice_max = 1: a multiplier 0.5, b 0.25, out 1 / 2^20 * 2 = 2^-19.
  // a = 3 (1.5), b = 2 (0.5): shifted 3 * 2^20 -> 1.5 * 2^20, 2 * 2^20 -> 0.5 * 2^20;
  // sum 2^21 -> * 2^-19 = 4 (real 2.0 / 0.5), + zp 1 = 5.
  const auto m = quant::add_multipliers(0.5, 0.25, 0.5, 20);
  AddQuant q = add_quant(m);
  q.out_zp = 1;
  BinaryShapes s;
  s.a = s.b = s.out = make_shape({1});
  const int8_t a = 3, b = 2;
  int8_t y = 0;
  add_s8(BinaryOp::kAdd, s, q, &a, &b, &y);
  CHECK(int(y) == 5);
  add_s8(BinaryOp::kSub, s, q, &a, &b, &y);  // 1.0 / 0.5 = 2, + 1
  CHECK(int(y) == 3);
}

template <typename T>
void check_concat(uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 100; ++iter) {
    const uint32_t count = random_u32(rng, 1, 3);
    const uint32_t rank = random_u32(rng, 1, 3);
    const uint32_t axis = random_u32(rng, 0, rank - 1);
    Shape base;
    base.rank = rank;
    for (uint32_t i = 0; i < rank; ++i) base.dims[i] = random_u32(rng, 1, 4);
    std::vector<Shape> shapes(count, base);
    std::vector<std::vector<float>> xs(count);
    std::vector<AffineQ> qs(count);
    std::vector<std::vector<T>> xq(count);
    std::vector<const T*> ptrs(count);
    std::vector<const void*> dptrs(count);
    std::vector<std::vector<float>> xd(count);
    std::vector<float> all;
    for (uint32_t t = 0; t < count; ++t) {
      shapes[t].dims[axis] = random_u32(rng, 1, 3);
      xs[t] = random_floats(rng, test::element_count(shapes[t]), -float(t + 1), float(t + 2));
      qs[t] = choose<T>(xs[t]);
      xq[t] = quantize<T>(xs[t], qs[t]);
      xd[t] = dequantize(xq[t], qs[t]);
      ptrs[t] = xq[t].data();
      dptrs[t] = xd[t].data();
      all.insert(all.end(), xd[t].begin(), xd[t].end());
    }
    // The output takes the first input's parameters or its own.
    const AffineQ qy = iter % 2 == 0 ? qs[0] : choose<T>(all);
    std::vector<ConcatInputQuant> iq(count);
    for (uint32_t t = 0; t < count; ++t) {
      const bool same = qs[t].scale == qy.scale && qs[t].zp == qy.zp;
      const auto m = quant::quantize_multiplier(qs[t].scale / qy.scale);
      iq[t] = ConcatInputQuant{qs[t].zp, m.multiplier, int32_t(m.shift), uint8_t(same ? 1 : 0)};
    }
    std::vector<float> yf(all.size());
    std::vector<T> yq(all.size());
    concat(sizeof(float), count, shapes.data(), dptrs.data(), axis, yf.data());
    if constexpr (sizeof(T) == 1) {
      concat_s8(count, shapes.data(), ptrs.data(), ConcatQuant{iq.data(), qy.zp}, axis, yq.data());
    } else {
      concat_s16(count, shapes.data(), ptrs.data(), ConcatQuant{iq.data(), qy.zp}, axis, yq.data());
    }
    max_lsb_error(yq, yf, qy, 1);
  }
}

TEST_CASE("int8 concat: requantizes inputs with other parameters, copies the rest") {
  check_concat<int8_t>(25);
}

TEST_CASE("int16 concat: requantizes inputs with other parameters, copies the rest") {
  check_concat<int16_t>(26);
}

TEST_CASE("int8 lut: sigmoid and tanh tables index by x + 128, within 1 LSB of float") {
  const AffineQ in{8.0 / 255.0, -3};
  const AffineQ out{1.0 / 256.0, -128};
  const auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  const std::vector<int8_t> table = quant::make_lut_s8(sig, in.scale, in.zp, out.scale, out.zp);
  REQUIRE(table.size() == 256);
  std::vector<int8_t> x(256);
  std::vector<float> want(256);
  for (int i = 0; i < 256; ++i) {
    x[size_t(i)] = int8_t(i - 128);
    want[size_t(i)] = float(sig(in.scale * (i - 128 - in.zp)));
  }
  std::vector<int8_t> y(256);
  lut_s8(table.data(), 256, x.data(), y.data());
  CHECK(int(y[0]) == int(table[0]));
  CHECK(int(y[255]) == int(table[255]));
  max_lsb_error(y, want, out, 1);
  // The input's zero point is sigmoid(0) = 0.5 -> 128 - 128 = 0.
  const int8_t zp = int8_t(in.zp);
  int8_t half = 0;
  lut_s8(table.data(), 1, &zp, &half);
  CHECK(int(half) == 0);
}

TEST_CASE("int16 lut: 513-entry interpolated tanh and sigmoid within 2 LSB of float") {
  // Inputs in [-4, 4): segments of 1/64, linear-interpolation error
  // h^2 / 8 * max |f''| <= 0.8 LSB for tanh.
  const double in_scale = 4.0 / 32768.0, out_scale = 1.0 / 32768.0;
  for (int f = 0; f < 2; ++f) {
    const auto fn = [f](double v) { return f == 0 ? std::tanh(v) : 1.0 / (1.0 + std::exp(-v)); };
    const std::vector<int16_t> table = quant::make_lut_s16(fn, in_scale, out_scale);
    REQUIRE(table.size() == 513);
    std::vector<int16_t> x(65536);
    std::vector<float> want(65536);
    for (int i = 0; i < 65536; ++i) {
      x[size_t(i)] = int16_t(i - 32768);
      want[size_t(i)] = float(fn(in_scale * (i - 32768)));
    }
    std::vector<int16_t> y(65536);
    lut_s16(table.data(), 65536, x.data(), y.data());
    // On a sample point the table value comes back exactly.
    for (int j = 0; j < 512; ++j) CHECK(y[size_t(j * 128)] == table[size_t(j)]);
    const int worst = max_lsb_error(y, want, AffineQ{out_scale, 0}, 2);
    MESSAGE("int16 lut worst error: " << worst << " LSB");
  }
  // Interpolation by hand: table[256] = 100, table[257] = 200: x = 64 -> 150,
  // x = 1 -> 100 + (100 + 64) >> 7 = 101; falling segment rounds half up.
  std::vector<int16_t> t(513, 0);
  t[256] = 100;
  t[257] = 200;
  t[258] = 199;
  const int16_t xs[4] = {0, 64, 1, 192};
  int16_t ys[4] = {};
  lut_s16(t.data(), 4, xs, ys);
  CHECK(ys[0] == 100);
  CHECK(ys[1] == 150);
  CHECK(ys[2] == 101);
  CHECK(ys[3] == 200);  // 200 + (-1 * 64 + 64) >> 7 = 200: -0.5 rounds up
}

template <typename T>
void check_prelu(uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 100; ++iter) {
    const uint32_t channels = random_u32(rng, 1, 6);
    const uint32_t count = channels * random_u32(rng, 1, 20);
    const std::vector<float> x = random_floats(rng, count, -2.0f, 1.5f);
    std::vector<float> slope = random_floats(rng, channels, -0.5f, 0.9f);
    if (iter % 2 == 0) slope.resize(1);
    const AffineQ qx = choose<T>(x);
    const std::vector<T> xq = quantize<T>(x, qx);
    const std::vector<float> xd = dequantize(xq, qx);
    ActivationSpec act;
    act.kind = format::Activation::kPRelu;
    act.slope = slope.data();
    act.slope_count = uint32_t(slope.size());
    std::vector<float> yf(count);
    activation_f32(act, count, channels, xd.data(), yf.data());
    const AffineQ qy = choose<T>(yf);
    const auto pos = quant::quantize_multiplier(qx.scale / qy.scale);
    std::vector<int32_t> nm, ns;
    for (float s : slope) {
      const auto m = quant::quantize_multiplier(qx.scale * double(s) / qy.scale);
      nm.push_back(m.multiplier);
      ns.push_back(int32_t(m.shift));
    }
    PReluQuant q;
    q.in_zp = qx.zp;
    q.pos_multiplier = pos.multiplier;
    q.pos_shift = pos.shift;
    q.neg_multiplier = nm.data();
    q.neg_shift = ns.data();
    q.neg_count = uint32_t(slope.size());
    q.out_zp = qy.zp;
    q.act_min = std::numeric_limits<T>::min();
    q.act_max = std::numeric_limits<T>::max();
    std::vector<T> yq(count);
    if constexpr (sizeof(T) == 1) {
      prelu_s8(q, count, channels, xq.data(), yq.data());
    } else {
      prelu_s16(q, count, channels, xq.data(), yq.data());
    }
    max_lsb_error(yq, yf, qy, 1);
  }
}

TEST_CASE("int8 prelu: per-channel negative slopes within 1 LSB of float") {
  check_prelu<int8_t>(27);
}

TEST_CASE("int16 prelu: per-channel negative slopes within 1 LSB of float") {
  check_prelu<int16_t>(28);
}

}  // namespace
}  // namespace edgeae::ref::inttest
