// Shared pieces of edgeae_bench: the benchmark models' shapes, random data
// with a fixed seed, aligned buffers and the registration entry points of
// each benchmark family (edgeae, XNNPACK, Eigen, per-kernel).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace edgeae::bench {

// The four models of ../shared/bench-models (README.md there) and their
// nominal multiply-accumulates per sample (models.json): a convolution counts
// every tap, padded or not, as PyTorch-style MAC counters do.
struct ModelInfo {
  const char* name;  // benchmark names: model/<name>/<implementation>
  const char* file;  // <name>_b1.onnx
  uint64_t macs;
};
inline constexpr ModelInfo kModels[] = {
    {"dense_ae", "dense_ae_b1.onnx", 434176},
    {"conv2d_ae", "conv2d_ae_b1.onnx", 508032},
    {"conv1d_unet", "conv1d_unet_b1.onnx", 6823936},
    {"pca_linear", "pca_linear_b1.onnx", 50176},
};

inline uint64_t model_macs(const std::string& name) {
  for (const ModelInfo& m : kModels)
    if (name == m.name) return m.macs;
  return 0;
}

// Fixed seeds: every run times the same numbers.
inline constexpr uint32_t kWeightSeed = 20240601;
inline constexpr uint32_t kInputSeed = 7;

// Uniform in [lo, hi).
inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// PyTorch's default initialization scale: U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
// which keeps the activations of a random network bounded.
inline std::vector<float> random_weights(std::mt19937& rng, size_t n, size_t fan_in) {
  const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
  return random_floats(rng, n, -bound, bound);
}

// The input every implementation of a model sees: U(0, 1).
inline std::vector<float> model_input(size_t n) {
  std::mt19937 rng(kInputSeed);
  return random_floats(rng, n, 0.0f, 1.0f);
}

inline bool all_finite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

// 64-byte aligned, zeroed storage (edgeae wants 16-byte aligned arenas; 64
// suits AVX-512 loads and cache lines).
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t bytes) : size_(bytes) {
    const size_t rounded = (bytes + 63) / 64 * 64;
    data_.reset(static_cast<uint8_t*>(std::aligned_alloc(64, rounded == 0 ? 64 : rounded)));
    if (data_) std::fill(data_.get(), data_.get() + rounded, uint8_t{0});
  }
  uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  float* floats() const { return reinterpret_cast<float*>(data_.get()); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_;
};

// Registration of each family; they print a line to stderr and register
// nothing (or a benchmark that reports the error) when they cannot set up.
// Each model in float32 ("model/...") and in int8 ("model-int8/...",
// calibrated on random inputs like the timed one).
void register_edgeae_models(const std::string& models_dir);
// Per-inference overhead: a one-op 4x4 Dense model, per kernel set.
void register_edgeae_overhead();
void register_kernel_benchmarks();
void register_xnnpack_models();
void register_xnnpack_kernels();
void register_xnnpack_qs8_models();
void register_eigen_models();

// Extra lines for the benchmark context header (peer versions, flags).
std::string xnnpack_description();
std::string eigen_description();

}  // namespace edgeae::bench
