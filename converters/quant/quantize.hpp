// Post-training quantization of a float32 blob: calibration (the runtime's
// own float path over sample inputs records every tensor's range), the
// quantized blob (int8, int16 or a per-op mix of the two), and the
// layer-by-layer comparison of a quantized blob with its float model.
//
// The float blob must be made with only Relu/Clip fused (convert's
// quantization path does that): a quantized op applies those as its output
// clamp, and every other activation is an op of its own with its own
// calibrated range. The quantized blob keeps the float blob's ops in order,
// one for one, adding only Requantize ops where int8 and int16 meet.
// docs/quantization.md gives the scheme.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae::quant {

// Calibration samples: `count` inputs of the model's (single) input, one
// after the other.
struct Samples {
  const float* data = nullptr;
  size_t count = 0;
};

struct TensorRange {
  float lo = 0.0f, hi = 0.0f;
};

// Range of every tensor of the float model (by tensor id; constants and
// aliases are left at 0: a view has its base's range).
struct Calibration {
  std::vector<TensorRange> ranges;
};

// Progress of a long pass: (samples done, samples in all).
using Progress = std::function<void(size_t, size_t)>;

// Runs the float model over the samples op by op and records each tensor's
// range: min/max, or with percentile < 100 the [100 - p, p] percentiles of
// its values (for outlier-heavy signals). Throws std::runtime_error naming
// the node whose output is not finite.
Calibration calibrate(const Model& float_model, const Samples& samples, double percentile = 100.0,
                      const Progress& progress = {});

struct QuantizedBlob {
  blob::Blob blob;
  // Index in the quantized blob of the op computing float op i.
  std::vector<uint32_t> op_of_float_op;
};

// The quantized blob: op i computes in op_precision[i] (DType::kInt8 or
// kInt16). Throws std::runtime_error naming the node when an op cannot be
// quantized (an unsupported fused activation, a multiplier beyond the
// int16 kernels' range, an accumulator that could overflow).
// int16_weights: int16 ops take int16 weights ("16x16"); else int8 ("16x8",
// as TFLite: half the weight bytes, but int8 weight rounding caps each
// layer near 43 dB SNR).
QuantizedBlob quantize(const Model& float_model, const Calibration& calibration,
                       const std::vector<format::DType>& op_precision, bool int16_weights = true);

// Signal-to-noise ratio (dB) of each float op's output as the quantized
// blob computes it, against the float model, over the samples; and of the
// model's output. Infinite when equal.
struct LayerSnr {
  std::string name;  // the node's name (or "op N")
  std::string op;    // ONNX op type
  format::DType precision = format::DType::kInt8;
  double snr_db = 0.0;
};
struct SnrReport {
  std::vector<LayerSnr> layers;
  double input_snr_db = 0.0;  // the model input as the quantized model holds it
  double output_snr_db = 0.0;
};
SnrReport compare(const Model& float_model, const Model& quantized_model,
                  const std::vector<uint32_t>& op_of_float_op, const Samples& samples,
                  const Progress& progress = {});

// The float model's output of every op and of the model on each sample:
// what compare measures against. Made once when many quantized candidates
// are compared on the same samples (mixed precision), not once per
// candidate.
struct FloatTrace {
  std::vector<std::vector<float>> op_outputs;     // [sample * op_count + op]
  std::vector<std::vector<float>> model_outputs;  // [sample]
};
FloatTrace trace_float(const Model& float_model, const Samples& samples);
SnrReport compare(const Model& float_model, const FloatTrace& trace, const Model& quantized_model,
                  const std::vector<uint32_t>& op_of_float_op, const Samples& samples,
                  const Progress& progress = {});

// Matches a quantized blob's ops to its float model's (the quantized blob
// keeps the float ops in order and adds only Requantize ops); throws
// std::runtime_error when the two are not the same graph.
std::vector<uint32_t> match_ops(const Model& float_model, const Model& quantized_model);

enum class Scheme { kInt8, kInt16, kMixed };

struct QuantizeOptions {
  Scheme scheme = Scheme::kInt8;
  double percentile = 100.0;
  double target_snr_db = 30.0;                  // kMixed: the model output's SNR to reach
  bool int16_weights = true;                    // int16 ops: 16x16 (true) or 16x8 (false)
  Progress progress;                            // calibration and evaluation passes
  std::function<void(const std::string&)> log;  // one line per decision of kMixed
};

struct QuantizeResult {
  QuantizedBlob quantized;
  SnrReport report;  // on the calibration samples
};

// Calibrates, quantizes (kMixed: int8 everywhere, then int16 activations for
// the op whose own output quantization is noisiest, one at a time, until the
// output reaches target_snr_db or everything is int16) and compares.
QuantizeResult quantize_model(const Model& float_model, const Samples& samples,
                              const QuantizeOptions& options);

}  // namespace edgeae::quant
