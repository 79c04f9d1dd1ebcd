// Every op of the float set through the quantizer, in int8 and int16: a small
// float graph around the op is calibrated on random inputs, quantized, and
// run on other random inputs; the quantized output must follow the float
// one (SNR against it), with every kernel set giving the same bytes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>

#include "quant/quantize.hpp"
#include "runtime/test_models.hpp"

namespace edgeae {
namespace {

using format::Activation;
using format::DType;
using format::OpType;

// Input [1, 12, 8] (channels-last 1-D: W 12, C 8), values in [-1, 1].
constexpr uint32_t kW = 12, kC = 8;

struct OpCase {
  const char* name;
  std::function<uint32_t(blob::GraphBuilder&, uint32_t)> build;  // returns the output
};

format::PoolParams pool_params(int k, int s, int pad) {
  format::PoolParams p{};
  p.kernel[0] = 1;
  p.kernel[1] = k;
  p.stride[0] = 1;
  p.stride[1] = s;
  p.pad_begin[1] = pad;
  p.pad_end[1] = pad;
  p.dilation[0] = p.dilation[1] = 1;
  return p;
}

uint32_t conv(blob::GraphBuilder& g, uint32_t x, uint32_t cout, int groups, bool transposed,
              Activation act = Activation::kNone) {
  const auto p = testing::conv_params(1, 3, 1, transposed ? 2 : 1, 0, 1, 0, 1, groups);
  const uint32_t cin_g = kC / static_cast<uint32_t>(groups);
  const uint32_t w = g.constant("w", {1, 3, cin_g, cout},
                                testing::random_values(3 * cin_g * cout, cout + 11, -0.5f, 0.5f));
  const uint32_t b = g.constant("b", {cout}, testing::random_values(cout, 5, -0.2f, 0.2f));
  return g.conv(x, w, b, p, {act}, transposed);
}

const OpCase kCases[] = {
    {"Dense+Relu",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t flat = g.view(x, {1, kW * kC});
       const uint32_t w =
           g.constant("w", {kW * kC, 20}, testing::random_values(kW * kC * 20, 3, -0.2f, 0.2f));
       return g.dense(flat, w, format::kNoId, false, {Activation::kRelu});
     }},
    {"Conv", [](blob::GraphBuilder& g, uint32_t x) { return conv(g, x, 16, 1, false); }},
    {"Conv groups 2", [](blob::GraphBuilder& g, uint32_t x) { return conv(g, x, 8, 2, false); }},
    {"Conv depthwise",
     [](blob::GraphBuilder& g, uint32_t x) { return conv(g, x, 8, 8, false, Activation::kRelu); }},
    {"ConvTranspose", [](blob::GraphBuilder& g, uint32_t x) { return conv(g, x, 6, 1, true); }},
    {"Relu", [](blob::GraphBuilder& g, uint32_t x) { return g.unary(OpType::kRelu, x); }},
    {"LeakyRelu",
     [](blob::GraphBuilder& g, uint32_t x) { return g.unary(OpType::kLeakyRelu, x, 0.1f); }},
    {"Sigmoid", [](blob::GraphBuilder& g, uint32_t x) { return g.unary(OpType::kSigmoid, x); }},
    {"Tanh", [](blob::GraphBuilder& g, uint32_t x) { return g.unary(OpType::kTanh, x); }},
    {"Clip",
     [](blob::GraphBuilder& g, uint32_t x) { return g.unary(OpType::kClip, x, -0.5f, 0.25f); }},
    {"HardSigmoid", [](blob::GraphBuilder& g,
                       uint32_t x) { return g.unary(OpType::kHardSigmoid, x, 0.2f, 0.5f); }},
    {"PRelu per channel",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t slope = g.constant("slope", {kC}, testing::random_values(kC, 9, 0.0f, 0.5f));
       return g.binary(OpType::kPRelu, x, slope);
     }},
    {"Add of two scales",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t big = g.unary(OpType::kLeakyRelu, x, 3.0f);  // a wider range
       return g.binary(OpType::kAdd, x, big, {Activation::kRelu});
     }},
    {"Sub constant",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t c = g.constant("c", {kC}, testing::random_values(kC, 4, -1.0f, 1.0f));
       return g.binary(OpType::kSub, x, c);
     }},
    {"Mul",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t t = g.unary(OpType::kTanh, x);
       return g.binary(OpType::kMul, x, t);
     }},
    {"Concat of two scales",
     [](blob::GraphBuilder& g, uint32_t x) {
       const uint32_t s = g.unary(OpType::kSigmoid, x);
       blob::OpDesc d;
       d.type = OpType::kConcat;
       d.inputs = {x, s};
       d.with(format::ConcatParams{2});
       return g.op(d);
     }},
    {"MaxPool",
     [](blob::GraphBuilder& g, uint32_t x) {
       blob::OpDesc d;
       d.type = OpType::kMaxPool;
       d.inputs = {x};
       d.with(pool_params(3, 2, 1));
       return g.op(d);
     }},
    {"AveragePool",
     [](blob::GraphBuilder& g, uint32_t x) {
       blob::OpDesc d;
       d.type = OpType::kAveragePool;
       d.inputs = {x};
       d.with(pool_params(3, 1, 1));
       return g.op(d);
     }},
    {"GlobalAveragePool",
     [](blob::GraphBuilder& g, uint32_t x) {
       blob::OpDesc d;
       d.type = OpType::kGlobalAveragePool;
       d.inputs = {x};
       return g.op(d);
     }},
    {"Resize",
     [](blob::GraphBuilder& g, uint32_t x) {
       blob::OpDesc d;
       d.type = OpType::kResize;
       d.inputs = {x};
       format::ResizeParams p{};
       p.scale[0] = 1;
       p.scale[1] = 2;
       p.scale[2] = 1;
       d.with(p);
       return g.op(d);
     }},
    {"Transpose",
     [](blob::GraphBuilder& g, uint32_t x) {
       blob::OpDesc d;
       d.type = OpType::kTranspose;
       d.inputs = {x};
       format::TransposeParams p{};
       p.perm[0] = 0;
       p.perm[1] = 2;
       p.perm[2] = 1;
       d.with(p);
       return g.op(d);
     }},
};

double snr_db(const std::vector<float>& ref, const std::vector<float>& x) {
  double s = 0, n = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    s += double(ref[i]) * ref[i];
    n += (double(ref[i]) - x[i]) * (double(ref[i]) - x[i]);
  }
  return n == 0 ? 300.0 : 10 * std::log10(s / n);
}

TEST_CASE("quantized ops: every op in int8 and int16 follows its float model") {
  const size_t n = kW * kC;
  std::vector<float> calibration, held_out;
  for (uint32_t i = 0; i < 16; ++i) {
    const auto v = testing::random_values(n, 100 + i);
    calibration.insert(calibration.end(), v.begin(), v.end());
  }
  for (uint32_t i = 0; i < 4; ++i) {
    const auto v = testing::random_values(n, 500 + i);
    held_out.insert(held_out.end(), v.begin(), v.end());
  }
  for (const OpCase& c : kCases) {
    const std::string name = c.name;
    CAPTURE(name);
    blob::GraphBuilder g;
    const uint32_t x = g.input("x", {1, kW, kC}, DType::kFloat32, format::Layout::kChannelsLast);
    g.output(c.build(g, x), "y");
    const blob::Blob fb = g.build();
    const Model f = testing::load_or_fail(fb);
    for (DType d : {DType::kInt8, DType::kInt16}) {
      const bool wide = d == DType::kInt16;
      CAPTURE(wide);
      const quant::Calibration cal = quant::calibrate(f, {calibration.data(), 16});
      const quant::QuantizedBlob qb = quant::quantize(f, cal, std::vector<DType>(f.op_count(), d));
      const Model q = testing::load_or_fail(qb.blob);
      double worst = 300;
      for (uint32_t s = 0; s < 4; ++s) {
        const std::vector<float> in(held_out.begin() + s * n, held_out.begin() + (s + 1) * n);
        const std::vector<float> want = testing::run_model(f, in, reference_kernels());
        const std::vector<float> got = testing::run_model(q, in);
        worst = std::min(worst, snr_db(want, got));
        // Every kernel set computes the same integers.
        std::vector<uint8_t> first;
        for (size_t k = 0; k < kernel_set_count(); ++k) {
          std::vector<uint8_t> arena(q.arena_bytes());
          Session session;
          REQUIRE(session.init(q, arena.data(), arena.size(), kernel_set(k)).ok());
          REQUIRE(session.set_input(0, in.data(), in.size()).ok());
          REQUIRE(session.run().ok());
          const auto* p = static_cast<const uint8_t*>(session.output_data(0));
          const std::vector<uint8_t> bytes(p, p + q.tensor(q.output_tensor(0)).bytes);
          if (k == 0) first = bytes;
          CHECK(bytes == first);
        }
      }
      const std::string summary =
          name + (wide ? " int16" : " int8") + ": worst SNR " + std::to_string(worst) + " dB";
      MESSAGE(summary);
      CHECK(worst >= (wide ? 55.0 : 25.0));
    }
  }
}

}  // namespace
}  // namespace edgeae
