// Session behaviour: arena and input checks, outputs equal to the reference
// kernels called by hand, thread safety of a shared model, views and the
// quantized boundary.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <thread>

#include "kernels/reference/reference.hpp"
#include "test_models.hpp"

namespace edgeae {
namespace {

TEST_CASE("session: arena too small, misaligned or missing is an error") {
  const blob::Blob b = testing::dense_autoencoder();
  Model m = testing::load_or_fail(b);
  std::vector<uint8_t> arena(m.arena_bytes() + 32);
  Session s;
  CHECK(s.init(m, arena.data(), m.arena_bytes() - 1).code == StatusCode::kArenaTooSmall);
  CHECK(s.init(m, arena.data() + 1, m.arena_bytes()).code == StatusCode::kMisaligned);
  CHECK(s.init(m, nullptr, m.arena_bytes()).code == StatusCode::kInvalidArgument);
  CHECK(s.run().code == StatusCode::kNotReady);  // a failed init leaves it unusable
  Model unloaded;
  CHECK(s.init(unloaded, arena.data(), arena.size()).code == StatusCode::kNotReady);
  CHECK(s.init(m, arena.data(), m.arena_bytes()).ok());
}

TEST_CASE("session: wrong input or output sizes and indices are errors") {
  const blob::Blob b = testing::dense_autoencoder();
  Model m = testing::load_or_fail(b);
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  REQUIRE(s.init(m, arena.data(), arena.size()).ok());
  std::vector<float> x(16, 0.5f), y(16);
  CHECK(s.set_input(0, x.data(), 15).code == StatusCode::kInvalidArgument);
  CHECK(s.set_input(0, x.data(), 17).code == StatusCode::kInvalidArgument);
  CHECK(s.set_input(1, x.data(), 16).code == StatusCode::kInvalidArgument);
  CHECK(s.set_input(0, nullptr, 16).code == StatusCode::kInvalidArgument);
  CHECK(s.set_input_raw(0, x.data(), 63).code == StatusCode::kInvalidArgument);
  CHECK(s.set_input_raw(0, x.data(), 64).ok());
  REQUIRE(s.run().ok());
  CHECK(s.get_output(0, y.data(), 15).code == StatusCode::kInvalidArgument);
  CHECK(s.get_output(1, y.data(), 16).code == StatusCode::kInvalidArgument);
  CHECK(s.output_data(1) == nullptr);
  CHECK(s.get_output(0, y.data(), 16).ok());
}

TEST_CASE("session: a dense autoencoder blob computes what its kernels compute") {
  blob::GraphBuilder g;
  const auto w1 = testing::random_values(8 * 16, 11), b1 = testing::random_values(8, 12);
  const auto w2 = testing::random_values(16 * 8, 13), b2 = testing::random_values(16, 14);
  const uint32_t x = g.input("x", {1, 16});
  const uint32_t h = g.dense(x, g.constant("w1", {8, 16}, w1), g.constant("b1", {8}, b1), true,
                             {format::Activation::kRelu});
  const uint32_t y = g.dense(h, g.constant("w2", {16, 8}, w2), g.constant("b2", {16}, b2), true,
                             {format::Activation::kSigmoid});
  g.output(y);
  const blob::Blob b = g.build();
  Model m = testing::load_or_fail(b);
  const auto input = testing::random_values(16, 15);
  const std::vector<float> got = testing::run_model(m, input);

  // The same two layers, written out by hand.
  std::vector<float> hidden(8), expected(16);
  for (int j = 0; j < 8; ++j) {
    float acc = b1[j];
    for (int k = 0; k < 16; ++k) acc += input[k] * w1[j * 16 + k];
    hidden[j] = acc > 0 ? acc : 0;
  }
  for (int j = 0; j < 16; ++j) {
    float acc = b2[j];
    for (int k = 0; k < 8; ++k) acc += hidden[k] * w2[j * 8 + k];
    expected[j] = 1.0f / (1.0f + std::exp(-acc));
  }
  for (int j = 0; j < 16; ++j) CHECK(got[j] == doctest::Approx(expected[j]).epsilon(1e-5));
}

TEST_CASE("session: a 1-D U-Net blob equals the reference kernels chained by hand") {
  const blob::Blob b = testing::unet_1d(21);
  Model m = testing::load_or_fail(b);
  const auto input = testing::random_values(32, 22);
  const std::vector<float> got = testing::run_model(m, input, reference_kernels());

  // Chain the same kernels directly, reading the weights back from the blob.
  auto weights = [&](uint32_t op, uint32_t k) {
    return reinterpret_cast<const float*>(m.constant_data(m.tensor(m.op(op).inputs[k])));
  };
  auto conv_shape = [&](uint32_t op, uint32_t in_w, uint32_t in_c, uint32_t out_w, uint32_t out_c) {
    ref::ConvShape s;
    s.in_w = in_w;
    s.in_c = in_c;
    s.out_w = out_w;
    s.out_c = out_c;
    std::memcpy(&s.p, m.op(op).params, sizeof s.p);
    return s;
  };
  ref::ActivationSpec none, relu, leaky;
  relu.kind = format::Activation::kRelu;
  leaky.kind = format::Activation::kLeakyRelu;
  leaky.alpha = 0.1f;
  std::vector<float> e1(16 * 4), e2(8 * 8), d1(16 * 4), s1(16 * 4), d0(32), y(32);
  ref::conv_f32(conv_shape(0, 32, 1, 16, 4), input.data(), weights(0, 1), nullptr, leaky,
                e1.data());
  ref::conv_f32(conv_shape(1, 16, 4, 8, 8), e1.data(), weights(1, 1), nullptr, relu, e2.data());
  ref::conv_transpose_f32(conv_shape(2, 8, 8, 16, 4), e2.data(), weights(2, 1), nullptr, relu,
                          d1.data());
  for (size_t i = 0; i < s1.size(); ++i) s1[i] = d1[i] + e1[i];
  ref::conv_transpose_f32(conv_shape(4, 16, 4, 32, 1), s1.data(), weights(4, 1), nullptr, none,
                          d0.data());
  for (size_t i = 0; i < y.size(); ++i) y[i] = input[i] - d0[i];
  REQUIRE(got.size() == y.size());
  for (size_t i = 0; i < y.size(); ++i) CHECK(got[i] == y[i]);
}

TEST_CASE("session: two sessions on one model in two threads give identical results") {
  const blob::Blob b = testing::unet_1d(31);
  Model m = testing::load_or_fail(b);
  const auto input = testing::random_values(32, 32);
  const std::vector<float> single = testing::run_model(m, input);
  std::vector<float> out_a, out_b;
  auto worker = [&](std::vector<float>* out) {
    for (int rep = 0; rep < 200; ++rep) *out = testing::run_model(m, input);
  };
  std::thread ta(worker, &out_a), tb(worker, &out_b);
  ta.join();
  tb.join();
  CHECK(out_a == single);
  CHECK(out_b == single);
}

TEST_CASE("session: views cost no arena bytes and no copy") {
  // Same graph with and without a Flatten before the Dense: the arena grows
  // by nothing for the view itself.
  blob::GraphBuilder g1, g2;
  const auto wv = testing::random_values(64 * 3, 3);
  {
    const uint32_t x = g1.input("x", {1, 64});
    const uint32_t r = g1.unary(format::OpType::kRelu, x);
    g1.output(g1.dense(r, g1.constant("w", {64, 3}, wv), format::kNoId, false));
  }
  {
    const uint32_t x = g2.input("x", {1, 4, 8, 2});
    const uint32_t r = g2.unary(format::OpType::kRelu, x);
    const uint32_t flat = g2.view(r, {1, 64}, "flatten");
    g2.output(g2.dense(flat, g2.constant("w", {64, 3}, wv), format::kNoId, false));
  }
  const blob::Blob b1 = g1.build(), b2 = g2.build();
  CHECK(b1.arena_bytes == b2.arena_bytes);
  Model m1 = testing::load_or_fail(b1), m2 = testing::load_or_fail(b2);
  const auto input = testing::random_values(64, 4);
  CHECK(testing::run_model(m1, input) == testing::run_model(m2, input));
  // The view shares its base's bytes in the arena.
  std::vector<uint8_t> arena(m2.arena_bytes());
  Session s;
  REQUIRE(s.init(m2, arena.data(), arena.size()).ok());
  const uint32_t flat_id = m2.op(1).inputs[0];
  CHECK(m2.tensor(flat_id).storage == static_cast<uint8_t>(format::Storage::kAlias));
  CHECK(s.tensor_data(flat_id) == s.tensor_data(m2.op(0).output));
}

TEST_CASE("session: int8 and int16 inputs are quantized at the boundary") {
  // A model whose output is a view of its input: set_input quantizes,
  // get_output dequantizes, so the round trip shows the rounding exactly.
  for (auto dtype : {format::DType::kInt8, format::DType::kInt16}) {
    blob::GraphBuilder g;
    // int8 is asymmetric (zero point 3 here); int16 is symmetric.
    const int32_t zp = dtype == format::DType::kInt8 ? 3 : 0;
    const uint32_t x = g.input("x", {1, 6}, dtype, format::Layout::kPlain, 0.5f, zp);
    g.output(g.view(x, {6}));
    const blob::Blob b = g.build();
    Model m = testing::load_or_fail(b);
    std::vector<uint8_t> arena(m.arena_bytes());
    Session s;
    REQUIRE(s.init(m, arena.data(), arena.size()).ok());
    const std::vector<float> in = {0.0f, 0.26f, -0.75f, 1.0e6f, -1.0e6f, NAN};
    REQUIRE(s.set_input(0, in.data(), in.size()).ok());
    REQUIRE(s.run().ok());
    std::vector<float> out(6);
    REQUIRE(s.get_output(0, out.data(), 6).ok());
    const float qmax = dtype == format::DType::kInt8 ? 127.0f : 32767.0f;
    const float qmin = dtype == format::DType::kInt8 ? -128.0f : -32768.0f;
    CHECK(out[0] == 0.0f);
    CHECK(out[1] == 0.5f);                                    // 0.52 rounds to q = 1 + zp
    CHECK(out[2] == -1.0f);                                   // -1.5 rounds away from zero to -2
    CHECK(out[3] == 0.5f * (qmax - static_cast<float>(zp)));  // saturates
    CHECK(out[4] == 0.5f * (qmin - static_cast<float>(zp)));
    CHECK(out[5] == 0.0f);  // NaN maps to the zero point
  }
}

}  // namespace
}  // namespace edgeae
