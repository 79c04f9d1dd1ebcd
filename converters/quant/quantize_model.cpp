// The precision decision: int8, int16, or mixed (int8 with int16
// activations where the per-layer error analysis says they are needed).
#include <cmath>
#include <limits>
#include <stdexcept>

#include "quant/quantize.hpp"

namespace edgeae::quant {
namespace {

using format::DType;

Model load(const blob::Blob& b) {
  Model m;
  const Status s = m.load(b.bytes.data(), b.bytes.size());
  if (!s.ok()) throw std::runtime_error(std::string("quantized blob rejected: ") + s.message);
  return m;
}

// Quantizes in `precision` and measures against the float model's trace on
// the same samples.
QuantizeResult build(const Model& f, const Calibration& c, const std::vector<DType>& precision,
                     const FloatTrace& trace, const Samples& samples, const QuantizeOptions& o) {
  QuantizeResult r;
  r.quantized = quantize(f, c, precision, o.int16_weights);
  const Model q = load(r.quantized.blob);
  r.report = compare(f, trace, q, r.quantized.op_of_float_op, samples, o.progress);
  return r;
}

}  // namespace

QuantizeResult quantize_model(const Model& f, const Samples& samples, const QuantizeOptions& o) {
  const Calibration c = calibrate(f, samples, o.percentile, o.progress);
  // The float model runs once per sample set, however many candidates are
  // measured against it.
  const FloatTrace trace = trace_float(f, samples);
  if (o.scheme != Scheme::kMixed) {
    const DType d = o.scheme == Scheme::kInt16 ? DType::kInt16 : DType::kInt8;
    return build(f, c, std::vector<DType>(f.op_count(), d), trace, samples, o);
  }
  std::vector<DType> precision(f.op_count(), DType::kInt8);
  QuantizeResult best = build(f, c, precision, trace, samples, o);
  // Greedy sensitivity: each step tries every int8 op alone in int16 (on at
  // most 8 samples) and keeps the one that raises the output SNR most.
  // Measuring the whole model is what tells apart an op whose int8 error
  // matters from one that only passes on error from upstream; ops that
  // keep their input's quantization (pools, Resize, Transpose) add none and
  // are not tried.
  const Samples trial_samples{samples.data, std::min<size_t>(samples.count, 8)};
  const FloatTrace trial_trace = trace_float(f, trial_samples);
  QuantizeOptions quiet = o;
  quiet.progress = {};
  while (best.report.output_snr_db < o.target_snr_db) {
    double best_trial = -std::numeric_limits<double>::infinity();
    uint32_t pick = f.op_count();
    for (uint32_t i = 0; i < f.op_count(); ++i) {
      const auto type = static_cast<format::OpType>(f.op(i).type);
      if (precision[i] != DType::kInt8 || type == format::OpType::kMaxPool ||
          type == format::OpType::kResize || type == format::OpType::kTranspose)
        continue;
      std::vector<DType> trial = precision;
      trial[i] = DType::kInt16;
      const double snr = build(f, c, trial, trial_trace, trial_samples, quiet).report.output_snr_db;
      if (snr > best_trial) {
        best_trial = snr;
        pick = i;
      }
    }
    if (pick == f.op_count()) break;  // nothing left to move
    precision[pick] = DType::kInt16;
    QuantizeResult next = build(f, c, precision, trace, samples, o);
    if (o.log)
      o.log("mixed: " + best.report.layers[pick].name + " (" + best.report.layers[pick].op +
            ") to int16: output SNR " + std::to_string(best.report.output_snr_db) + " -> " +
            std::to_string(next.report.output_snr_db) + " dB");
    best = std::move(next);
  }
  return best;
}

}  // namespace edgeae::quant
