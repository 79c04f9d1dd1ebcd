// edgeae bench: single-threaded batch-1 latency of one model, as any user
// would time their own: warm up, then time many single inferences and report
// the median and the 10th/90th percentiles (robust on a shared machine).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "edgeae/shape_rules.hpp"

namespace edgeae::cli {

int cmd_bench(const Args& args) {
  std::string path;
  double seconds = 2.0;
  bool json = false, per_op = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--per-op") {
      per_op = true;
    } else if (args[i] == "--seconds") {
      if (i + 1 >= args.size()) throw CliError("option --seconds needs a value");
      char* end = nullptr;
      seconds = std::strtod(args[++i].c_str(), &end);
      if (*end != '\0' || !(seconds > 0) || seconds > 3600)
        throw CliError("--seconds wants a number in (0, 3600]");
    } else if (!args[i].empty() && args[i][0] == '-') {
      throw CliError("unknown option '" + args[i] + "'");
    } else if (path.empty()) {
      path = args[i];
    } else {
      throw CliError("expected exactly one MODEL.eab argument");
    }
  }
  if (path.empty()) throw CliError("expected exactly one MODEL.eab argument");
  LoadedModel lm;
  load_model_file(path, lm);
  const Model& m = lm.model;
  // DSP pairs are a Cortex-M layout: the desktop and NEON sets run them with
  // the reference kernels, so this machine's time is not the model's.
  uint32_t pair_layers = 0;
  for (uint32_t i = 0; i < m.op_count(); ++i)
    pair_layers += format::weight_layout(m.op(i)).packing == 2;
  if (pair_layers > 0)
    std::fprintf(stderr,
                 "note: %u int8 layer(s) have their weights in DSP column pairs (a Cortex-M "
                 "layout), which this machine runs with the reference kernels; to time it here, "
                 "convert with the default --int8-layout quads (same outputs)\n",
                 pair_layers);
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  Status st = s.init(m, arena.data(), arena.size(), kernels_from_environment());
  if (!st.ok()) throw CliError(st.message);
  for (size_t i = 0; i < m.input_count(); ++i) {
    std::vector<uint8_t> zeros(m.input(i).byte_count(), 0);
    st = s.set_input_raw(i, zeros.data(), zeros.size());
    if (!st.ok()) throw CliError(st.message);
  }
  using clock = std::chrono::steady_clock;
  const auto warm_end = clock::now() + std::chrono::duration<double>(std::min(0.5, seconds / 4));
  while (clock::now() < warm_end) (void)s.run();
  std::vector<double> us;
  const auto end = clock::now() + std::chrono::duration<double>(seconds);
  while (clock::now() < end && us.size() < 10000000) {
    const auto t0 = clock::now();
    (void)s.run();
    us.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  if (per_op) {
    // Median time of each op alone (inputs as the full run left them).
    for (uint32_t i = 0; i < m.op_count(); ++i) {
      std::vector<double> t;
      for (int rep = 0; rep < 200; ++rep) {
        const auto t0 = clock::now();
        (void)s.run_ops(i, i + 1);
        t.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
      }
      std::sort(t.begin(), t.end());
      const format::OpRecord& op = m.op(i);
      const double macs = static_cast<double>(op_macs(m, op));
      std::printf("  op %-3u %-18s %9.3f us %8.2f GMAC/s  %s\n", i,
                  op_type_name(static_cast<format::OpType>(op.type)), t[t.size() / 2],
                  macs / t[t.size() / 2] / 1e3, m.name_at(op.name));
    }
  }
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))];
  };
  if (json)
    std::printf(
        "{\"median_us\": %.3f, \"p10_us\": %.3f, \"p90_us\": %.3f, \"runs\": %zu, \"kernels\": "
        "\"%s\"}\n",
        at(0.5), at(0.1), at(0.9), us.size(), kernel_set_name(s.kernels()));
  else
    std::printf(
        "%s: median %.3f us, p10 %.3f us, p90 %.3f us per inference (%zu runs, %s kernels, 1 "
        "thread, batch 1)\n",
        path.c_str(), at(0.5), at(0.1), at(0.9), us.size(), kernel_set_name(s.kernels()));
  return 0;
}

}  // namespace edgeae::cli
