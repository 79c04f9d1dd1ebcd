#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

const ActivationSpec kNoAct{};

std::vector<float> run_binary(BinaryOp op, const Shape& as, const std::vector<float>& a,
                              const Shape& bs, const std::vector<float>& b, const Shape& os,
                              const ActivationSpec& act = kNoAct) {
  REQUIRE(a.size() == element_count(as));
  REQUIRE(b.size() == element_count(bs));
  std::vector<float> y(element_count(os), -12345.0f);
  binary_f32(op, as, a.data(), bs, b.data(), os, act, y.data());
  return y;
}

TEST_CASE("binary_f32: add a [3] row to a [2, 3] matrix by hand") {
  // [[1,2,3],[4,5,6]] + [10,20,30] = [[11,22,33],[14,25,36]]
  check_close(run_binary(BinaryOp::kAdd, make_shape({2, 3}), {1, 2, 3, 4, 5, 6}, make_shape({3}),
                         {10, 20, 30}, make_shape({2, 3})),
              {11, 22, 33, 14, 25, 36});
}

TEST_CASE("binary_f32: mul by a [2, 1] column by hand") {
  // [[1,2,3],[4,5,6]] * [[10],[-1]] = [[10,20,30],[-4,-5,-6]]
  check_close(run_binary(BinaryOp::kMul, make_shape({2, 3}), {1, 2, 3, 4, 5, 6}, make_shape({2, 1}),
                         {10, -1}, make_shape({2, 3})),
              {10, 20, 30, -4, -5, -6});
}

TEST_CASE("binary_f32: sub a rank-0 scalar, and a scalar minus a tensor, by hand") {
  check_close(run_binary(BinaryOp::kSub, make_shape({3}), {5, 6, 7}, Shape{}, {1}, make_shape({3})),
              {4, 5, 6});
  check_close(run_binary(BinaryOp::kSub, Shape{}, {1}, make_shape({3}), {5, 6, 7}, make_shape({3})),
              {-4, -5, -6});
  check_close(run_binary(BinaryOp::kAdd, Shape{}, {1.5f}, Shape{}, {2}, Shape{}), {3.5f});
}

TEST_CASE("binary_f32: both operands broadcast, [2, 1] + [1, 3] by hand") {
  // [[1],[2]] + [[10, 20, 30]] = [[11, 21, 31], [12, 22, 32]]
  check_close(run_binary(BinaryOp::kAdd, make_shape({2, 1}), {1, 2}, make_shape({1, 3}),
                         {10, 20, 30}, make_shape({2, 3})),
              {11, 21, 31, 12, 22, 32});
}

TEST_CASE("binary_f32: prelu op takes per-channel slopes from b by hand") {
  // x = [[-1, -2], [3, -4]], slope [0.5, 0.25] along the last axis:
  // [[-1*0.5, -2*0.25], [3, -4*0.25]] = [[-0.5, -0.5], [3, -1]]
  check_close(run_binary(BinaryOp::kPRelu, make_shape({2, 2}), {-1, -2, 3, -4}, make_shape({2}),
                         {0.5f, 0.25f}, make_shape({2, 2})),
              {-0.5f, -0.5f, 3, -1});
}

TEST_CASE("binary_f32: fused activation channel is the output's last-axis index") {
  // [2, 3] + 0 with prelu slopes [1, 0.5, 0.25] on an all -4 input -> rows [-4, -2, -1]
  const float slopes[3] = {1.0f, 0.5f, 0.25f};
  ActivationSpec act;
  act.kind = format::Activation::kPRelu;
  act.slope = slopes;
  act.slope_count = 3;
  check_close(run_binary(BinaryOp::kAdd, make_shape({2, 3}), std::vector<float>(6, -4.0f), Shape{},
                         {0}, make_shape({2, 3}), act),
              {-4, -2, -1, -4, -2, -1});
}

// Expands `t` of shape `ts` to `os` by numpy rules, by walking output
// coordinates with an odometer (independent of the kernel's index arithmetic).
std::vector<float> expand(const std::vector<float>& t, const Shape& ts, const Shape& os) {
  std::vector<float> out(element_count(os));
  std::vector<uint32_t> coord(os.rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    size_t src = 0;
    for (uint32_t j = 0; j < ts.rank; ++j) {
      const uint32_t axis = os.rank - ts.rank + j;
      src = src * ts.dims[j] + (ts.dims[j] == 1 ? 0 : coord[axis]);
    }
    out[i] = t[src];
    for (uint32_t axis = os.rank; axis-- > 0;) {
      if (++coord[axis] < os.dims[axis]) break;
      coord[axis] = 0;
    }
  }
  return out;
}

TEST_CASE("binary_f32: broadcasting equals the op on explicitly expanded operands") {
  std::mt19937 rng(51);
  for (int iter = 0; iter < 200; ++iter) {
    Shape os;
    os.rank = random_u32(rng, 0, format::kMaxRank);
    for (uint32_t i = 0; i < os.rank; ++i) os.dims[i] = random_u32(rng, 1, 3);
    // Each operand: a suffix of the output's axes, some of them collapsed to 1.
    Shape shapes[2];
    for (Shape& s : shapes) {
      s.rank = random_u32(rng, 0, os.rank);
      for (uint32_t j = 0; j < s.rank; ++j)
        s.dims[j] = random_u32(rng, 0, 2) == 0 ? 1 : os.dims[os.rank - s.rank + j];
    }
    const std::vector<float> a = random_floats(rng, element_count(shapes[0]));
    const std::vector<float> b = random_floats(rng, element_count(shapes[1]));
    const std::vector<float> ea = expand(a, shapes[0], os), eb = expand(b, shapes[1], os);
    const BinaryOp op = BinaryOp(random_u32(rng, 0, 3));
    std::vector<float> want(ea.size());
    for (size_t i = 0; i < want.size(); ++i) {
      switch (op) {
        case BinaryOp::kAdd:
          want[i] = ea[i] + eb[i];
          break;
        case BinaryOp::kSub:
          want[i] = ea[i] - eb[i];
          break;
        case BinaryOp::kMul:
          want[i] = ea[i] * eb[i];
          break;
        case BinaryOp::kPRelu:
          want[i] = ea[i] < 0 ? eb[i] * ea[i] : ea[i];
          break;
      }
    }
    INFO("iter " << iter << " out rank " << os.rank << " a rank " << shapes[0].rank << " b rank "
                 << shapes[1].rank);
    check_close(run_binary(op, shapes[0], a, shapes[1], b, os), want, 0.0f);
    // The kernel on the expanded operands agrees too.
    check_close(run_binary(op, os, ea, os, eb, os), want, 0.0f);
  }
}

}  // namespace
}  // namespace edgeae::ref::test
