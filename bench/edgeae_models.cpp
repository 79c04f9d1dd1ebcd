// Whole-model latency of edgeae: each ONNX model of the benchmark set is
// converted once at startup (float32), then one benchmark per kernel set times
// Session::run() alone, single thread, batch 1, with the input set once.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "blob/graph_builder.hpp"
#include "convert.hpp"
#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"

namespace edgeae::bench {
namespace {

// One converted model and one ready session per kernel set. Never moved once
// built: the Model points into the blob and the sessions into the arenas.
struct EdgeaeModel {
  std::string name;
  uint64_t macs = 0;
  blob::Blob blob;
  Model model;
  std::vector<float> input;
};

struct EdgeaeRun {
  const EdgeaeModel* m = nullptr;
  const KernelSet* set = nullptr;
  std::unique_ptr<AlignedBytes> arena;
  Session session;
  std::string error;  // set when the session could not be set up or misbehaved
};

std::string setup(EdgeaeRun& r) {
  const Model& model = r.m->model;
  r.arena = std::make_unique<AlignedBytes>(model.arena_bytes());
  Status s = r.session.init(model, r.arena->data(), r.arena->size(), r.set);
  if (!s.ok()) return std::string("Session::init: ") + s.message;
  s = r.session.set_input(0, r.m->input.data(), r.m->input.size());
  if (!s.ok()) return std::string("Session::set_input: ") + s.message;
  s = r.session.run();
  if (!s.ok()) return std::string("Session::run: ") + s.message;
  std::vector<float> out(model.output(0).element_count());
  s = r.session.get_output(0, out.data(), out.size());
  if (!s.ok()) return std::string("Session::get_output: ") + s.message;
  if (!all_finite(out.data(), out.size())) return "output is not finite";
  // Back to a clean state: the timed loop starts from the real input.
  s = r.session.set_input(0, r.m->input.data(), r.m->input.size());
  if (!s.ok()) return std::string("Session::set_input: ") + s.message;
  return "";
}

void run_edgeae(benchmark::State& state, EdgeaeRun* r) {
  if (!r->error.empty()) {
    state.SkipWithError(r->error.c_str());
    return;
  }
  // Only run(): the input was set once in setup(). The plan may reuse the
  // input's bytes, so later runs read what earlier ones left there; the
  // kernels' time does not depend on the values (bench/README.md), and the
  // output is checked again below.
  for (auto _ : state) {
    Status s = r->session.run();
    benchmark::DoNotOptimize(s);
  }
  std::vector<float> out(r->m->model.output(0).element_count());
  if (!r->session.get_output(0, out.data(), out.size()).ok() ||
      !all_finite(out.data(), out.size())) {
    state.SkipWithError("output is not finite after the timed runs");
    return;
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2e-9 * static_cast<double>(r->m->macs),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// One benchmark per kernel set for a model: "<prefix>/edgeae:<set>".
void register_runs(const EdgeaeModel& m, const std::string& prefix, const std::string& error,
                   std::vector<std::unique_ptr<EdgeaeRun>>& runs,
                   benchmark::TimeUnit unit = benchmark::kMicrosecond) {
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    auto r = std::make_unique<EdgeaeRun>();
    r->m = &m;
    r->set = kernel_set(i);
    r->error = error.empty() ? setup(*r) : error;
    const std::string name = prefix + "/edgeae:" + kernel_set_name(r->set);
    benchmark::RegisterBenchmark(name.c_str(), run_edgeae, r.get())->Unit(unit)->UseRealTime();
    runs.push_back(std::move(r));
  }
}

// The model in int8, calibrated on 8 random inputs like the timed one.
blob::Blob int8_blob(const std::string& path, size_t input_count) {
  const blob::Blob f = convert::float_blob_for_quantization_file(path);
  std::vector<float> calibration;
  std::mt19937 rng(kWeightSeed + 1);
  std::uniform_real_distribution<float> d(0.0f, 1.0f);
  for (size_t i = 0; i < 8 * input_count; ++i) calibration.push_back(d(rng));
  return convert::convert_quantized(f, {calibration.data(), 8}, convert::Precision::kInt8, {}).blob;
}

}  // namespace

void register_edgeae_overhead() {
  static EdgeaeModel tiny;
  static std::vector<std::unique_ptr<EdgeaeRun>> runs;
  blob::GraphBuilder g;
  const uint32_t x = g.input("x", {1, 4});
  const uint32_t w = g.constant("w", {4, 4}, std::vector<float>(16, 0.25f));
  g.output(g.dense(x, w, format::kNoId, false), "y");
  tiny.name = "tiny_dense";
  tiny.macs = 16;
  tiny.blob = g.build();
  std::string error;
  const Status s = tiny.model.load(tiny.blob.bytes.data(), tiny.blob.bytes.size());
  if (!s.ok()) error = std::string("Model::load: ") + s.message;
  tiny.input = model_input(4);
  // The runtime's fixed cost per inference: one 4x4 Dense, so nearly all of
  // the time is the session walking its op list and dispatching.
  register_runs(tiny, "overhead/tiny_dense", error, runs, benchmark::kNanosecond);
}

void register_edgeae_models(const std::string& models_dir) {
  // Kept for the whole process: benchmarks point into them.
  static std::vector<std::unique_ptr<EdgeaeModel>> models;
  static std::vector<std::unique_ptr<EdgeaeRun>> runs;
  for (const ModelInfo& info : kModels) {
    auto m = std::make_unique<EdgeaeModel>();
    m->name = info.name;
    m->macs = info.macs;
    const std::string path = models_dir + "/" + info.file;
    std::string error;
    try {
      m->blob = convert::convert_onnx_file(path);
      const Status s = m->model.load(m->blob.bytes.data(), m->blob.bytes.size());
      if (!s.ok()) error = std::string("Model::load: ") + s.message;
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty() && m->model.input_count() != 1) error = "expected one input";
    if (!error.empty()) {
      std::fprintf(stderr, "edgeae_bench: %s: %s\n", path.c_str(), error.c_str());
    } else {
      m->input = model_input(m->model.input(0).element_count());
    }
    register_runs(*m, std::string("model/") + info.name, error, runs);
    auto q = std::make_unique<EdgeaeModel>();
    q->name = info.name;
    q->macs = info.macs;
    std::string q_error = error;
    if (q_error.empty()) {
      try {
        q->blob = int8_blob(path, m->input.size());
        const Status s = q->model.load(q->blob.bytes.data(), q->blob.bytes.size());
        if (!s.ok()) q_error = std::string("Model::load (int8): ") + s.message;
        q->input = m->input;
      } catch (const std::exception& e) {
        q_error = e.what();
      }
    }
    register_runs(*q, std::string("model-int8/") + info.name, q_error, runs);
    models.push_back(std::move(m));
    models.push_back(std::move(q));
  }
}

}  // namespace edgeae::bench
