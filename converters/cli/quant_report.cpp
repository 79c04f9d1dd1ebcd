// The fixed-point side of the tool: calibration samples from a .npy, the
// progress bar, the per-layer SNR table, and `inspect --compare`.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.hpp"
#include "convert.hpp"
#include "io/npy.hpp"

namespace edgeae::cli {

double parse_number(const std::string& text, const char* option) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    throw CliError(std::string(option) + " wants a number, not '" + text + "'");
  return v;
}

quant::Progress progress_bar(const char* what) {
  if (!isatty(2)) return {};
  return [what](size_t done, size_t total) {
    const int width = 30;
    const int filled = static_cast<int>(width * done / (total ? total : 1));
    std::fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu", what, filled, "##############################",
                 width - filled, "", done, total);
    if (done == total) std::fputc('\n', stderr);
  };
}

quant::Samples samples_for(const blob::Blob& float_blob, const io::NpyArray& data,
                           const std::string& path) {
  Model m;
  if (!m.load(float_blob.bytes.data(), float_blob.bytes.size()).ok() || m.input_count() != 1)
    throw CliError("calibration needs a model with exactly one input");
  const size_t n = m.input(0).element_count();
  if (data.data.empty() || data.data.size() % n != 0)
    throw CliError(path + ": calibration data must be [N, " + std::to_string(n) +
                   " values per sample] like `edgeae run` inputs");
  return quant::Samples{data.data.data(), data.data.size() / n};
}

void print_snr_report(const quant::SnrReport& r, double target_db, bool mixed) {
  std::fprintf(stderr, "%-32s %-14s %-6s %9s\n", "layer (output vs float model)", "op", "type",
               "SNR dB");
  for (const quant::LayerSnr& l : r.layers)
    std::fprintf(stderr, "%-32s %-14s %-6s %9.2f\n", l.name.c_str(), l.op.c_str(),
                 l.precision == format::DType::kInt16 ? "int16" : "int8", l.snr_db);
  std::fprintf(stderr, "model output SNR: %.2f dB on the calibration samples\n", r.output_snr_db);
  if (mixed && r.output_snr_db < target_db)
    std::fprintf(stderr, "warning: the target of %.1f dB is not reached even in int16\n",
                 target_db);
  // Never a silently bad model: name the layer where the error grows most.
  if (!mixed && r.output_snr_db < 20.0) {
    double prev = INFINITY, worst = -INFINITY;
    const quant::LayerSnr* at = nullptr;
    for (const quant::LayerSnr& l : r.layers) {
      const double drop = std::fmin(prev, 200.0) - std::fmin(l.snr_db, 200.0);
      if (drop > worst) {
        worst = drop;
        at = &l;
      }
      prev = l.snr_db;
    }
    std::fprintf(stderr,
                 "warning: output SNR below 20 dB; the largest loss is at '%s' (%s), -%.1f dB. "
                 "Try --precision mixed or int16, or --percentile.\n",
                 at ? at->name.c_str() : "?", at ? at->op.c_str() : "?", worst);
  }
}

int inspect_compare(const std::string& blob_path, const std::string& calib_path,
                    const std::string& onnx_path) {
  LoadedModel q;
  load_model_file(blob_path, q);
  const blob::Blob float_blob = convert::float_blob_for_quantization_file(onnx_path);
  Model f;
  if (!f.load(float_blob.bytes.data(), float_blob.bytes.size()).ok())
    throw CliError(onnx_path + ": float model rejected");
  const io::NpyArray calib = io::read_npy(calib_path);
  const quant::Samples samples = samples_for(float_blob, calib, calib_path);
  try {
    const std::vector<uint32_t> map = quant::match_ops(f, q.model);
    const quant::SnrReport r = quant::compare(f, q.model, map, samples, progress_bar("comparing"));
    print_snr_report(r, 0.0, false);
  } catch (const std::runtime_error& e) {
    throw CliError(blob_path + ": " + e.what());
  }
  return 0;
}

}  // namespace edgeae::cli
