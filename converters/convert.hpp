// The converter pipeline: ONNX file -> import -> passes -> lowering -> blob,
// and for fixed point: a float blob calibrated and quantized
// (quant/quantize.hpp).
#pragma once

#include <string>

#include "blob/graph_builder.hpp"
#include "onnx_import/onnx_import.hpp"
#include "quant/quantize.hpp"

namespace edgeae::convert {

enum class Precision { kFloat32, kInt8, kInt16, kMixed };

struct Options {
  Precision precision = Precision::kFloat32;
  onnx_import::ImportOptions import;
};

// Converts an ONNX model (file path) into a float32 blob; throws
// ir::ConvertError with a one-line message on any problem.
blob::Blob convert_onnx_file(const std::string& path, const Options& options = {});
// The same for an already imported graph (tests build graphs directly).
blob::Blob convert_graph(ir::Graph graph, const Options& options = {});

// The float blob quantization starts from: only Relu/Clip fused (a quantized
// op applies them as its clamp), every other activation an op of its own.
blob::Blob float_blob_for_quantization(ir::Graph graph);
blob::Blob float_blob_for_quantization_file(const std::string& path,
                                            const onnx_import::ImportOptions& import = {});

// int8 / int16 / mixed: calibrates on `samples` (inputs shaped like `edgeae
// run` inputs), quantizes and reports each layer's SNR against the float
// model. Throws ir::ConvertError naming the node on anything that cannot be
// quantized.
struct QuantizedModel {
  blob::Blob blob;
  quant::SnrReport report;
};
QuantizedModel convert_quantized(const blob::Blob& float_blob, const quant::Samples& samples,
                                 Precision precision, const quant::QuantizeOptions& options);

}  // namespace edgeae::convert
