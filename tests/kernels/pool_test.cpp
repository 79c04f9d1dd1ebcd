#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

const ActivationSpec kNoAct{};

std::vector<float> run_max(const PoolShape& s, const std::vector<float>& x,
                           const ActivationSpec& act = kNoAct) {
  std::vector<float> y(size_t(s.batch) * s.out_h * s.out_w * s.channels, -12345.0f);
  max_pool_f32(s, x.data(), act, y.data());
  return y;
}

std::vector<float> run_avg(const PoolShape& s, const std::vector<float>& x,
                           const ActivationSpec& act = kNoAct) {
  std::vector<float> y(size_t(s.batch) * s.out_h * s.out_w * s.channels, -12345.0f);
  average_pool_f32(s, x.data(), act, y.data());
  return y;
}

TEST_CASE("max_pool_f32: 2x2 stride 2 on a 4x4 ramp by hand") {
  // x = 1..16 row-major; each 2x2 block's max is its bottom-right element.
  PoolShape s;
  s.in_h = s.in_w = 4;
  s.out_h = s.out_w = 2;
  s.p = pool_params(2, 2);
  s.p.stride[0] = s.p.stride[1] = 2;
  std::vector<float> x(16);
  for (int i = 0; i < 16; ++i) x[size_t(i)] = float(i + 1);
  check_close(run_max(s, x), {6, 8, 14, 16});
}

TEST_CASE("max_pool_f32: padding never wins over negative inputs by hand") {
  // x = -1..-9 (3x3), kernel 3, stride 2, pad 1: each window keeps a 2x2 corner:
  // max(-1,-2,-4,-5) = -1, max(-2,-3,-5,-6) = -2, max(-4,-5,-7,-8) = -4, -5.
  PoolShape s;
  s.in_h = s.in_w = 3;
  s.out_h = s.out_w = 2;
  s.p = pool_params(3, 3);
  s.p.stride[0] = s.p.stride[1] = 2;
  s.p.pad_begin[0] = s.p.pad_begin[1] = s.p.pad_end[0] = s.p.pad_end[1] = 1;
  check_close(run_max(s, {-1, -2, -3, -4, -5, -6, -7, -8, -9}), {-1, -2, -4, -5});
}

TEST_CASE("max_pool_f32: 1-D dilation 2 by hand") {
  // x = [1, 5, 2, 4, 3], kernel 2, dilation 2: max(x0,x2), max(x1,x3), max(x2,x4) = [2, 5, 3]
  PoolShape s;
  s.in_w = 5;
  s.out_w = 3;
  s.p = pool_params(1, 2);
  s.p.dilation[1] = 2;
  check_close(run_max(s, {1, 5, 2, 4, 3}), {2, 5, 3});
}

TEST_CASE("max_pool_f32: channels pool independently, fused activation per channel") {
  // W = 2, C = 2, kernel 2: ch0 max(1, -3) = 1, ch1 max(-2, -4) = -2 -> prelu 0.5 -> -1
  PoolShape s;
  s.in_w = 2;
  s.channels = 2;
  s.out_w = 1;
  s.p = pool_params(1, 2);
  const float slopes[2] = {0.1f, 0.5f};
  ActivationSpec act;
  act.kind = format::Activation::kPRelu;
  act.slope = slopes;
  act.slope_count = 2;
  check_close(run_max(s, {1, -2, -3, -4}, act), {1, -1});
}

TEST_CASE("average_pool_f32: fused activation uses the channel's slope by hand") {
  // W = 2, C = 2, kernel 2: ch0 mean(-2, -4) = -3 -> slope 1 -> -3;
  // ch1 mean(-2, -6) = -4 -> slope 0.25 -> -1
  PoolShape s;
  s.in_w = 2;
  s.channels = 2;
  s.out_w = 1;
  s.p = pool_params(1, 2);
  const float slopes[2] = {1.0f, 0.25f};
  ActivationSpec act;
  act.kind = format::Activation::kPRelu;
  act.slope = slopes;
  act.slope_count = 2;
  check_close(run_avg(s, {-2, -2, -4, -6}, act), {-3, -1});
}

TEST_CASE("average_pool_f32: 1-D padded borders with count_include_pad off and on by hand") {
  // x = [1, 2, 3], kernel 3, pads 1/1: windows (-1..1), (0..2), (1..3) with in-bounds
  // sums 3, 6, 5. Off: divide by in-bounds taps 2, 3, 2 -> [1.5, 2, 2.5].
  // On: divide by 3 everywhere -> [1, 2, 5/3].
  PoolShape s;
  s.in_w = 3;
  s.out_w = 3;
  s.p = pool_params(1, 3);
  s.p.pad_begin[1] = s.p.pad_end[1] = 1;
  check_close(run_avg(s, {1, 2, 3}), {1.5f, 2.0f, 2.5f});
  s.p.count_include_pad = 1;
  check_close(run_avg(s, {1, 2, 3}), {1.0f, 2.0f, 5.0f / 3.0f});
}

TEST_CASE("average_pool_f32: ceil_mode taps beyond pad_end never count") {
  // x = [1..6], kernel 3, stride 2, pads 1/1, ceil_mode: out_w = ceil((6+2-3)/2)+1 = 4.
  // Window starts -1, 1, 3, 5. Padded extent is [-1, 7): the last window (5, 6, 7)
  // has x[5] = 6 in bounds, 6 in pad_end and 7 beyond it (added by ceil_mode).
  // Off: [(1+2)/2, (2+3+4)/3, (4+5+6)/3, 6/1] = [1.5, 3, 5, 6]
  // On:  [(1+2)/3, 9/3, 15/3, 6/2]           = [1, 3, 5, 3]
  PoolShape s;
  s.in_w = 6;
  s.out_w = 4;
  s.p = pool_params(1, 3);
  s.p.stride[1] = 2;
  s.p.pad_begin[1] = s.p.pad_end[1] = 1;
  s.p.ceil_mode = 1;
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  check_close(run_avg(s, x), {1.5f, 3.0f, 5.0f, 6.0f});
  s.p.count_include_pad = 1;
  check_close(run_avg(s, x), {1.0f, 3.0f, 5.0f, 3.0f});
}

TEST_CASE("average_pool_f32: ceil_mode without padding divides by in-bounds taps") {
  // x = [1..5], kernel 2, stride 2, ceil: out_w = 3, windows (0,1), (2,3), (4,5);
  // tap 5 is beyond the input and there is no pad_end: [1.5, 3.5, 5] either way.
  PoolShape s;
  s.in_w = 5;
  s.out_w = 3;
  s.p = pool_params(1, 2);
  s.p.stride[1] = 2;
  s.p.ceil_mode = 1;
  const std::vector<float> x = {1, 2, 3, 4, 5};
  check_close(run_avg(s, x), {1.5f, 3.5f, 5.0f});
  s.p.count_include_pad = 1;
  check_close(run_avg(s, x), {1.5f, 3.5f, 5.0f});
}

TEST_CASE("average_pool_f32: 2-D corner divisor is the product of per-axis counts") {
  // 2x2 input [[1, 2], [3, 4]], kernel 2x2, pads 1/1 (out 3x3). Corner window (0,0)
  // holds only x00 = 1: off -> 1/1 = 1, on -> 1/4. Centre window holds all: 10/4.
  PoolShape s;
  s.in_h = s.in_w = 2;
  s.out_h = s.out_w = 3;
  s.p = pool_params(2, 2);
  s.p.pad_begin[0] = s.p.pad_begin[1] = s.p.pad_end[0] = s.p.pad_end[1] = 1;
  const std::vector<float> x = {1, 2, 3, 4};
  // Off: [1, 3/2, 2, 4/2, 10/4, 6/2, 3, 7/2, 4]
  check_close(run_avg(s, x), {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4});
  s.p.count_include_pad = 1;
  // On: the same sums over 4: [1, 3, 2, 4, 10, 6, 3, 7, 4] / 4
  check_close(run_avg(s, x), {0.25f, 0.75f, 0.5f, 1, 2.5f, 1.5f, 0.75f, 1.75f, 1});
}

struct RandomPool {
  PoolShape s;
  std::vector<float> x;
};

RandomPool random_pool(std::mt19937& rng, float lo, float hi) {
  RandomPool r;
  PoolShape& s = r.s;
  s.batch = random_u32(rng, 1, 2);
  s.in_h = random_u32(rng, 1, 7);
  s.in_w = random_u32(rng, 1, 7);
  s.channels = random_u32(rng, 1, 3);
  s.p = pool_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)));
  for (int a = 0; a < 2; ++a) {
    s.p.stride[a] = int32_t(random_u32(rng, 1, 3));
    s.p.dilation[a] = int32_t(random_u32(rng, 1, 2));
    // Pads smaller than the kernel, as exporters produce them.
    s.p.pad_begin[a] = int32_t(random_u32(rng, 0, uint32_t(s.p.kernel[a]) - 1));
    s.p.pad_end[a] = int32_t(random_u32(rng, 0, uint32_t(s.p.kernel[a]) - 1));
  }
  s.out_h = conv_out_size(s.in_h, s.p.kernel[0], s.p.stride[0], s.p.pad_begin[0], s.p.pad_end[0],
                          s.p.dilation[0]);
  s.out_w = conv_out_size(s.in_w, s.p.kernel[1], s.p.stride[1], s.p.pad_begin[1], s.p.pad_end[1],
                          s.p.dilation[1]);
  r.x = random_floats(rng, size_t(s.batch) * s.in_h * s.in_w * s.channels, lo, hi);
  return r;
}

TEST_CASE("max_pool_f32: output is >= every element of its window and one of them") {
  std::mt19937 rng(41);
  int checked = 0;
  for (int iter = 0; iter < 100; ++iter) {
    const RandomPool r = random_pool(rng, -5.0f, -1.0f);  // negative: padding must not win
    const PoolShape& s = r.s;
    if (s.out_h == 0 || s.out_w == 0) continue;
    const std::vector<float> y = run_max(s, r.x);
    for (uint32_t n = 0; n < s.batch; ++n)
      for (uint32_t oh = 0; oh < s.out_h; ++oh)
        for (uint32_t ow = 0; ow < s.out_w; ++ow)
          for (uint32_t c = 0; c < s.channels; ++c) {
            const float v = y[((n * s.out_h + oh) * s.out_w + ow) * s.channels + c];
            bool found = false, any = false;
            for (int kh = 0; kh < s.p.kernel[0]; ++kh)
              for (int kw = 0; kw < s.p.kernel[1]; ++kw) {
                const int ih = int(oh) * s.p.stride[0] - s.p.pad_begin[0] + kh * s.p.dilation[0];
                const int iw = int(ow) * s.p.stride[1] - s.p.pad_begin[1] + kw * s.p.dilation[1];
                if (ih < 0 || ih >= int(s.in_h) || iw < 0 || iw >= int(s.in_w)) continue;
                const float e =
                    r.x[((n * s.in_h + uint32_t(ih)) * s.in_w + uint32_t(iw)) * s.channels + c];
                CHECK(v >= e);
                found = found || v == e;
                any = true;
              }
            // Dilation can make a window skip the input entirely (e.g. width 1, kernel 2,
            // dilation 2, pads 1/1): such a window has no value and gives 0.
            if (any) {
              CHECK(found);
            } else {
              CHECK(v == 0.0f);
            }
          }
    ++checked;
  }
  CHECK(checked > 50);
}

TEST_CASE("average_pool_f32: count_include_pad on/off differ exactly at the borders") {
  std::mt19937 rng(42);
  int checked = 0, borders = 0, interiors = 0;
  for (int iter = 0; iter < 100; ++iter) {
    RandomPool r = random_pool(rng, 1.0f, 2.0f);  // positive: a larger divisor lowers the mean
    PoolShape& s = r.s;
    if (s.out_h == 0 || s.out_w == 0) continue;
    s.p.count_include_pad = 0;
    const std::vector<float> off = run_avg(s, r.x);
    s.p.count_include_pad = 1;
    const std::vector<float> on = run_avg(s, r.x);
    for (uint32_t n = 0; n < s.batch; ++n)
      for (uint32_t oh = 0; oh < s.out_h; ++oh)
        for (uint32_t ow = 0; ow < s.out_w; ++ow) {
          // Floor-mode output sizes keep every window inside the padded extent, so a
          // window touches padding iff some tap is outside the input.
          bool touches_padding = false, any = false;
          for (int kh = 0; kh < s.p.kernel[0]; ++kh)
            for (int kw = 0; kw < s.p.kernel[1]; ++kw) {
              const int ih = int(oh) * s.p.stride[0] - s.p.pad_begin[0] + kh * s.p.dilation[0];
              const int iw = int(ow) * s.p.stride[1] - s.p.pad_begin[1] + kw * s.p.dilation[1];
              const bool in = ih >= 0 && ih < int(s.in_h) && iw >= 0 && iw < int(s.in_w);
              touches_padding |= !in;
              any |= in;
            }
          for (uint32_t c = 0; c < s.channels; ++c) {
            const size_t i = ((n * s.out_h + oh) * s.out_w + ow) * s.channels + c;
            if (!any) {
              // Only padding under the window (dilation skipped the input): 0 either way.
              CHECK(on[i] == 0.0f);
              CHECK(off[i] == 0.0f);
            } else if (touches_padding) {
              CHECK(on[i] < off[i]);
            } else {
              CHECK(on[i] == off[i]);
            }
          }
          (touches_padding ? borders : interiors)++;
        }
    ++checked;
  }
  CHECK(checked > 50);
  CHECK(borders > 100);
  CHECK(interiors > 100);
}

TEST_CASE("global_average_pool_f32: mean over spatial positions per channel by hand") {
  // 4 positions, 2 channels: ch0 = [1, 2, 3, 4] -> 2.5, ch1 = [10, 20, 30, 40] -> 25.
  // Second batch item: ch0 = [0, 0, 0, -4] -> -1 -> relu -> 0; ch1 = [8, 8, 8, 8] -> 8.
  const std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40, 0, 8, 0, 8, 0, 8, -4, 8};
  std::vector<float> y(4);
  ActivationSpec relu;
  relu.kind = format::Activation::kRelu;
  global_average_pool_f32(2, 4, 2, x.data(), relu, y.data());
  check_close(y, {2.5f, 25.0f, 0.0f, 8.0f});
}

}  // namespace
}  // namespace edgeae::ref::test
