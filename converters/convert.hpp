// The converter pipeline: ONNX file -> import -> passes -> lowering -> blob.
#pragma once

#include <string>

#include "blob/graph_builder.hpp"
#include "onnx_import/onnx_import.hpp"

namespace edgeae::convert {

enum class Precision { kFloat32, kInt8, kInt16 };

struct Options {
  Precision precision = Precision::kFloat32;
  onnx_import::ImportOptions import;
};

// Converts an ONNX model (file path) into a blob; throws ir::ConvertError
// with a one-line message on any problem.
blob::Blob convert_onnx_file(const std::string& path, const Options& options = {});
// The same for an already imported graph (tests build graphs directly).
blob::Blob convert_graph(ir::Graph graph, const Options& options = {});

}  // namespace edgeae::convert
