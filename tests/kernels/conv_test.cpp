#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

const ActivationSpec kNoAct{};

std::vector<float> run_conv(const ConvShape& s, const std::vector<float>& x,
                            const std::vector<float>& w,  // [Cout, KH, KW, Cin/g]
                            const float* bias = nullptr, const ActivationSpec& act = kNoAct) {
  std::vector<float> y(size_t(s.batch) * s.out_h * s.out_w * s.out_c, -12345.0f);
  const uint32_t taps = uint32_t(s.p.kernel[0] * s.p.kernel[1]);
  const uint32_t cin_g = s.in_c / uint32_t(s.p.groups > 0 ? s.p.groups : 1);
  const std::vector<float> packed = to_kernel_layout(w, s.out_c, taps, cin_g);
  conv_f32(s, x.data(), packed.data(), bias, act, y.data());
  return y;
}

TEST_CASE("conv_f32: 3x3 input, 2x2 kernel, bias, by hand") {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]], bias 1
  // y00 = 1*1+2*2+4*3+5*4 = 37, y01 = 2+6+15+24 = 47,
  // y10 = 4+10+21+32 = 67,      y11 = 5+12+24+36 = 77; plus bias.
  ConvShape s;
  s.in_h = s.in_w = 3;
  s.out_h = s.out_w = 2;
  s.p = conv_params(2, 2);
  const float bias = 1.0f;
  check_close(run_conv(s, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4}, &bias), {38, 48, 68, 78});
}

TEST_CASE("conv_f32: zero padding with stride 2 by hand") {
  // 3x3 ones kernel, pad 1 all round, stride 2 on x = 1..9 -> 2x2 output.
  // Each window keeps a 2x2 corner of x: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
  ConvShape s;
  s.in_h = s.in_w = 3;
  s.out_h = s.out_w = 2;
  s.p = conv_params(3, 3);
  s.p.stride[0] = s.p.stride[1] = 2;
  s.p.pad_begin[0] = s.p.pad_begin[1] = s.p.pad_end[0] = s.p.pad_end[1] = 1;
  check_close(run_conv(s, {1, 2, 3, 4, 5, 6, 7, 8, 9}, std::vector<float>(9, 1.0f)),
              {12, 16, 24, 28});
}

TEST_CASE("conv_f32: 1-D dilation by hand") {
  // x = [1,2,3,4,5], kernel [1,1] with dilation 2: y[i] = x[i] + x[i+2] -> [4, 6, 8]
  ConvShape s;
  s.in_w = 5;
  s.out_w = 3;
  s.p = conv_params(1, 2);
  s.p.dilation[1] = 2;
  check_close(run_conv(s, {1, 2, 3, 4, 5}, {1, 1}), {4, 6, 8});
}

TEST_CASE("conv_f32: 1-D asymmetric padding by hand") {
  // x = [1,2,3,4,5], kernel [1,10], pad_begin 2, pad_end 0: out_w = 5+2-2+1 = 6.
  // Taps (i-2, i-1): y = [0, 10*1, 1+10*2, 2+10*3, 3+10*4, 4+10*5] = [0,10,21,32,43,54]
  ConvShape s;
  s.in_w = 5;
  s.out_w = 6;
  s.p = conv_params(1, 2);
  s.p.pad_begin[1] = 2;
  check_close(run_conv(s, {1, 2, 3, 4, 5}, {1, 10}), {0, 10, 21, 32, 43, 54});
}

TEST_CASE("conv_f32: multi-channel input sums over input channels by hand") {
  // 1x1 spatial, Cin = 3, Cout = 2: y[oc] = sum_ic x[ic] * w[oc][ic]
  // x = [1, 2, 3]; w0 = [1, 1, 1] -> 6; w1 = [1, 0, -1] -> -2
  ConvShape s;
  s.in_c = 3;
  s.out_c = 2;
  s.p = conv_params(1, 1);
  check_close(run_conv(s, {1, 2, 3}, {1, 1, 1, 1, 0, -1}), {6, -2});
}

TEST_CASE("conv_f32: depthwise with fused per-channel prelu, or relu and a residual, by hand") {
  // H = 1, W = 2, C = 2: x(w=0) = [1, 10], x(w=1) = [2, 20]; groups = 2, kernel 1x2.
  // oc0 = 1*1 + 2*1 = 3; oc1 = 10*1 + 20*(-1) = -10 -> prelu slope 0.5 -> -5
  ConvShape s;
  s.in_w = 2;
  s.in_c = 2;
  s.out_w = 1;
  s.out_c = 2;
  s.p = conv_params(1, 2, 2);
  const float slopes[2] = {0.1f, 0.5f};
  ActivationSpec act;
  act.kind = format::Activation::kPRelu;
  act.slope = slopes;
  act.slope_count = 2;
  check_close(run_conv(s, {1, 10, 2, 20}, {1, 1, 1, -1}, nullptr, act), {3, -5});
  // Relu and a fused residual [100, 200], added after the activation:
  // relu(3) + 100, relu(-10) + 200.
  const float residual[2] = {100, 200};
  ActivationSpec relu_residual;
  relu_residual.kind = format::Activation::kRelu;
  relu_residual.residual = residual;
  check_close(run_conv(s, {1, 10, 2, 20}, {1, 1, 1, -1}, nullptr, relu_residual), {103, 200});
}

TEST_CASE("conv_f32: one-hot kernel shifts the input (zero-filled)") {
  std::mt19937 rng(21);
  int checked = 0;
  for (int iter = 0; iter < 60; ++iter) {
    ConvShape s;
    s.batch = random_u32(rng, 1, 2);
    s.in_h = random_u32(rng, 1, 6);
    s.in_w = random_u32(rng, 1, 6);
    s.in_c = s.out_c = random_u32(rng, 1, 4);
    s.p = conv_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)));
    for (int a = 0; a < 2; ++a) {
      s.p.pad_begin[a] = int32_t(random_u32(rng, 0, 2));
      s.p.pad_end[a] = int32_t(random_u32(rng, 0, 2));
      s.p.dilation[a] = int32_t(random_u32(rng, 1, 2));
    }
    s.out_h =
        conv_out_size(s.in_h, s.p.kernel[0], 1, s.p.pad_begin[0], s.p.pad_end[0], s.p.dilation[0]);
    s.out_w =
        conv_out_size(s.in_w, s.p.kernel[1], 1, s.p.pad_begin[1], s.p.pad_end[1], s.p.dilation[1]);
    if (s.out_h == 0 || s.out_w == 0) continue;
    const uint32_t kh0 = random_u32(rng, 0, uint32_t(s.p.kernel[0]) - 1);
    const uint32_t kw0 = random_u32(rng, 0, uint32_t(s.p.kernel[1]) - 1);
    const uint32_t rot = random_u32(rng, 0, s.in_c - 1);
    const uint32_t kh = uint32_t(s.p.kernel[0]), kw = uint32_t(s.p.kernel[1]), c = s.in_c;
    // One tap (kh0, kw0), and output channel oc reads input channel (oc + rot) % C.
    std::vector<float> w(size_t(c) * kh * kw * c, 0.0f);
    for (uint32_t oc = 0; oc < c; ++oc) w[((oc * kh + kh0) * kw + kw0) * c + (oc + rot) % c] = 1;
    const std::vector<float> x = random_floats(rng, size_t(s.batch) * s.in_h * s.in_w * c);
    const std::vector<float> y = run_conv(s, x, w);

    // The tap reads input row oh - pad_begin + kh0 * dilation: a pure shift.
    const int dh = int(kh0) * s.p.dilation[0] - s.p.pad_begin[0];
    const int dw = int(kw0) * s.p.dilation[1] - s.p.pad_begin[1];
    std::vector<float> want(y.size());
    for (uint32_t n = 0; n < s.batch; ++n)
      for (uint32_t oh = 0; oh < s.out_h; ++oh)
        for (uint32_t ow = 0; ow < s.out_w; ++ow)
          for (uint32_t oc = 0; oc < c; ++oc) {
            const int ih = int(oh) + dh, iw = int(ow) + dw;
            const bool in = ih >= 0 && ih < int(s.in_h) && iw >= 0 && iw < int(s.in_w);
            want[((n * s.out_h + oh) * s.out_w + ow) * c + oc] =
                in ? x[((n * s.in_h + uint32_t(ih)) * s.in_w + uint32_t(iw)) * c + (oc + rot) % c]
                   : 0.0f;
          }
    INFO("iter " << iter);
    check_close(y, want, 0.0f);
    ++checked;
  }
  CHECK(checked > 30);
}

// Copies channels [c0, c0 + count) of a [N, H, W, C] tensor.
std::vector<float> channel_slice(const std::vector<float>& t, size_t positions, uint32_t c,
                                 uint32_t c0, uint32_t count) {
  std::vector<float> out(positions * count);
  for (size_t p = 0; p < positions; ++p)
    for (uint32_t i = 0; i < count; ++i) out[p * count + i] = t[p * c + c0 + i];
  return out;
}

TEST_CASE("conv_f32: grouped conv equals the concatenation of per-group convs") {
  std::mt19937 rng(22);
  for (int iter = 0; iter < 40; ++iter) {
    const uint32_t groups = random_u32(rng, 2, 4);
    // Every fourth case is depthwise (one input channel per group).
    const uint32_t cin_g = iter % 4 == 0 ? 1 : random_u32(rng, 1, 3);
    const uint32_t cout_g = random_u32(rng, 1, 3);
    ConvShape s;
    s.batch = random_u32(rng, 1, 2);
    s.in_h = random_u32(rng, 1, 5);
    s.in_w = random_u32(rng, 1, 5);
    s.in_c = groups * cin_g;
    s.out_c = groups * cout_g;
    s.p = conv_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)),
                      int32_t(groups));
    for (int a = 0; a < 2; ++a) {
      s.p.stride[a] = int32_t(random_u32(rng, 1, 2));
      s.p.pad_begin[a] = int32_t(random_u32(rng, 0, 2));
      s.p.pad_end[a] = int32_t(random_u32(rng, 0, 1));
    }
    s.out_h =
        conv_out_size(s.in_h, s.p.kernel[0], s.p.stride[0], s.p.pad_begin[0], s.p.pad_end[0], 1);
    s.out_w =
        conv_out_size(s.in_w, s.p.kernel[1], s.p.stride[1], s.p.pad_begin[1], s.p.pad_end[1], 1);
    if (s.out_h == 0 || s.out_w == 0) continue;
    const size_t taps = size_t(s.p.kernel[0]) * uint32_t(s.p.kernel[1]);
    const size_t in_pos = size_t(s.batch) * s.in_h * s.in_w;
    const size_t out_pos = size_t(s.batch) * s.out_h * s.out_w;
    const std::vector<float> x = random_floats(rng, in_pos * s.in_c);
    const std::vector<float> w = random_floats(rng, s.out_c * taps * cin_g);
    const std::vector<float> bias = random_floats(rng, s.out_c);
    const std::vector<float> y = run_conv(s, x, w, bias.data());

    std::vector<float> want(out_pos * s.out_c);
    for (uint32_t g = 0; g < groups; ++g) {
      ConvShape sg = s;
      sg.in_c = cin_g;
      sg.out_c = cout_g;
      sg.p.groups = 1;
      // Weights are [Cout, KH, KW, Cin/g]: group g's filters are contiguous.
      const std::vector<float> wg(w.begin() + long(g * cout_g * taps * cin_g),
                                  w.begin() + long((g + 1) * cout_g * taps * cin_g));
      const std::vector<float> yg = run_conv(sg, channel_slice(x, in_pos, s.in_c, g * cin_g, cin_g),
                                             wg, bias.data() + g * cout_g);
      for (size_t p = 0; p < out_pos; ++p)
        for (uint32_t i = 0; i < cout_g; ++i)
          want[p * s.out_c + g * cout_g + i] = yg[p * cout_g + i];
    }
    INFO("iter " << iter << " groups " << groups << " cin_g " << cin_g << " cout_g " << cout_g);
    check_close(y, want);
  }
}

}  // namespace
}  // namespace edgeae::ref::test
