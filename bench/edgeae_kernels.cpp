// Per-kernel throughput of each edgeae kernel set: the KernelSet function
// pointers called directly on layers of the benchmark models, GFLOP/s =
// 2 * nominal MACs per call / time.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "edgeae/kernel_sets.hpp"
#include "kernel_cases.hpp"
#include "kernels/kernel_set.hpp"

namespace edgeae::bench {
namespace {

// Buffers in the layouts the kernels read (reference.hpp): x [1, H, W, Cin],
// conv weights [KH, KW, Cin, Cout], dense B [K, N], y [1, OH, OW, Cout].
struct KernelData {
  const KernelCase* c = nullptr;
  std::unique_ptr<AlignedBytes> x, w, bias, y;
  ref::DenseShape dense;
  ref::ConvShape conv;
  ref::ActivationSpec relu;

  size_t y_count() const { return size_t{c->out_h} * c->out_w * c->out_c; }
};

std::unique_ptr<AlignedBytes> filled(const std::vector<float>& v) {
  auto b = std::make_unique<AlignedBytes>(v.size() * sizeof(float));
  std::copy(v.begin(), v.end(), b->floats());
  return b;
}

std::unique_ptr<KernelData> make_data(const KernelCase& c) {
  auto d = std::make_unique<KernelData>();
  d->c = &c;
  std::mt19937 rng(kWeightSeed);
  const size_t x_count = size_t{c.in_h} * c.in_w * c.in_c;
  const size_t taps = size_t{c.kernel_h} * c.kernel_w;
  d->x = filled(random_floats(rng, x_count, 0.0f, 1.0f));
  d->w = filled(random_weights(rng, taps * c.in_c * c.out_c, taps * c.in_c));
  d->bias = filled(random_weights(rng, c.out_c, taps * c.in_c));
  d->y = std::make_unique<AlignedBytes>(d->y_count() * sizeof(float));
  d->relu.kind = format::Activation::kRelu;
  d->dense.m = 1;
  d->dense.k = c.in_c;
  d->dense.n = c.out_c;
  d->dense.bias_stride_m = 0;
  d->dense.bias_stride_n = 1;
  ref::ConvShape& s = d->conv;
  s.batch = 1;
  s.in_h = c.in_h;
  s.in_w = c.in_w;
  s.in_c = c.in_c;
  s.out_h = c.out_h;
  s.out_w = c.out_w;
  s.out_c = c.out_c;
  s.p.kernel[0] = static_cast<int32_t>(c.kernel_h);
  s.p.kernel[1] = static_cast<int32_t>(c.kernel_w);
  s.p.stride[0] = static_cast<int32_t>(c.stride_h);
  s.p.stride[1] = static_cast<int32_t>(c.stride_w);
  s.p.pad_begin[0] = s.p.pad_end[0] = static_cast<int32_t>(c.pad_h);
  s.p.pad_begin[1] = s.p.pad_end[1] = static_cast<int32_t>(c.pad_w);
  s.p.dilation[0] = s.p.dilation[1] = 1;
  s.p.groups = 1;
  s.p.output_padding[0] = s.p.output_padding[1] = 0;
  return d;
}

inline void call(const KernelSet& k, const KernelData& d) {
  float* y = d.y->floats();
  switch (d.c->kind) {
    case KernelKind::kDense:
      k.dense(d.dense, d.x->floats(), d.w->floats(), d.bias->floats(), d.relu, y);
      break;
    case KernelKind::kConv:
      k.conv(d.conv, d.x->floats(), d.w->floats(), d.bias->floats(), d.relu, y);
      break;
    case KernelKind::kConvTranspose:
      k.conv_transpose(d.conv, d.x->floats(), d.w->floats(), d.bias->floats(), d.relu, y);
      break;
  }
}

void run_kernel(benchmark::State& state, const KernelData* d, const KernelSet* set) {
  call(*set, *d);
  if (!all_finite(d->y->floats(), d->y_count())) {
    state.SkipWithError("output is not finite");
    return;
  }
  for (auto _ : state) {
    call(*set, *d);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(d->c->macs()),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_kernel_benchmarks() {
  static std::vector<std::unique_ptr<KernelData>> data;
  for (const KernelCase& c : kKernelCases) {
    data.push_back(make_data(c));
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      const std::string name = std::string("kernel/") + c.name + "/edgeae:" + kernel_set_name(set);
      benchmark::RegisterBenchmark(name.c_str(), run_kernel, data.back().get(), set)
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime();
    }
  }
}

}  // namespace edgeae::bench
