// Small graphs built with the blob writer, shared by the runtime tests.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae::testing {

static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= format::kMemoryAlign,
              "vector storage meets the blob and arena alignment");

inline std::vector<float> random_values(size_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline format::ConvParams conv_params(int kh, int kw, int sh, int sw, int pad_top, int pad_left,
                                      int pad_bottom, int pad_right, int groups = 1) {
  format::ConvParams p{};
  p.kernel[0] = kh;
  p.kernel[1] = kw;
  p.stride[0] = sh;
  p.stride[1] = sw;
  p.pad_begin[0] = pad_top;
  p.pad_begin[1] = pad_left;
  p.pad_end[0] = pad_bottom;
  p.pad_end[1] = pad_right;
  p.dilation[0] = p.dilation[1] = 1;
  p.groups = groups;
  return p;
}

// A dense autoencoder: [1, 16] -> Dense 16->8 ReLU -> Dense 8->16 Sigmoid.
inline blob::Blob dense_autoencoder(uint32_t seed = 1) {
  blob::GraphBuilder g;
  const uint32_t x = g.input("x", {1, 16});
  const uint32_t w1 = g.constant("enc.w", {8, 16}, random_values(128, seed));
  const uint32_t b1 = g.constant("enc.b", {8}, random_values(8, seed + 1));
  const uint32_t w2 = g.constant("dec.w", {16, 8}, random_values(128, seed + 2));
  const uint32_t b2 = g.constant("dec.b", {16}, random_values(16, seed + 3));
  const uint32_t h = g.dense(x, w1, b1, true, {format::Activation::kRelu});
  const uint32_t y = g.dense(h, w2, b2, true, {format::Activation::kSigmoid});
  g.output(y, "y");
  return g.build();
}

// A 1-D U-Net: [1, 32, 1] -> Conv s2 (4 ch) -> Conv s2 (8 ch) -> ConvT s2 (4 ch)
// + skip Add -> ConvT s2 (1 ch) -> output = x - that. Exercises long-lived
// skip tensors in the plan.
inline blob::Blob unet_1d(uint32_t seed = 7) {
  blob::GraphBuilder g;
  const uint32_t x =
      g.input("x", {1, 32, 1}, format::DType::kFloat32, format::Layout::kChannelsLast);
  auto weights = [&](uint32_t cout, uint32_t k, uint32_t cin, uint32_t s) {
    return g.constant("w", {1, k, cin, cout}, random_values(cout * k * cin, s, -0.5f, 0.5f));
  };
  const auto down = conv_params(1, 4, 1, 2, 0, 1, 0, 1);
  const auto up = conv_params(1, 4, 1, 2, 0, 1, 0, 1);
  const uint32_t e1 = g.conv(x, weights(4, 4, 1, seed), format::kNoId, down,
                             {format::Activation::kLeakyRelu, 0.1f});
  const uint32_t e2 =
      g.conv(e1, weights(8, 4, 4, seed + 1), format::kNoId, down, {format::Activation::kRelu});
  const uint32_t d1 =
      g.conv(e2, weights(4, 4, 8, seed + 2), format::kNoId, up, {format::Activation::kRelu}, true);
  const uint32_t s1 = g.binary(format::OpType::kAdd, d1, e1);
  const uint32_t d0 = g.conv(s1, weights(1, 4, 4, seed + 3), format::kNoId, up, {}, true);
  const uint32_t y = g.binary(format::OpType::kSub, x, d0);
  g.output(y, "y");
  return g.build();
}

// Loads a blob into a model, failing the calling test on error. The blob must
// outlive the model (weights are used in place), hence no temporaries.
Model load_or_fail(blob::Blob&& temporary) = delete;
inline Model load_or_fail(const blob::Blob& b) {
  Model m;
  const Status s = m.load(b.bytes.data(), b.bytes.size());
  REQUIRE_MESSAGE(s.ok(), s.message);
  return m;
}

// Runs a single-input, single-output model on `input`.
// `kernels` null: the best set for this CPU.
inline std::vector<float> run_model(const Model& m, const std::vector<float>& input,
                                    const KernelSet* kernels = nullptr) {
  std::vector<uint8_t> arena(m.arena_bytes());  // operator new: 16-byte aligned
  Session s;
  REQUIRE(s.init(m, arena.data(), arena.size(), kernels).ok());
  REQUIRE(s.set_input(0, input.data(), input.size()).ok());
  REQUIRE(s.run().ok());
  std::vector<float> out(m.output(0).element_count());
  REQUIRE(s.get_output(0, out.data(), out.size()).ok());
  return out;
}

}  // namespace edgeae::testing
