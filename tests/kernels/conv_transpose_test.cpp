#include "kernel_test_util.hpp"

namespace edgeae::ref::test {
namespace {

const ActivationSpec kNoAct{};

std::vector<float> run_conv_transpose(const ConvShape& s, const std::vector<float>& x,
                                      const std::vector<float>& w,  // [Cout, KH, KW, Cin/g]
                                      const float* bias = nullptr,
                                      const ActivationSpec& act = kNoAct) {
  std::vector<float> y(size_t(s.batch) * s.out_h * s.out_w * s.out_c, -12345.0f);
  const uint32_t taps = uint32_t(s.p.kernel[0] * s.p.kernel[1]);
  const uint32_t cin_g = s.in_c / uint32_t(s.p.groups > 0 ? s.p.groups : 1);
  const std::vector<float> packed = to_kernel_layout(w, s.out_c, taps, cin_g);
  conv_transpose_f32(s, x.data(), packed.data(), bias, act, y.data());
  return y;
}

TEST_CASE("conv_transpose_f32: ONNX's 3x3 all-ones example by hand") {
  // ONNX ConvTranspose doc example: x = arange(9) as 3x3, W = ones [1, 2, 3, 3], so
  // y[i][j] = sum of x over rows i-2..i, cols j-2..j (clipped), for both output channels.
  ConvShape s;
  s.in_h = s.in_w = 3;
  s.out_h = s.out_w = 5;
  s.out_c = 2;
  s.p = conv_params(3, 3);
  const std::vector<float> per_channel = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                                          27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  std::vector<float> want;
  for (float v : per_channel) want.insert(want.end(), {v, v});
  check_close(run_conv_transpose(s, {0, 1, 2, 3, 4, 5, 6, 7, 8}, std::vector<float>(18, 1.0f)),
              want);
}

TEST_CASE(
    "conv_transpose_f32: 1-D stride 2 with output_padding gets bias only there (and a residual)") {
  // x = [1, 2], w = [1, 2, 3], stride 2: out_w = (2-1)*2 + 3 + output_padding 1 = 6.
  // x0 scatters [1,2,3] to 0..2, x1 scatters [2,4,6] to 2..4 -> [1, 2, 5, 4, 6, 0],
  // plus bias 0.5 everywhere (position 5 has no tap).
  ConvShape s;
  s.in_w = 2;
  s.out_w = 6;
  s.p = conv_params(1, 3);
  s.p.stride[1] = 2;
  s.p.output_padding[1] = 1;
  const float bias = 0.5f;
  check_close(run_conv_transpose(s, {1, 2}, {1, 2, 3}, &bias),
              {1.5f, 2.5f, 5.5f, 4.5f, 6.5f, 0.5f});
  // A Clip to [0, 5], then a fused residual 10 * (i + 1) added after it.
  const float residual[6] = {10, 20, 30, 40, 50, 60};
  ActivationSpec clip_residual;
  clip_residual.kind = format::Activation::kClip;
  clip_residual.alpha = 0.0f;
  clip_residual.beta = 5.0f;
  clip_residual.residual = residual;
  check_close(run_conv_transpose(s, {1, 2}, {1, 2, 3}, &bias, clip_residual),
              {11.5f, 22.5f, 35.0f, 44.5f, 55.0f, 60.5f});
}

TEST_CASE("conv_transpose_f32: 1-D padding crops the full result by hand") {
  // Full result as above without output_padding: [1, 2, 5, 4, 6]; pads 1/1 drop the
  // first and last: out_w = (2-1)*2 + 3 - 2 = 3 -> [2, 5, 4]; fused relu after bias -3
  // -> [0, 2, 1].
  ConvShape s;
  s.in_w = 2;
  s.out_w = 3;
  s.p = conv_params(1, 3);
  s.p.stride[1] = 2;
  s.p.pad_begin[1] = s.p.pad_end[1] = 1;
  const float bias = -3.0f;
  ActivationSpec relu;
  relu.kind = format::Activation::kRelu;
  check_close(run_conv_transpose(s, {1, 2}, {1, 2, 3}, &bias, relu), {0, 2, 1});
}

TEST_CASE("conv_transpose_f32: 1-D dilation 2 by hand") {
  // x = [1, 2], w = [1, 10], dilation 2: x0 -> positions 0, 2; x1 -> 1, 3.
  // out_w = (2-1)*1 + (2-1)*2 + 1 = 4 -> [1, 2, 10, 20]
  ConvShape s;
  s.in_w = 2;
  s.out_w = 4;
  s.p = conv_params(1, 2);
  s.p.dilation[1] = 2;
  check_close(run_conv_transpose(s, {1, 2}, {1, 10}), {1, 2, 10, 20});
}

TEST_CASE("conv_transpose_f32: groups read their own input channels by hand") {
  // 1x1 spatial, Cin = 2, Cout = 4, groups = 2, kernel 1x1: weights [4, 1, 1, 1].
  // Group 0 (oc 0, 1) reads x[0] = 3; group 1 (oc 2, 3) reads x[1] = 5.
  // w = [1, 2, 3, 4] -> y = [3, 6, 15, 20]
  ConvShape s;
  s.in_c = 2;
  s.out_c = 4;
  s.p = conv_params(1, 1, 2);
  check_close(run_conv_transpose(s, {3, 5}, {1, 2, 3, 4}), {3, 6, 15, 20});
}

// The adjoint of y = conv(x) for conv weights Wc [Cout, KH, KW, Cin/g].
//
// <conv(x), y> = sum x[n, ih, iw, g*cin_g + ic] * Wc[g*cout_g + j, kh, kw, ic]
//                    * y[n, oh, ow, g*cout_g + j]
// over all (oh, kh) with oh*stride - pad_begin + kh*dilation == ih (and the same for w).
// conv_transpose_f32 gathers exactly over that relation, so <x, convT(y)> has the
// same terms when convT maps conv's Cout channels back to its Cin channels
// (in_c = conv.out_c, out_c = conv.in_c, same groups, kernel, stride, pads,
// dilation; out_h/out_w = conv's input size) with weights Wt [Cin, KH, KW, Cout/g]:
//
//   Wt[g*cin_g + ic, kh, kw, j] = Wc[g*cout_g + j, kh, kw, ic]
//
// i.e. each group's block transposed in its two channel axes, kernel taps not
// flipped.
std::vector<float> adjoint_weights(const std::vector<float>& wc, uint32_t groups, uint32_t cin_g,
                                   uint32_t cout_g, uint32_t taps) {
  std::vector<float> wt(wc.size());
  for (uint32_t g = 0; g < groups; ++g)
    for (uint32_t j = 0; j < cout_g; ++j)
      for (uint32_t t = 0; t < taps; ++t)
        for (uint32_t ic = 0; ic < cin_g; ++ic)
          wt[((size_t(g) * cin_g + ic) * taps + t) * cout_g + j] =
              wc[((size_t(g) * cout_g + j) * taps + t) * cin_g + ic];
  return wt;
}

TEST_CASE("conv_transpose_f32: is the adjoint of conv_f32, <conv(x), y> == <x, convT(y)>") {
  std::mt19937 rng(31);
  int checked = 0, strided = 0, grouped = 0, depthwise = 0, asymmetric = 0, dilated = 0;
  for (int iter = 0; iter < 300; ++iter) {
    const uint32_t groups = random_u32(rng, 1, 3);
    const bool dw = groups > 1 && iter % 3 == 0;
    const uint32_t cin_g = dw ? 1 : random_u32(rng, 1, 3);
    const uint32_t cout_g = random_u32(rng, 1, 3);
    ConvShape c;
    c.batch = random_u32(rng, 1, 2);
    c.in_h = random_u32(rng, 1, 7);
    c.in_w = random_u32(rng, 1, 7);
    c.in_c = groups * cin_g;
    c.out_c = groups * cout_g;
    c.p = conv_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)),
                      int32_t(groups));
    for (int a = 0; a < 2; ++a) {
      c.p.stride[a] = int32_t(random_u32(rng, 1, 3));
      c.p.pad_begin[a] = int32_t(random_u32(rng, 0, 2));
      c.p.pad_end[a] = int32_t(random_u32(rng, 0, 2));
      c.p.dilation[a] = int32_t(random_u32(rng, 1, 2));
    }
    c.out_h = conv_out_size(c.in_h, c.p.kernel[0], c.p.stride[0], c.p.pad_begin[0], c.p.pad_end[0],
                            c.p.dilation[0]);
    c.out_w = conv_out_size(c.in_w, c.p.kernel[1], c.p.stride[1], c.p.pad_begin[1], c.p.pad_end[1],
                            c.p.dilation[1]);
    if (c.out_h == 0 || c.out_w == 0) continue;

    ConvShape t = c;  // the transpose problem: conv's output space -> its input space
    t.in_h = c.out_h;
    t.in_w = c.out_w;
    t.in_c = c.out_c;
    t.out_h = c.in_h;
    t.out_w = c.in_w;
    t.out_c = c.in_c;

    const uint32_t taps = uint32_t(c.p.kernel[0] * c.p.kernel[1]);
    const std::vector<float> wc = random_floats(rng, size_t(c.out_c) * taps * cin_g);
    const std::vector<float> wt = adjoint_weights(wc, groups, cin_g, cout_g, taps);
    const std::vector<float> x = random_floats(rng, size_t(c.batch) * c.in_h * c.in_w * c.in_c);
    const std::vector<float> y = random_floats(rng, size_t(c.batch) * c.out_h * c.out_w * c.out_c);

    std::vector<float> cx(y.size()), ty(x.size());
    const std::vector<float> wc_packed = to_kernel_layout(wc, c.out_c, taps, cin_g);
    const std::vector<float> wt_packed = to_kernel_layout(wt, t.out_c, taps, cout_g);
    conv_f32(c, x.data(), wc_packed.data(), nullptr, kNoAct, cx.data());
    conv_transpose_f32(t, y.data(), wt_packed.data(), nullptr, kNoAct, ty.data());
    const double lhs = dot(cx, y), rhs = dot(x, ty);
    INFO("iter " << iter << " groups " << groups << " cin_g " << cin_g << " cout_g " << cout_g
                 << " in " << c.in_h << "x" << c.in_w << " k " << c.p.kernel[0] << "x"
                 << c.p.kernel[1] << " s " << c.p.stride[0] << "," << c.p.stride[1]);
    CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5).scale(1.0));
    ++checked;
    strided += c.p.stride[0] > 1 || c.p.stride[1] > 1;
    grouped += groups > 1;
    depthwise += dw;
    asymmetric += c.p.pad_begin[0] != c.p.pad_end[0] || c.p.pad_begin[1] != c.p.pad_end[1];
    dilated += c.p.dilation[0] > 1 || c.p.dilation[1] > 1;
  }
  // The random draw must actually cover every feature the property is about.
  CHECK(checked > 100);
  CHECK(strided > 20);
  CHECK(grouped > 20);
  CHECK(depthwise > 10);
  CHECK(asymmetric > 20);
  CHECK(dilated > 20);
}

TEST_CASE("conv_transpose_f32: grouped equals the concatenation of per-group transposes") {
  std::mt19937 rng(32);
  for (int iter = 0; iter < 30; ++iter) {
    const uint32_t groups = random_u32(rng, 2, 3);
    const uint32_t cin_g = random_u32(rng, 1, 3), cout_g = random_u32(rng, 1, 3);
    ConvShape s;
    s.in_h = random_u32(rng, 1, 4);
    s.in_w = random_u32(rng, 1, 4);
    s.in_c = groups * cin_g;
    s.out_c = groups * cout_g;
    s.p = conv_params(int32_t(random_u32(rng, 1, 3)), int32_t(random_u32(rng, 1, 3)),
                      int32_t(groups));
    s.p.stride[0] = int32_t(random_u32(rng, 1, 3));
    s.p.stride[1] = int32_t(random_u32(rng, 1, 3));
    // ONNX: out = (in - 1) * stride + kernel (no pads, dilation 1, output_padding 0)
    s.out_h = (s.in_h - 1) * uint32_t(s.p.stride[0]) + uint32_t(s.p.kernel[0]);
    s.out_w = (s.in_w - 1) * uint32_t(s.p.stride[1]) + uint32_t(s.p.kernel[1]);
    const uint32_t taps = uint32_t(s.p.kernel[0] * s.p.kernel[1]);
    const size_t in_pos = size_t(s.in_h) * s.in_w, out_pos = size_t(s.out_h) * s.out_w;
    const std::vector<float> x = random_floats(rng, in_pos * s.in_c);
    const std::vector<float> w = random_floats(rng, size_t(s.out_c) * taps * cin_g);
    const std::vector<float> y = run_conv_transpose(s, x, w);

    std::vector<float> want(out_pos * s.out_c);
    for (uint32_t g = 0; g < groups; ++g) {
      ConvShape sg = s;
      sg.in_c = cin_g;
      sg.out_c = cout_g;
      sg.p.groups = 1;
      std::vector<float> xg(in_pos * cin_g);
      for (size_t p = 0; p < in_pos; ++p)
        for (uint32_t i = 0; i < cin_g; ++i) xg[p * cin_g + i] = x[p * s.in_c + g * cin_g + i];
      const std::vector<float> wg(w.begin() + long(size_t(g) * cout_g * taps * cin_g),
                                  w.begin() + long(size_t(g + 1) * cout_g * taps * cin_g));
      const std::vector<float> yg = run_conv_transpose(sg, xg, wg);
      for (size_t p = 0; p < out_pos; ++p)
        for (uint32_t i = 0; i < cout_g; ++i)
          want[p * s.out_c + g * cout_g + i] = yg[p * cout_g + i];
    }
    INFO("iter " << iter);
    check_close(y, want);
  }
}

}  // namespace
}  // namespace edgeae::ref::test
