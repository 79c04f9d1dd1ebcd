// XNNPACK peer: the benchmark models rebuilt from XNNPACK's float32 operators
// with the same graph shapes and random weights (fixed seed), NHWC buffers, a
// 1-D layer as 2-D with H = 1, ReLU as the fused output clamp. Every operator
// is created and set up once; the benchmark times the xnn_run_operator calls
// only, single thread (threadpool null), batch 1.
#include <benchmark/benchmark.h>
#include <xnnpack.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kernel_cases.hpp"
#include "xnn_net.hpp"

namespace edgeae::bench {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// A straight-line list of set-up XNNPACK operators and the buffers they read
// and write. The first failure is kept in `error` and stops the building.
class XnnNet : public XnnOperators {
 public:
  // A zeroed buffer of n floats.
  float* tensor(size_t n) { return buffer(n * sizeof(float)).floats(); }

  // y[out] = act(W x + b), W [out, in] (XNNPACK's default layout).
  void fully_connected(size_t in, size_t out, const float* x, float* y, bool relu) {
    if (!error.empty()) return;
    const std::vector<float> w = random_weights(rng_, in * out, in);
    const std::vector<float> b = random_weights(rng_, out, in);
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_fully_connected_nc_f32(
        in, out, in, out, w.data(), b.data(), relu ? 0.0f : -kInf, kInf, 0, &op);
    if (!check(created, "xnn_create_fully_connected_nc_f32", op)) return;
    check(xnn_setup_fully_connected_nc_f32(op, 1, x, y, nullptr), "xnn_setup_fully_connected");
  }

  // Convolution over [1, H, W, Cin], weights [Cout, KH, KW, Cin] (OHWI),
  // symmetric padding.
  void convolution(size_t in_h, size_t in_w, size_t cin, size_t cout, uint32_t kh, uint32_t kw,
                   uint32_t sh, uint32_t sw, uint32_t ph, uint32_t pw, const float* x, float* y,
                   bool relu) {
    if (!error.empty()) return;
    const size_t fan_in = size_t{kh} * kw * cin;
    const std::vector<float> w = random_weights(rng_, fan_in * cout, fan_in);
    const std::vector<float> b = random_weights(rng_, cout, fan_in);
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_convolution2d_nhwc_f32(
        ph, pw, ph, pw, kh, kw, sh, sw, 1, 1, 1, cin, cout, cin, cout, w.data(), b.data(),
        relu ? 0.0f : -kInf, kInf, 0, &op);
    if (!check(created, "xnn_create_convolution2d_nhwc_f32", op)) return;
    check(xnn_setup_convolution2d_nhwc_f32(op, 1, in_h, in_w, x, y, nullptr),
          "xnn_setup_convolution2d_nhwc_f32");
  }

  // Transposed convolution (ONNX ConvTranspose): `ph`/`pw` are ONNX's pads
  // (cropped from the output), `adj_h`/`adj_w` its output_padding.
  void deconvolution(size_t in_h, size_t in_w, size_t cin, size_t cout, uint32_t kh, uint32_t kw,
                     uint32_t sh, uint32_t sw, uint32_t ph, uint32_t pw, uint32_t adj_h,
                     uint32_t adj_w, const float* x, float* y, bool relu) {
    if (!error.empty()) return;
    const size_t fan_in = size_t{kh} * kw * cout;  // PyTorch's fan-in of ConvTranspose weights
    const std::vector<float> w = random_weights(rng_, size_t{kh} * kw * cin * cout, fan_in);
    const std::vector<float> b = random_weights(rng_, cout, fan_in);
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_deconvolution2d_nhwc_f32(
        ph, pw, ph, pw, kh, kw, sh, sw, 1, 1, 1, cin, cout, cin, cout, w.data(), b.data(),
        relu ? 0.0f : -kInf, kInf, 0, &op);
    if (!check(created, "xnn_create_deconvolution2d_nhwc_f32", op)) return;
    check(xnn_setup_deconvolution2d_nhwc_f32(op, 1, in_h, in_w, adj_h, adj_w, x, y, nullptr),
          "xnn_setup_deconvolution2d_nhwc_f32");
  }

  void add(size_t n, const float* a, const float* b, float* y) {
    if (!error.empty()) return;
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_add_nd_f32(-kInf, kInf, 0, &op);
    if (!check(created, "xnn_create_add_nd_f32", op)) return;
    check(xnn_setup_add_nd_f32(op, 1, &n, 1, &n, a, b, y, nullptr), "xnn_setup_add_nd_f32");
  }

  void subtract(size_t n, const float* a, const float* b, float* y) {
    if (!error.empty()) return;
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_subtract_nd_f32(-kInf, kInf, 0, &op);
    if (!check(created, "xnn_create_subtract_nd_f32", op)) return;
    check(xnn_setup_subtract_nd_f32(op, 1, &n, 1, &n, a, b, y, nullptr),
          "xnn_setup_subtract_nd_f32");
  }

  void sigmoid(size_t n, const float* x, float* y) {
    if (!error.empty()) return;
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_sigmoid_nc_f32(n, n, n, 0, &op);
    if (!check(created, "xnn_create_sigmoid_nc_f32", op)) return;
    check(xnn_setup_sigmoid_nc_f32(op, 1, x, y, nullptr), "xnn_setup_sigmoid_nc_f32");
  }

  float* input = nullptr;
  size_t input_count = 0;
  float* output = nullptr;
  size_t output_count = 0;
};

void set_input(XnnNet& net, size_t n) {
  net.input = net.tensor(n);
  net.input_count = n;
  const std::vector<float> v = model_input(n);
  std::copy(v.begin(), v.end(), net.input);
}

// Input [1, 784]; Linear 784->256 ReLU, 256->64 ReLU, 64->256 ReLU, 256->784
// Sigmoid.
void build_dense_ae(XnnNet& net) {
  set_input(net, 784);
  float* h1 = net.tensor(256);
  float* h2 = net.tensor(64);
  float* h3 = net.tensor(256);
  float* z = net.tensor(784);
  float* y = net.tensor(784);
  net.fully_connected(784, 256, net.input, h1, true);
  net.fully_connected(256, 64, h1, h2, true);
  net.fully_connected(64, 256, h2, h3, true);
  net.fully_connected(256, 784, h3, z, false);
  net.sigmoid(784, z, y);
  net.output = y;
  net.output_count = 784;
}

// Input [1, 28, 28, 1]; Conv 1->16 k3 s2 p1 ReLU (14x14); Conv 16->32 k3 s2 p1
// ReLU (7x7); ConvTranspose 32->16 k3 s2 p1 op1 ReLU (14x14); ConvTranspose
// 16->1 k3 s2 p1 op1 (28x28); Sigmoid.
void build_conv2d_ae(XnnNet& net) {
  set_input(net, 28 * 28);
  float* c1 = net.tensor(14 * 14 * 16);
  float* c2 = net.tensor(7 * 7 * 32);
  float* d1 = net.tensor(14 * 14 * 16);
  float* d2 = net.tensor(28 * 28);
  float* y = net.tensor(28 * 28);
  net.convolution(28, 28, 1, 16, 3, 3, 2, 2, 1, 1, net.input, c1, true);
  net.convolution(14, 14, 16, 32, 3, 3, 2, 2, 1, 1, c1, c2, true);
  net.deconvolution(7, 7, 32, 16, 3, 3, 2, 2, 1, 1, 1, 1, c2, d1, true);
  net.deconvolution(14, 14, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1, d1, d2, false);
  net.sigmoid(28 * 28, d2, y);
  net.output = y;
  net.output_count = 28 * 28;
}

// Input [1, 1, 1024, 1] (W = 1024, H = 1). Encoder: Conv1d 1->16, 16->32,
// 32->64, each k9 s2 p4 ReLU (512, 256, 128). Decoder: ConvTranspose1d 64->32
// k8 s2 p3 ReLU (256) + e2; 32->16 ReLU (512) + e1; 16->1 (1024); y = x - d3.
void build_conv1d_unet(XnnNet& net) {
  set_input(net, 1024);
  float* e1 = net.tensor(512 * 16);
  float* e2 = net.tensor(256 * 32);
  float* e3 = net.tensor(128 * 64);
  float* d1 = net.tensor(256 * 32);
  float* a1 = net.tensor(256 * 32);
  float* d2 = net.tensor(512 * 16);
  float* a2 = net.tensor(512 * 16);
  float* d3 = net.tensor(1024);
  float* y = net.tensor(1024);
  net.convolution(1, 1024, 1, 16, 1, 9, 1, 2, 0, 4, net.input, e1, true);
  net.convolution(1, 512, 16, 32, 1, 9, 1, 2, 0, 4, e1, e2, true);
  net.convolution(1, 256, 32, 64, 1, 9, 1, 2, 0, 4, e2, e3, true);
  net.deconvolution(1, 128, 64, 32, 1, 8, 1, 2, 0, 3, 0, 0, e3, d1, true);
  net.add(256 * 32, d1, e2, a1);
  net.deconvolution(1, 256, 32, 16, 1, 8, 1, 2, 0, 3, 0, 0, a1, d2, true);
  net.add(512 * 16, d2, e1, a2);
  net.deconvolution(1, 512, 16, 1, 1, 8, 1, 2, 0, 3, 0, 0, a2, d3, false);
  net.subtract(1024, net.input, d3, y);
  net.output = y;
  net.output_count = 1024;
}

// Input [1, 784]; Linear 784->32, Linear 32->784, no activation.
void build_pca_linear(XnnNet& net) {
  set_input(net, 784);
  float* code = net.tensor(32);
  float* y = net.tensor(784);
  net.fully_connected(784, 32, net.input, code, false);
  net.fully_connected(32, 784, code, y, false);
  net.output = y;
  net.output_count = 784;
}

// One layer of kernel_cases.hpp, ReLU fused.
void build_kernel_case(XnnNet& net, const KernelCase& c) {
  set_input(net, size_t{c.in_h} * c.in_w * c.in_c);
  net.output_count = size_t{c.out_h} * c.out_w * c.out_c;
  net.output = net.tensor(net.output_count);
  switch (c.kind) {
    case KernelKind::kDense:
      net.fully_connected(c.in_c, c.out_c, net.input, net.output, true);
      break;
    case KernelKind::kConv:
      net.convolution(c.in_h, c.in_w, c.in_c, c.out_c, c.kernel_h, c.kernel_w, c.stride_h,
                      c.stride_w, c.pad_h, c.pad_w, net.input, net.output, true);
      break;
    case KernelKind::kConvTranspose:
      net.deconvolution(c.in_h, c.in_w, c.in_c, c.out_c, c.kernel_h, c.kernel_w, c.stride_h,
                        c.stride_w, c.pad_h, c.pad_w, 0, 0, net.input, net.output, true);
      break;
  }
}

bool initialized() {
  static const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  return ok;
}

// After a first run: finite, and written (the buffers start zeroed; random
// weights and a U(0, 1) input make an all-zero result implausible).
void check_output(XnnNet& net) {
  if (!net.error.empty()) return;
  if (!all_finite(net.output, net.output_count)) {
    net.error = "output is not finite";
  } else if (std::all_of(net.output, net.output + net.output_count,
                         [](float v) { return v == 0.0f; })) {
    net.error = "output is all zeros: the operators did not run";
  }
}

// Builds the net and runs it once; an error leaves net.error set.
std::unique_ptr<XnnNet> make_net(void (*build)(XnnNet&)) {
  auto net = std::make_unique<XnnNet>();
  if (!initialized()) {
    net->error = "xnn_initialize failed (CPU not supported?)";
    return net;
  }
  build(*net);
  if (net->error.empty() && !net->run()) net->error = "xnn_run_operator failed";
  check_output(*net);
  return net;
}

void run_net(benchmark::State& state, XnnNet* net, uint64_t macs) {
  if (!net->error.empty()) {
    state.SkipWithError(net->error.c_str());
    return;
  }
  for (auto _ : state) {
    const bool ok = net->run();
    benchmark::DoNotOptimize(ok);
  }
  if (!all_finite(net->output, net->output_count)) {
    state.SkipWithError("output is not finite after the timed runs");
    return;
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(macs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<std::unique_ptr<XnnNet>>& nets() {
  static std::vector<std::unique_ptr<XnnNet>> all;
  return all;
}

void register_net(const std::string& name, std::unique_ptr<XnnNet> net, uint64_t macs) {
  if (!net->error.empty())
    std::fprintf(stderr, "edgeae_bench: %s: %s\n", name.c_str(), net->error.c_str());
  benchmark::RegisterBenchmark(name.c_str(), run_net, net.get(), macs)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  nets().push_back(std::move(net));
}

}  // namespace

void register_xnnpack_models() {
  struct Entry {
    const char* model;
    void (*build)(XnnNet&);
  };
  const Entry entries[] = {{"dense_ae", build_dense_ae},
                           {"conv2d_ae", build_conv2d_ae},
                           {"conv1d_unet", build_conv1d_unet},
                           {"pca_linear", build_pca_linear}};
  for (const Entry& e : entries)
    register_net(std::string("model/") + e.model + "/xnnpack", make_net(e.build),
                 model_macs(e.model));
}

void register_xnnpack_kernels() {
  for (const KernelCase& c : kKernelCases) {
    auto net = std::make_unique<XnnNet>();
    if (!initialized()) {
      net->error = "xnn_initialize failed (CPU not supported?)";
    } else {
      build_kernel_case(*net, c);
      if (net->error.empty() && !net->run()) net->error = "xnn_run_operator failed";
      check_output(*net);
    }
    register_net(std::string("kernel/") + c.name + "/xnnpack", std::move(net), c.macs());
  }
}

std::string xnnpack_description() {
  return "XNNPACK operator API (Debian libxnnpack, snapshot 2022-02-16), f32, threadpool null";
}

}  // namespace edgeae::bench
