#include "convert.hpp"

#include "lower/lower.hpp"
#include "passes/passes.hpp"

namespace edgeae::convert {

blob::Blob convert_graph(ir::Graph graph, const Options& options) {
  if (options.precision != Precision::kFloat32)
    throw ir::ConvertError(
        "int8 and int16 precision are not supported yet; use --precision float32");
  passes::infer_shapes(graph);
  passes::drop_identities(graph);
  passes::fold_batchnorm(graph);
  passes::matmul_to_gemm(graph);
  passes::fuse_activations(graph);
  passes::remove_dead(graph);
  return lower::lower_to_blob(graph);
}

blob::Blob convert_onnx_file(const std::string& path, const Options& options) {
  return convert_graph(onnx_import::import_file(path, options.import), options);
}

}  // namespace edgeae::convert
