#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

using format::Activation;

ActivationSpec spec(Activation kind, float alpha = 0.0f, float beta = 0.0f) {
  ActivationSpec a;
  a.kind = kind;
  a.alpha = alpha;
  a.beta = beta;
  return a;
}

TEST_CASE("activate: none is the identity") {
  const ActivationSpec a = spec(Activation::kNone);
  CHECK(activate(a, -2.5f, 0) == -2.5f);
  CHECK(activate(a, 3.0f, 7) == 3.0f);
}

TEST_CASE("activate: relu zeroes negatives only") {
  const ActivationSpec a = spec(Activation::kRelu);
  CHECK(activate(a, -2.0f, 0) == 0.0f);
  CHECK(activate(a, 0.0f, 0) == 0.0f);
  CHECK(activate(a, 3.0f, 0) == 3.0f);
}

TEST_CASE("activate: leaky relu scales negatives by alpha") {
  const ActivationSpec a = spec(Activation::kLeakyRelu, 0.3f);
  CHECK(activate(a, -2.0f, 0) == doctest::Approx(-0.6f));  // 0.3 * -2
  CHECK(activate(a, 3.0f, 0) == 3.0f);
}

TEST_CASE("activate: sigmoid at hand-picked points, finite at +-100 and beyond") {
  const ActivationSpec a = spec(Activation::kSigmoid);
  CHECK(activate(a, 0.0f, 0) == 0.5f);
  // 1 / (1 + e^-2) = 1 / 1.135335 = 0.880797
  CHECK(activate(a, 2.0f, 0) == doctest::Approx(0.880797f).epsilon(1e-5));
  CHECK(activate(a, -2.0f, 0) == doctest::Approx(0.119203f).epsilon(1e-5));
  for (float x : {100.0f, -100.0f, 1000.0f, -1000.0f}) {
    const float v = activate(a, x, 0);
    INFO("x = " << x);
    CHECK(std::isfinite(v));
    CHECK(v >= 0.0f);
    CHECK(v <= 1.0f);
  }
  CHECK(activate(a, 100.0f, 0) == doctest::Approx(1.0f));
  CHECK(activate(a, -100.0f, 0) == doctest::Approx(0.0f));
}

TEST_CASE("activate: tanh at hand-picked points") {
  const ActivationSpec a = spec(Activation::kTanh);
  CHECK(activate(a, 0.0f, 0) == 0.0f);
  // tanh(0.5) = (e - 1) / (e + 1) with e = e^1 -> 1.718282 / 3.718282 = 0.462117
  CHECK(activate(a, 0.5f, 0) == doctest::Approx(0.462117f).epsilon(1e-5));
  CHECK(activate(a, -0.5f, 0) == doctest::Approx(-0.462117f).epsilon(1e-5));
  CHECK(activate(a, 100.0f, 0) == 1.0f);
}

TEST_CASE("activate: clip bounds to [alpha, beta]") {
  const ActivationSpec a = spec(Activation::kClip, -1.0f, 2.0f);
  CHECK(activate(a, -3.0f, 0) == -1.0f);
  CHECK(activate(a, 0.5f, 0) == 0.5f);
  CHECK(activate(a, 5.0f, 0) == 2.0f);
}

TEST_CASE("activate: hard sigmoid is alpha*x+beta clamped to [0, 1]") {
  const ActivationSpec a = spec(Activation::kHardSigmoid, 0.2f, 0.5f);
  CHECK(activate(a, 0.0f, 0) == doctest::Approx(0.5f));   // 0.5
  CHECK(activate(a, 1.0f, 0) == doctest::Approx(0.7f));   // 0.2 + 0.5
  CHECK(activate(a, -1.0f, 0) == doctest::Approx(0.3f));  // -0.2 + 0.5
  CHECK(activate(a, 10.0f, 0) == 1.0f);                   // 2.5 -> 1
  CHECK(activate(a, -10.0f, 0) == 0.0f);                  // -1.5 -> 0
}

TEST_CASE("activate: prelu uses the slope of the element's channel") {
  const float slopes[3] = {0.1f, 0.2f, 0.3f};
  ActivationSpec a = spec(Activation::kPRelu);
  a.slope = slopes;
  a.slope_count = 3;
  CHECK(activate(a, -1.0f, 0) == doctest::Approx(-0.1f));
  CHECK(activate(a, -1.0f, 1) == doctest::Approx(-0.2f));
  CHECK(activate(a, -2.0f, 2) == doctest::Approx(-0.6f));
  CHECK(activate(a, 4.0f, 2) == 4.0f);
}

TEST_CASE("activate: prelu with one slope shares it across channels") {
  const float slope = 0.5f;
  ActivationSpec a = spec(Activation::kPRelu);
  a.slope = &slope;
  a.slope_count = 1;
  CHECK(activate(a, -2.0f, 0) == -1.0f);
  CHECK(activate(a, -2.0f, 5) == -1.0f);
  CHECK(activate(a, 2.0f, 5) == 2.0f);
}

TEST_CASE("activation_f32: channel is the index along the last axis") {
  const float slopes[3] = {0.1f, 0.2f, 0.3f};
  ActivationSpec a = spec(Activation::kPRelu);
  a.slope = slopes;
  a.slope_count = 3;
  // Two rows of three channels.
  const std::vector<float> x = {-1, -1, -1, -10, 5, -10};
  std::vector<float> y(6, 99.0f);
  activation_f32(a, 6, 3, x.data(), y.data());
  check_close(y, {-0.1f, -0.2f, -0.3f, -1.0f, 5.0f, -3.0f});
}

TEST_CASE("activation_f32: sigmoid over a buffer matches activate per element") {
  std::mt19937 rng(7);
  const std::vector<float> x = random_floats(rng, 33, -20.0f, 20.0f);
  std::vector<float> y(x.size());
  const ActivationSpec a = spec(Activation::kSigmoid);
  activation_f32(a, uint32_t(x.size()), 1, x.data(), y.data());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(y[i] == doctest::Approx(1.0 / (1.0 + std::exp(-double(x[i])))).epsilon(1e-5));
  }
}

}  // namespace
}  // namespace edgeae::ref::test
