// edgeae_bench: Google Benchmark suite of edgeae against its peers (XNNPACK,
// Eigen) on the benchmark models, plus per-kernel throughput. After the
// benchmarks, prints a summary of the median times of this one run
// (bench/README.md says what each benchmark measures).
//
//   edgeae_bench [--models=DIR] [--benchmark_* flags]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "edgeae/kernel_sets.hpp"
#include "kernel_cases.hpp"

namespace edgeae::bench {
namespace {

// The console output of Google Benchmark, plus the median real time of each
// benchmark: the "median" aggregate when repetitions are on, else the median
// of the runs it saw.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  explicit SummaryReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      const std::string& name = r.run_name.function_name;
      if (r.error_occurred) {
        errors_[name] = r.error_message;
        continue;
      }
      const double us =
          r.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(r.time_unit) * 1e6;
      if (r.run_type == Run::RT_Aggregate) {
        if (r.aggregate_name == "median" && r.aggregate_unit == benchmark::kTime)
          medians_[name] = us;
      } else {
        samples_[name].push_back(us);
      }
    }
  }

  // Median microseconds per benchmark name; absent when it did not run.
  std::map<std::string, double> medians() const {
    std::map<std::string, double> m = medians_;
    for (auto [name, v] : samples_) {
      if (m.count(name) != 0 || v.empty()) continue;
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      m[name] = n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
    return m;
  }
  const std::map<std::string, std::string>& errors() const { return errors_; }

 private:
  std::map<std::string, double> medians_;
  std::map<std::string, std::vector<double>> samples_;
  std::map<std::string, std::string> errors_;
};

std::vector<std::string> edgeae_impls() {
  std::vector<std::string> v;
  for (size_t i = 0; i < kernel_set_count(); ++i)
    v.push_back(std::string("edgeae:") + kernel_set_name(kernel_set(i)));
  return v;
}

struct Best {
  std::string impl;
  double us = 0;
  bool found = false;
  void offer(const std::string& i, double t) {
    if (!found || t < us) {
      impl = i;
      us = t;
      found = true;
    }
  }
};

std::string cell(double v, int precision) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

// One table: a row per case (model or kernel), a column per implementation
// that ran, then the two ratios (from this run's medians).
void print_table(const char* title, const char* prefix, const std::vector<std::string>& cases,
                 const std::vector<std::string>& peers, bool gflops,
                 const std::map<std::string, double>& med,
                 uint64_t (*macs_of)(const std::string&)) {
  std::vector<std::string> impls = edgeae_impls();
  impls.insert(impls.end(), peers.begin(), peers.end());
  std::vector<std::string> columns;  // implementations with at least one result
  for (const std::string& impl : impls)
    for (const std::string& c : cases)
      if (med.count(std::string(prefix) + c + "/" + impl) != 0) {
        columns.push_back(impl);
        break;
      }
  if (columns.empty()) return;
  size_t case_width = 5;
  for (const std::string& c : cases) case_width = std::max(case_width, c.size());
  const int w = 15;
  std::printf("\n%s\n", title);
  std::printf("%-*s", static_cast<int>(case_width), "");
  for (const std::string& impl : columns) std::printf(" %*s", w, impl.c_str());
  std::printf(" %*s %*s\n", 22, "edgeae-best/best-peer", 20, "best-SIMD/reference");
  for (const std::string& c : cases) {
    const bool any = std::any_of(columns.begin(), columns.end(), [&](const std::string& impl) {
      return med.count(std::string(prefix) + c + "/" + impl) != 0;
    });
    if (!any) continue;  // filtered out
    std::printf("%-*s", static_cast<int>(case_width), c.c_str());
    Best best_edgeae, best_simd, best_peer;
    double reference = 0;
    for (const std::string& impl : columns) {
      const auto it = med.find(std::string(prefix) + c + "/" + impl);
      if (it == med.end()) {
        std::printf(" %*s", w, "-");
        continue;
      }
      const double us = it->second;
      if (gflops) {
        std::printf(" %*s", w, cell(2e-3 * static_cast<double>(macs_of(c)) / us, 2).c_str());
      } else {
        std::printf(" %*s", w, cell(us, us < 10 ? 3 : (us < 1000 ? 2 : 1)).c_str());
      }
      if (impl.rfind("edgeae:", 0) == 0) {
        best_edgeae.offer(impl, us);
        if (impl == "edgeae:reference") {
          reference = us;
        } else {
          best_simd.offer(impl, us);
        }
      } else {
        best_peer.offer(impl, us);
      }
    }
    // Time ratios: below 1 means the numerator is faster.
    std::string r1 = "-", r2 = "-";
    if (best_edgeae.found && best_peer.found)
      r1 = cell(best_edgeae.us / best_peer.us, 3) + " (" + best_peer.impl + ")";
    if (best_simd.found && reference > 0)
      r2 = cell(best_simd.us / reference, 3) + " (" + best_simd.impl.substr(7) + ")";
    std::printf(" %*s %*s\n", 22, r1.c_str(), 20, r2.c_str());
  }
}

// The fixed-point speed-up: edgeae's fastest int8 set against its fastest
// float32 set, per model, from this run's medians.
void print_int8_vs_float(const std::vector<std::string>& models,
                         const std::map<std::string, double>& med) {
  std::printf("\nint8 / float32 (edgeae's best set of each; < 1: int8 is faster)\n");
  for (const std::string& m : models) {
    Best f, q;
    for (const std::string& impl : edgeae_impls()) {
      auto it = med.find("model/" + m + "/" + impl);
      if (it != med.end()) f.offer(impl, it->second);
      it = med.find("model-int8/" + m + "/" + impl);
      if (it != med.end()) q.offer(impl, it->second);
    }
    if (f.found && q.found)
      std::printf("%-12s %8.3f (int8 %s %.3f us, float32 %s %.3f us)\n", m.c_str(), q.us / f.us,
                  q.impl.c_str(), q.us, f.impl.c_str(), f.us);
  }
}

uint64_t kernel_macs(const std::string& name) {
  for (const KernelCase& c : kKernelCases)
    if (name == c.name) return c.macs();
  return 0;
}

void print_summary(const SummaryReporter& reporter) {
  const auto med = reporter.medians();
  std::vector<std::string> models, kernels;
  for (const ModelInfo& m : kModels) models.push_back(m.name);
  for (const KernelCase& c : kKernelCases) kernels.push_back(c.name);
  std::printf(
      "\n== Summary (median real time of this run; ratios are time ratios, < 1: the "
      "numerator is faster)\n");
  print_table("Whole model, batch 1, single thread: median us per inference", "model/", models,
              {"xnnpack", "eigen"}, false, med, model_macs);
  print_table("Whole model in int8: median us per inference", "model-int8/", models,
              {"xnnpack-qs8"}, false, med, model_macs);
  print_int8_vs_float(models, med);
  print_table("Per kernel (ReLU fused): median GFLOP/s (2 * nominal MACs / time)", "kernel/",
              kernels, {"xnnpack"}, true, med, kernel_macs);
  if (!reporter.errors().empty()) {
    std::printf("\nSkipped with an error:\n");
    for (const auto& [name, message] : reporter.errors())
      std::printf("  %s: %s\n", name.c_str(), message.c_str());
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace edgeae::bench

int main(int argc, char** argv) {
  using namespace edgeae::bench;
  benchmark::Initialize(&argc, argv);
  // Our own flag, --models=DIR (default: EDGEAE_BENCH_MODELS at configure
  // time, or the environment variable of that name).
  std::string models_dir = EDGEAE_BENCH_MODELS_DIR;
  if (const char* env = std::getenv("EDGEAE_BENCH_MODELS")) models_dir = env;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--models=", 9) == 0) {
      models_dir = argv[i] + 9;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  std::string sets;
  for (size_t i = 0; i < edgeae::kernel_set_count(); ++i)
    sets += std::string(i ? ", " : "") + edgeae::kernel_set_name(edgeae::kernel_set(i));
  benchmark::AddCustomContext("edgeae_kernel_sets", sets);
  benchmark::AddCustomContext("models", models_dir);
#if defined(EDGEAE_BENCH_HAVE_XNNPACK)
  benchmark::AddCustomContext("xnnpack", xnnpack_description());
#endif
#if defined(EDGEAE_BENCH_HAVE_EIGEN)
  benchmark::AddCustomContext("eigen", eigen_description());
#endif

  register_edgeae_models(models_dir);
  register_edgeae_overhead();
#if defined(EDGEAE_BENCH_HAVE_XNNPACK)
  register_xnnpack_models();
  register_xnnpack_qs8_models();
#endif
#if defined(EDGEAE_BENCH_HAVE_EIGEN)
  register_eigen_models();
#endif
  register_kernel_benchmarks();
#if defined(EDGEAE_BENCH_HAVE_XNNPACK)
  register_xnnpack_kernels();
#endif

  SummaryReporter reporter(isatty(fileno(stdout)) ? benchmark::ConsoleReporter::OO_Defaults
                                                  : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary(reporter);
  benchmark::Shutdown();
  return 0;
}
