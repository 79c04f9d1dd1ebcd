// concat, resize_nearest and transpose: dtype-agnostic data movement.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

Shape random_shape(std::mt19937& rng, uint32_t min_rank, uint32_t max_dim) {
  Shape s;
  s.rank = random_u32(rng, min_rank, format::kMaxRank);
  for (uint32_t i = 0; i < s.rank; ++i) s.dims[i] = random_u32(rng, 1, max_dim);
  return s;
}

std::vector<unsigned char> random_bytes(std::mt19937& rng, size_t n) {
  std::vector<unsigned char> v(n);
  for (unsigned char& b : v) b = static_cast<unsigned char>(random_u32(rng, 0, 255));
  return v;
}

// Row-major coordinates of flat index i in `s`.
std::vector<uint32_t> coords_of(size_t i, const Shape& s) {
  std::vector<uint32_t> c(s.rank);
  for (uint32_t a = s.rank; a-- > 0;) {
    c[a] = uint32_t(i % s.dims[a]);
    i /= s.dims[a];
  }
  return c;
}

size_t flat_of(const std::vector<uint32_t>& c, const Shape& s) {
  size_t i = 0;
  for (uint32_t a = 0; a < s.rank; ++a) i = i * s.dims[a] + c[a];
  return i;
}

TEST_CASE("concat: along the last and the first axis by hand") {
  // [[1,2],[3,4]] ++ [[5],[6]] along axis 1 = [[1,2,5],[3,4,6]]
  const float a[] = {1, 2, 3, 4}, b[] = {5, 6};
  const Shape shapes[2] = {make_shape({2, 2}), make_shape({2, 1})};
  const void* inputs[2] = {a, b};
  float y[6] = {};
  concat(4, 2, shapes, inputs, 1, y);
  check_close(std::vector<float>(y, y + 6), {1, 2, 5, 3, 4, 6}, 0.0f);

  // [[1,2]] ++ [[3,4],[5,6]] along axis 0 appends rows.
  const Shape rows[2] = {make_shape({1, 2}), make_shape({2, 2})};
  const float c[] = {1, 2}, d[] = {3, 4, 5, 6};
  const void* inputs2[2] = {c, d};
  concat(4, 2, rows, inputs2, 0, y);
  check_close(std::vector<float>(y, y + 6), {1, 2, 3, 4, 5, 6}, 0.0f);
}

TEST_CASE("concat: three int8 inputs along a middle axis by hand") {
  // [1, 2, 2] with axis-1 extents 1, 2, 1 -> [1, 4, 2]: rows a0 | b0 b1 | c0
  const int8_t a[] = {1, 2}, b[] = {3, 4, 5, 6}, c[] = {7, 8};
  const Shape shapes[3] = {make_shape({1, 1, 2}), make_shape({1, 2, 2}), make_shape({1, 1, 2})};
  const void* inputs[3] = {a, b, c};
  int8_t y[8] = {};
  concat(1, 3, shapes, inputs, 1, y);
  const int8_t want[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(std::memcmp(y, want, 8) == 0);
}

TEST_CASE("concat: slicing the result along the axis gives the inputs back") {
  std::mt19937 rng(61);
  for (int iter = 0; iter < 100; ++iter) {
    const Shape base = random_shape(rng, 1, 3);
    const uint32_t axis = random_u32(rng, 0, base.rank - 1);
    const uint32_t count = random_u32(rng, 1, format::kMaxOpInputs);
    const uint32_t elem = std::vector<uint32_t>{1, 2, 4}[random_u32(rng, 0, 2)];
    std::vector<Shape> shapes(count, base);
    std::vector<std::vector<unsigned char>> data(count);
    std::vector<const void*> ptrs(count);
    Shape out = base;
    out.dims[axis] = 0;
    for (uint32_t t = 0; t < count; ++t) {
      shapes[t].dims[axis] = random_u32(rng, 1, 3);
      out.dims[axis] += shapes[t].dims[axis];
      data[t] = random_bytes(rng, element_count(shapes[t]) * elem);
      ptrs[t] = data[t].data();
    }
    std::vector<unsigned char> y(element_count(out) * elem, 0xEE);
    concat(elem, count, shapes.data(), ptrs.data(), axis, y.data());

    INFO("iter " << iter << " rank " << base.rank << " axis " << axis << " inputs " << count);
    uint32_t start = 0;
    for (uint32_t t = 0; t < count; ++t) {
      // Element i of input t sits at the same coordinates shifted by `start` on the axis.
      for (size_t i = 0; i < element_count(shapes[t]); ++i) {
        std::vector<uint32_t> c = coords_of(i, shapes[t]);
        c[axis] += start;
        CHECK(std::memcmp(&y[flat_of(c, out) * elem], &data[t][i * elem], elem) == 0);
      }
      start += shapes[t].dims[axis];
    }
  }
}

TEST_CASE("resize_nearest: 2x2 image upsampled 2x in H and W by hand") {
  // [1, 2, 2, 1] with scales [1, 2, 2, 1]: each pixel becomes a 2x2 block.
  const float x[] = {1, 2, 3, 4};
  const int32_t scale[] = {1, 2, 2, 1};
  float y[16] = {};
  resize_nearest(4, make_shape({1, 2, 2, 1}), scale, x, y);
  check_close(std::vector<float>(y, y + 16), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
              0.0f);
}

TEST_CASE("resize_nearest: int16 1-D upsampling by 3 keeps channels apart by hand") {
  // [1, W=2, C=2] -> scales [1, 3, 1]: (a0 a1)(b0 b1) -> (a0 a1) x3, (b0 b1) x3
  const int16_t x[] = {10, 11, 20, 21};
  const int32_t scale[] = {1, 3, 1};
  int16_t y[12] = {};
  resize_nearest(2, make_shape({1, 2, 2}), scale, x, y);
  const int16_t want[12] = {10, 11, 10, 11, 10, 11, 20, 21, 20, 21, 20, 21};
  CHECK(std::memcmp(y, want, sizeof(want)) == 0);
}

TEST_CASE("resize_nearest: scale 1 on every axis is the identity") {
  std::mt19937 rng(62);
  const int32_t ones[format::kMaxRank] = {1, 1, 1, 1, 1, 1};
  for (int iter = 0; iter < 50; ++iter) {
    const Shape s = random_shape(rng, 0, 4);
    const uint32_t elem = std::vector<uint32_t>{1, 2, 4}[random_u32(rng, 0, 2)];
    const std::vector<unsigned char> x = random_bytes(rng, element_count(s) * elem);
    std::vector<unsigned char> y(x.size(), 0xEE);
    resize_nearest(elem, s, ones, x.data(), y.data());
    INFO("iter " << iter << " rank " << s.rank);
    CHECK(y == x);
  }
}

TEST_CASE("resize_nearest: every output reads input at coordinates divided by the scale") {
  std::mt19937 rng(63);
  for (int iter = 0; iter < 50; ++iter) {
    const Shape s = random_shape(rng, 1, 3);
    int32_t scale[format::kMaxRank] = {};
    Shape out = s;
    for (uint32_t a = 0; a < s.rank; ++a) {
      scale[a] = int32_t(random_u32(rng, 1, 3));
      out.dims[a] = s.dims[a] * uint32_t(scale[a]);
    }
    const std::vector<unsigned char> x = random_bytes(rng, element_count(s) * 2);
    std::vector<unsigned char> y(element_count(out) * 2, 0xEE);
    resize_nearest(2, s, scale, x.data(), y.data());
    for (size_t i = 0; i < element_count(out); ++i) {
      std::vector<uint32_t> c = coords_of(i, out);
      for (uint32_t a = 0; a < s.rank; ++a) c[a] /= uint32_t(scale[a]);
      CHECK(std::memcmp(&y[i * 2], &x[flat_of(c, s) * 2], 2) == 0);
    }
  }
}

TEST_CASE("transpose: [2, 3] matrix and NHWC -> NCHW by hand") {
  // [[1,2,3],[4,5,6]]^T = [[1,4],[2,5],[3,6]]
  const float x[] = {1, 2, 3, 4, 5, 6};
  const int32_t perm[] = {1, 0};
  float y[6] = {};
  transpose(4, make_shape({2, 3}), perm, x, y);
  check_close(std::vector<float>(y, y + 6), {1, 4, 2, 5, 3, 6}, 0.0f);

  // NHWC [1, 1, 2, 3] (two pixels p, q of channels 0..2) -> NCHW [1, 3, 1, 2]:
  // channel planes (p0 q0)(p1 q1)(p2 q2)
  const int8_t img[] = {1, 2, 3, 4, 5, 6};
  const int32_t to_nchw[] = {0, 3, 1, 2};
  int8_t planes[6] = {};
  transpose(1, make_shape({1, 1, 2, 3}), to_nchw, img, planes);
  const int8_t want[6] = {1, 4, 2, 5, 3, 6};
  CHECK(std::memcmp(planes, want, 6) == 0);
}

TEST_CASE("transpose: rank 0 copies the single element") {
  const int32_t x = 42;
  int32_t y = 0;
  transpose(4, Shape{}, nullptr, &x, &y);
  CHECK(y == 42);
}

TEST_CASE("transpose: a permutation followed by its inverse is the identity") {
  std::mt19937 rng(64);
  int moved = 0;
  for (int iter = 0; iter < 100; ++iter) {
    const Shape s = random_shape(rng, 1, 4);
    int32_t perm[format::kMaxRank] = {}, inverse[format::kMaxRank] = {};
    std::iota(perm, perm + s.rank, 0);
    std::shuffle(perm, perm + s.rank, rng);
    Shape t;
    t.rank = s.rank;
    for (uint32_t i = 0; i < s.rank; ++i) {
      inverse[perm[i]] = int32_t(i);
      t.dims[i] = s.dims[perm[i]];
    }
    const uint32_t elem = std::vector<uint32_t>{1, 2, 4}[random_u32(rng, 0, 2)];
    const std::vector<unsigned char> x = random_bytes(rng, element_count(s) * elem);
    std::vector<unsigned char> mid(x.size(), 0xEE), back(x.size(), 0xEE);
    transpose(elem, s, perm, x.data(), mid.data());
    transpose(elem, t, inverse, mid.data(), back.data());
    INFO("iter " << iter << " rank " << s.rank);
    CHECK(back == x);
    // And the intermediate is really permuted: out[c] = in[c'] with c'[perm[i]] = c[i].
    for (size_t i = 0; i < element_count(t); ++i) {
      const std::vector<uint32_t> c = coords_of(i, t);
      std::vector<uint32_t> src(s.rank);
      for (uint32_t a = 0; a < s.rank; ++a) src[uint32_t(perm[a])] = c[a];
      CHECK(std::memcmp(&mid[i * elem], &x[flat_of(src, s) * elem], elem) == 0);
    }
    moved += mid != x;
  }
  CHECK(moved > 50);
}

}  // namespace
}  // namespace edgeae::ref::test
