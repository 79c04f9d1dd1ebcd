#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

const ActivationSpec kNoAct{};

std::vector<float> transposed(const std::vector<float>& m, uint32_t rows, uint32_t cols) {
  std::vector<float> t(m.size());
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c) t[size_t(c) * rows + r] = m[size_t(r) * cols + c];
  return t;
}

TEST_CASE("dense_f32: 2x2 times 2x3 by hand") {
  // A = [[1, 2], [3, 4]], B = [[5, 6, 7], [8, 9, 10]]
  // AB = [[1*5+2*8, 1*6+2*9, 1*7+2*10], [3*5+4*8, 3*6+4*9, 3*7+4*10]]
  //    = [[21, 24, 27], [47, 54, 61]]
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10};
  DenseShape s;
  s.m = 2;
  s.n = 3;
  s.k = 2;
  std::vector<float> y(6);
  dense_f32(s, a.data(), b.data(), nullptr, kNoAct, y.data());
  check_close(y, {21, 24, 27, 47, 54, 61});
}

TEST_CASE("dense_f32: row bias [N] with fused relu by hand") {
  // AB as above = [[21, 24, 27], [47, 54, 61]]; bias [N] = [-30, 0, -60]
  // -> [[-9, 24, -33], [17, 54, 1]] -> relu -> [[0, 24, 0], [17, 54, 1]]
  const std::vector<float> a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10}, bias = {-30, 0, -60};
  DenseShape s;
  s.m = 2;
  s.n = 3;
  s.k = 2;
  s.bias_stride_n = 1;
  ActivationSpec relu;
  relu.kind = format::Activation::kRelu;
  std::vector<float> y(6);
  dense_f32(s, a.data(), b.data(), bias.data(), relu, y.data());
  check_close(y, {0, 24, 0, 17, 54, 1});
}

TEST_CASE("dense_f32: trans_a/trans_b equal dense on explicitly transposed matrices") {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 20; ++iter) {
    DenseShape s;
    s.m = random_u32(rng, 1, 7);
    s.n = random_u32(rng, 1, 7);
    s.k = random_u32(rng, 1, 9);
    const std::vector<float> a = random_floats(rng, size_t(s.m) * s.k);  // [M, K]
    const std::vector<float> b = random_floats(rng, size_t(s.k) * s.n);  // [K, N]
    std::vector<float> want(size_t(s.m) * s.n);
    dense_f32(s, a.data(), b.data(), nullptr, kNoAct, want.data());

    const std::vector<float> at = transposed(a, s.m, s.k);  // [K, M]
    const std::vector<float> bt = transposed(b, s.k, s.n);  // [N, K]
    for (int mode = 1; mode < 4; ++mode) {
      DenseShape t = s;
      t.trans_a = (mode & 1) != 0;
      t.trans_b = (mode & 2) != 0;
      std::vector<float> got(want.size());
      dense_f32(t, t.trans_a ? at.data() : a.data(), t.trans_b ? bt.data() : b.data(), nullptr,
                kNoAct, got.data());
      INFO("m=" << s.m << " n=" << s.n << " k=" << s.k << " trans_a=" << t.trans_a
                << " trans_b=" << t.trans_b);
      check_close(got, want);
    }
  }
}

TEST_CASE("dense_f32: every bias broadcast mode adds the explicitly expanded bias") {
  std::mt19937 rng(12);
  DenseShape s;
  s.m = 3;
  s.n = 4;
  s.k = 5;
  const std::vector<float> a = random_floats(rng, 15), b = random_floats(rng, 20);
  std::vector<float> plain(12);
  dense_f32(s, a.data(), b.data(), nullptr, kNoAct, plain.data());

  struct Mode {
    const char* name;
    size_t bias_size;
    uint32_t stride_m, stride_n;
  };
  // ONNX C shapes [] / [1], [N], [M, 1], [M, N].
  const Mode modes[] = {
      {"scalar", 1, 0, 0}, {"[N]", 4, 0, 1}, {"[M,1]", 3, 1, 0}, {"[M,N]", 12, 4, 1}};
  for (const Mode& mode : modes) {
    INFO("bias " << mode.name);
    const std::vector<float> bias = random_floats(rng, mode.bias_size, 1.0f, 2.0f);
    std::vector<float> want(12);
    for (uint32_t m = 0; m < 3; ++m) {
      for (uint32_t n = 0; n < 4; ++n) {
        const float c = mode.bias_size == 1   ? bias[0]
                        : mode.bias_size == 4 ? bias[n]
                        : mode.bias_size == 3 ? bias[m]
                                              : bias[m * 4 + n];
        want[m * 4 + n] = plain[m * 4 + n] + c;
      }
    }
    DenseShape t = s;
    t.bias_stride_m = mode.stride_m;
    t.bias_stride_n = mode.stride_n;
    std::vector<float> got(12);
    dense_f32(t, a.data(), b.data(), bias.data(), kNoAct, got.data());
    check_close(got, want);
  }
}

TEST_CASE("dense_f32: fused prelu slope follows the output column") {
  // A = I (2x2), B = [[-1, -1], [-2, 2]] -> AB = B; slopes per column [0.5, 0.25]
  // -> [[-0.5, -0.25], [-1, 2]]
  const std::vector<float> a = {1, 0, 0, 1}, b = {-1, -1, -2, 2};
  const float slopes[2] = {0.5f, 0.25f};
  ActivationSpec act;
  act.kind = format::Activation::kPRelu;
  act.slope = slopes;
  act.slope_count = 2;
  DenseShape s;
  s.m = 2;
  s.n = 2;
  s.k = 2;
  std::vector<float> y(4);
  dense_f32(s, a.data(), b.data(), nullptr, act, y.data());
  check_close(y, {-0.5f, -0.25f, -1.0f, 2.0f});
}

}  // namespace
TEST_CASE("dense_f32: column-blocked B gives the same result as row-major B") {
  std::mt19937 rng(77);
  for (int iter = 0; iter < 40; ++iter) {
    DenseShape s;
    s.m = random_u32(rng, 1, 3);
    s.k = random_u32(rng, 1, 20);
    s.n = random_u32(rng, 1, 70);
    const uint32_t block = random_u32(rng, 1, 33);
    const std::vector<float> a = random_floats(rng, size_t(s.m) * s.k);
    const std::vector<float> b = random_floats(rng, size_t(s.k) * s.n);
    // Pack B [K, N] as blocks of `block` columns, each row-major [K, width].
    std::vector<float> packed;
    for (uint32_t first = 0; first < s.n; first += block) {
      const uint32_t width = std::min(block, s.n - first);
      for (uint32_t k = 0; k < s.k; ++k)
        for (uint32_t j = 0; j < width; ++j) packed.push_back(b[size_t(k) * s.n + first + j]);
    }
    REQUIRE(packed.size() == b.size());
    std::vector<float> plain(size_t(s.m) * s.n), blocked(plain.size());
    dense_f32(s, a.data(), b.data(), nullptr, ActivationSpec{}, plain.data());
    s.b_block = block;
    dense_f32(s, a.data(), packed.data(), nullptr, ActivationSpec{}, blocked.data());
    CHECK(blocked == plain);
  }
}

}  // namespace edgeae::ref::test
