#include "convert.hpp"

#include <stdexcept>

#include "lower/lower.hpp"
#include "passes/passes.hpp"

namespace edgeae::convert {
namespace {

// for_quantization: the float blob a quantization starts from, whose ops must
// each have an integer form.
blob::Blob lower_graph(ir::Graph graph, bool for_quantization) {
  passes::infer_shapes(graph);
  passes::drop_identities(graph);
  passes::fold_batchnorm(graph);
  passes::matmul_to_gemm(graph);
  passes::fuse_activations(graph, for_quantization);
  if (!for_quantization) passes::fuse_residual_adds(graph);
  passes::remove_dead(graph);
  return lower::lower_to_blob(graph);
}

}  // namespace

blob::Blob convert_graph(ir::Graph graph, const Options& options) {
  if (options.precision != Precision::kFloat32)
    throw ir::ConvertError(
        "int8, int16 and mixed precision need calibration samples "
        "(convert_quantized)");
  return lower_graph(std::move(graph), false);
}

blob::Blob convert_onnx_file(const std::string& path, const Options& options) {
  return convert_graph(onnx_import::import_file(path, options.import), options);
}

blob::Blob float_blob_for_quantization(ir::Graph graph) {
  return lower_graph(std::move(graph), true);
}

blob::Blob float_blob_for_quantization_file(const std::string& path,
                                            const onnx_import::ImportOptions& import) {
  return float_blob_for_quantization(onnx_import::import_file(path, import));
}

QuantizedModel convert_quantized(const blob::Blob& float_blob, const quant::Samples& samples,
                                 Precision precision, const quant::QuantizeOptions& options) {
  Model f;
  const Status s = f.load(float_blob.bytes.data(), float_blob.bytes.size());
  if (!s.ok()) throw ir::ConvertError(std::string("float blob rejected: ") + s.message);
  quant::QuantizeOptions o = options;
  o.scheme = precision == Precision::kInt16   ? quant::Scheme::kInt16
             : precision == Precision::kMixed ? quant::Scheme::kMixed
                                              : quant::Scheme::kInt8;
  try {
    quant::QuantizeResult r = quant::quantize_model(f, samples, o);
    return QuantizedModel{std::move(r.quantized.blob), std::move(r.report)};
  } catch (const std::invalid_argument& e) {  // the blob writer's checks
    throw ir::ConvertError(std::string("cannot quantize: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw ir::ConvertError(e.what());
  }
}

}  // namespace edgeae::convert
