// XNNPACK's int8 (qs8) operators for the benchmark models: the same graphs
// as xnnpack_peer.cpp with per-tensor int8 quantization (arbitrary but
// plausible scales and random int8 weights: the time does not depend on the
// values), single thread, batch 1, xnn_run_operator calls only.
#include <benchmark/benchmark.h>
#include <xnnpack.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "xnn_net.hpp"

namespace edgeae::bench {
namespace {

constexpr float kScale = 0.02f;  // every activation's scale; zero point 0

class Qs8Net : public XnnOperators {
 public:
  int8_t* tensor(size_t n) { return reinterpret_cast<int8_t*>(buffer(n).data()); }

  void fully_connected(size_t in, size_t out, const int8_t* x, int8_t* y, bool relu) {
    if (!error.empty()) return;
    const std::vector<int8_t> w = weights(in * out);
    const std::vector<int32_t> b = biases(out);
    xnn_operator_t op = nullptr;
    const xnn_status created =
        xnn_create_fully_connected_nc_qs8(in, out, in, out, 0, kScale, kWeightScale, w.data(),
                                          b.data(), 0, kScale, relu ? 0 : -128, 127, 0, &op);
    if (!check(created, "xnn_create_fully_connected_nc_qs8", op)) return;
    check(xnn_setup_fully_connected_nc_qs8(op, 1, x, y, nullptr), "xnn_setup_fully_connected_qs8");
  }

  // Symmetric padding, weights OHWI.
  void convolution(size_t in_h, size_t in_w, size_t cin, size_t cout, uint32_t kh, uint32_t kw,
                   uint32_t sh, uint32_t sw, uint32_t ph, uint32_t pw, const int8_t* x, int8_t* y,
                   bool relu) {
    if (!error.empty()) return;
    const std::vector<int8_t> w = weights(size_t{kh} * kw * cin * cout);
    const std::vector<int32_t> b = biases(cout);
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_convolution2d_nhwc_qs8(
        ph, pw, ph, pw, kh, kw, sh, sw, 1, 1, 1, cin, cout, cin, cout, 0, kScale, kWeightScale,
        w.data(), b.data(), 0, kScale, relu ? 0 : -128, 127, 0, &op);
    if (!check(created, "xnn_create_convolution2d_nhwc_qs8", op)) return;
    check(xnn_setup_convolution2d_nhwc_qs8(op, 1, in_h, in_w, x, y, nullptr),
          "xnn_setup_convolution2d_nhwc_qs8");
  }

  void deconvolution(size_t in_h, size_t in_w, size_t cin, size_t cout, uint32_t kh, uint32_t kw,
                     uint32_t sh, uint32_t sw, uint32_t ph, uint32_t pw, uint32_t adj_h,
                     uint32_t adj_w, const int8_t* x, int8_t* y, bool relu) {
    if (!error.empty()) return;
    const std::vector<int8_t> w = weights(size_t{kh} * kw * cin * cout);
    const std::vector<int32_t> b = biases(cout);
    xnn_operator_t op = nullptr;
    const xnn_status created = xnn_create_deconvolution2d_nhwc_qs8(
        ph, pw, ph, pw, kh, kw, sh, sw, 1, 1, 1, cin, cout, cin, cout, 0, kScale, kWeightScale,
        w.data(), b.data(), 0, kScale, relu ? 0 : -128, 127, 0, &op);
    if (!check(created, "xnn_create_deconvolution2d_nhwc_qs8", op)) return;
    check(xnn_setup_deconvolution2d_nhwc_qs8(op, 1, in_h, in_w, adj_h, adj_w, x, y, nullptr),
          "xnn_setup_deconvolution2d_nhwc_qs8");
  }

  void add(size_t n, const int8_t* a, const int8_t* b, int8_t* y, bool subtract = false) {
    if (!error.empty()) return;
    xnn_operator_t op = nullptr;
    const xnn_status created =
        subtract ? xnn_create_subtract_nd_qs8(0, kScale, 0, kScale, 0, kScale, -128, 127, 0, &op)
                 : xnn_create_add_nd_qs8(0, kScale, 0, kScale, 0, kScale, -128, 127, 0, &op);
    if (!check(created, "xnn_create_add/subtract_nd_qs8", op)) return;
    check(subtract ? xnn_setup_subtract_nd_qs8(op, 1, &n, 1, &n, a, b, y, nullptr)
                   : xnn_setup_add_nd_qs8(op, 1, &n, 1, &n, a, b, y, nullptr),
          "xnn_setup_add/subtract_nd_qs8");
  }

  void sigmoid(size_t n, const int8_t* x, int8_t* y) {
    if (!error.empty()) return;
    xnn_operator_t op = nullptr;
    // XNNPACK's qs8 sigmoid wants output scale 1/256, zero point -128.
    const xnn_status created =
        xnn_create_sigmoid_nc_qs8(n, n, n, 0, kScale, -128, 1.0f / 256, -128, 127, 0, &op);
    if (!check(created, "xnn_create_sigmoid_nc_qs8", op)) return;
    check(xnn_setup_sigmoid_nc_qs8(op, 1, x, y, nullptr), "xnn_setup_sigmoid_nc_qs8");
  }

  int8_t* input = nullptr;
  size_t input_count = 0;

 private:
  static constexpr float kWeightScale = 0.01f;
  std::vector<int8_t> weights(size_t n) {
    std::uniform_int_distribution<int> d(-127, 127);
    std::vector<int8_t> w(n);
    for (int8_t& v : w) v = static_cast<int8_t>(d(rng_));
    return w;
  }
  std::vector<int32_t> biases(size_t n) {
    std::uniform_int_distribution<int32_t> d(-1000, 1000);
    std::vector<int32_t> b(n);
    for (int32_t& v : b) v = d(rng_);
    return b;
  }
};

void set_input(Qs8Net& net, size_t n) {
  net.input = net.tensor(n);
  net.input_count = n;
  const std::vector<float> v = model_input(n);
  for (size_t i = 0; i < n; ++i) net.input[i] = static_cast<int8_t>(v[i] / kScale);
}

void build_dense_ae(Qs8Net& net) {
  set_input(net, 784);
  int8_t *h1 = net.tensor(256), *h2 = net.tensor(64), *h3 = net.tensor(256);
  int8_t *z = net.tensor(784), *y = net.tensor(784);
  net.fully_connected(784, 256, net.input, h1, true);
  net.fully_connected(256, 64, h1, h2, true);
  net.fully_connected(64, 256, h2, h3, true);
  net.fully_connected(256, 784, h3, z, false);
  net.sigmoid(784, z, y);
}

void build_conv2d_ae(Qs8Net& net) {
  set_input(net, 28 * 28);
  int8_t *c1 = net.tensor(14 * 14 * 16), *c2 = net.tensor(7 * 7 * 32);
  int8_t *d1 = net.tensor(14 * 14 * 16), *d2 = net.tensor(28 * 28), *y = net.tensor(28 * 28);
  net.convolution(28, 28, 1, 16, 3, 3, 2, 2, 1, 1, net.input, c1, true);
  net.convolution(14, 14, 16, 32, 3, 3, 2, 2, 1, 1, c1, c2, true);
  net.deconvolution(7, 7, 32, 16, 3, 3, 2, 2, 1, 1, 1, 1, c2, d1, true);
  net.deconvolution(14, 14, 16, 1, 3, 3, 2, 2, 1, 1, 1, 1, d1, d2, false);
  net.sigmoid(28 * 28, d2, y);
}

void build_conv1d_unet(Qs8Net& net) {
  set_input(net, 1024);
  int8_t *e1 = net.tensor(512 * 16), *e2 = net.tensor(256 * 32), *e3 = net.tensor(128 * 64);
  int8_t *d1 = net.tensor(256 * 32), *a1 = net.tensor(256 * 32), *d2 = net.tensor(512 * 16);
  int8_t *a2 = net.tensor(512 * 16), *d3 = net.tensor(1024), *y = net.tensor(1024);
  net.convolution(1, 1024, 1, 16, 1, 9, 1, 2, 0, 4, net.input, e1, true);
  net.convolution(1, 512, 16, 32, 1, 9, 1, 2, 0, 4, e1, e2, true);
  net.convolution(1, 256, 32, 64, 1, 9, 1, 2, 0, 4, e2, e3, true);
  net.deconvolution(1, 128, 64, 32, 1, 8, 1, 2, 0, 3, 0, 0, e3, d1, true);
  net.add(256 * 32, d1, e2, a1);
  net.deconvolution(1, 256, 32, 16, 1, 8, 1, 2, 0, 3, 0, 0, a1, d2, true);
  net.add(512 * 16, d2, e1, a2);
  net.deconvolution(1, 512, 16, 1, 1, 8, 1, 2, 0, 3, 0, 0, a2, d3, false);
  net.add(1024, net.input, d3, y, true);
}

void build_pca_linear(Qs8Net& net) {
  set_input(net, 784);
  int8_t *code = net.tensor(32), *y = net.tensor(784);
  net.fully_connected(784, 32, net.input, code, false);
  net.fully_connected(32, 784, code, y, false);
}

void run_qs8(benchmark::State& state, Qs8Net* net, uint64_t macs) {
  if (!net->error.empty()) {
    state.SkipWithError(net->error.c_str());
    return;
  }
  for (auto _ : state) {
    const bool ok = net->run();
    benchmark::DoNotOptimize(ok);
  }
  state.counters["GOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(macs),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_xnnpack_qs8_models() {
  static std::vector<std::unique_ptr<Qs8Net>> nets;
  const bool ok = xnn_initialize(nullptr) == xnn_status_success;
  struct Entry {
    const char* model;
    void (*build)(Qs8Net&);
  };
  const Entry entries[] = {{"dense_ae", build_dense_ae},
                           {"conv2d_ae", build_conv2d_ae},
                           {"conv1d_unet", build_conv1d_unet},
                           {"pca_linear", build_pca_linear}};
  for (const Entry& e : entries) {
    auto net = std::make_unique<Qs8Net>();
    if (!ok) net->error = "xnn_initialize failed";
    if (net->error.empty()) e.build(*net);
    if (net->error.empty() && !net->run()) net->error = "xnn_run_operator failed";
    const std::string name = std::string("model-int8/") + e.model + "/xnnpack-qs8";
    if (!net->error.empty())
      std::fprintf(stderr, "edgeae_bench: %s: %s\n", name.c_str(), net->error.c_str());
    benchmark::RegisterBenchmark(name.c_str(), run_qs8, net.get(), model_macs(e.model))
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    nets.push_back(std::move(net));
  }
}

}  // namespace edgeae::bench
