// Eigen peer for the dense models (dense_ae, pca_linear): row-major weight
// matrices, y = act(W x + b) per layer into preallocated vectors (no
// allocation in the timed loop), same shapes and random weights (fixed seed)
// as the ONNX models. This unit alone is compiled with the flags in
// EDGEAE_BENCH_EIGEN_FLAGS (default -march=native), since Eigen picks its
// SIMD width at compile time.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"

namespace edgeae::bench {
namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;

enum class Act { kNone, kRelu, kSigmoid };

struct Layer {
  Matrix w;  // [out, in]
  Vector b;  // [out]
  Act act;
  Vector y;  // [out]
};

struct EigenMlp {
  Vector x;
  std::vector<Layer> layers;

  void add(Eigen::Index in, Eigen::Index out, Act act, std::mt19937& rng) {
    Layer l;
    const std::vector<float> w = random_weights(rng, static_cast<size_t>(in * out), in);
    const std::vector<float> b = random_weights(rng, static_cast<size_t>(out), in);
    l.w = Eigen::Map<const Matrix>(w.data(), out, in);
    l.b = Eigen::Map<const Vector>(b.data(), out);
    l.act = act;
    l.y = Vector::Zero(out);
    layers.push_back(std::move(l));
  }

  const Vector& run() {
    const Vector* in = &x;
    for (Layer& l : layers) {
      l.y.noalias() = l.w * *in;
      l.y += l.b;
      if (l.act == Act::kRelu) {
        l.y = l.y.cwiseMax(0.0f);
      } else if (l.act == Act::kSigmoid) {
        l.y = (1.0f + (-l.y.array()).exp()).inverse().matrix();
      }
      in = &l.y;
    }
    return *in;
  }
};

std::unique_ptr<EigenMlp> make_mlp(Eigen::Index input,
                                   const std::vector<std::pair<Eigen::Index, Act>>& layers) {
  auto m = std::make_unique<EigenMlp>();
  std::mt19937 rng(kWeightSeed);
  const std::vector<float> x = model_input(static_cast<size_t>(input));
  m->x = Eigen::Map<const Vector>(x.data(), input);
  Eigen::Index in = input;
  for (const auto& [out, act] : layers) {
    m->add(in, out, act, rng);
    in = out;
  }
  return m;
}

void run_mlp(benchmark::State& state, EigenMlp* m, uint64_t macs) {
  const Vector& first = m->run();
  if (!all_finite(first.data(), static_cast<size_t>(first.size()))) {
    state.SkipWithError("output is not finite");
    return;
  }
  for (auto _ : state) {
    const Vector& y = m->run();
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(macs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_eigen_models() {
  static std::vector<std::unique_ptr<EigenMlp>> mlps;
  // dense_ae: 784->256 ReLU, 256->64 ReLU, 64->256 ReLU, 256->784 Sigmoid.
  mlps.push_back(make_mlp(
      784, {{256, Act::kRelu}, {64, Act::kRelu}, {256, Act::kRelu}, {784, Act::kSigmoid}}));
  benchmark::RegisterBenchmark("model/dense_ae/eigen", run_mlp, mlps.back().get(),
                               model_macs("dense_ae"))
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  // pca_linear: 784->32, 32->784, no activation.
  mlps.push_back(make_mlp(784, {{32, Act::kNone}, {784, Act::kNone}}));
  benchmark::RegisterBenchmark("model/pca_linear/eigen", run_mlp, mlps.back().get(),
                               model_macs("pca_linear"))
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
}

std::string eigen_description() {
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." +
         std::to_string(EIGEN_MAJOR_VERSION) + "." + std::to_string(EIGEN_MINOR_VERSION) +
         ", SIMD: " + Eigen::SimdInstructionSetsInUse() +
         " (flags: " EDGEAE_BENCH_EIGEN_FLAGS_STR ")";
}

}  // namespace edgeae::bench
