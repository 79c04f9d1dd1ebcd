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

QuantizeResult build(const Model& f, const Calibration& c, const std::vector<DType>& precision,
                     const Samples& samples, const QuantizeOptions& o) {
  QuantizeResult r;
  r.quantized = quantize(f, c, precision, o.int16_weights);
  const Model q = load(r.quantized.blob);
  r.report = compare(f, q, r.quantized.op_of_float_op, samples, o.progress);
  return r;
}

// Noise an op's own output quantization adds, relative to its signal: the
// int8 step^2 / 12 against the output's mean square in the float model,
// estimated from its calibrated range (the full-scale signal of a uniform
// spread). The op with the lowest figure gains most from int16.
double own_snr_db(const TensorRange& r) {
  const double lo = std::min(0.0, double(r.lo)), hi = std::max(0.0, double(r.hi));
  const double step = (hi - lo) / 255.0;
  const double peak = std::max(-lo, hi);
  if (step == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / (step * step / 12.0));
}

}  // namespace

QuantizeResult quantize_model(const Model& f, const Samples& samples, const QuantizeOptions& o) {
  const Calibration c = calibrate(f, samples, o.percentile, o.progress);
  if (o.scheme != Scheme::kMixed) {
    const DType d = o.scheme == Scheme::kInt16 ? DType::kInt16 : DType::kInt8;
    return build(f, c, std::vector<DType>(f.op_count(), d), samples, o);
  }
  std::vector<DType> precision(f.op_count(), DType::kInt8);
  QuantizeResult best = build(f, c, precision, samples, o);
  // Per-layer analysis on the all-int8 model: where the SNR drops most from
  // an op's input to its output is where int8 costs most; ties go to the
  // lower own-quantization SNR.
  while (best.report.output_snr_db < o.target_snr_db) {
    double worst_drop = -std::numeric_limits<double>::infinity();
    uint32_t pick = f.op_count();
    double prev = std::numeric_limits<double>::infinity();
    for (uint32_t i = 0; i < f.op_count(); ++i) {
      const double snr = best.report.layers[i].snr_db;
      if (precision[i] == DType::kInt8) {
        const double drop = std::min(prev, 200.0) - std::min(snr, 200.0);
        const double score = drop - 1e-3 * own_snr_db(c.ranges[f.op(i).output]);
        if (score > worst_drop) {
          worst_drop = score;
          pick = i;
        }
      }
      prev = snr;
    }
    if (pick == f.op_count()) break;  // everything is int16 already
    precision[pick] = DType::kInt16;
    QuantizeResult next = build(f, c, precision, samples, o);
    if (o.log)
      o.log("mixed: " + best.report.layers[pick].name + " (" + best.report.layers[pick].op +
            ") to int16: output SNR " + std::to_string(best.report.output_snr_db) + " -> " +
            std::to_string(next.report.output_snr_db) + " dB");
    best = std::move(next);
  }
  return best;
}

}  // namespace edgeae::quant
