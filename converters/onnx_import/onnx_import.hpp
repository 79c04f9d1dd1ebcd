// ONNX -> IR, through Debian's protobuf and ONNX packages (onnx_proto). Reads
// the model defensively: a truncated or non-ONNX file, external weight
// files, an opset outside the supported range, an unsupported tensor data
// type or a missing static input shape each give a ConvertError.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.hpp"

namespace onnx {
class TensorProto;
}

namespace edgeae::onnx_import {

// The default-domain opsets the importer accepts.
inline constexpr int64_t kMinOpset = 1;
inline constexpr int64_t kMaxOpset = 17;

struct ImportOptions {
  // Static shapes for inputs, by input name, overriding the model's. A
  // symbolic first (batch) dimension otherwise becomes 1; any other symbolic
  // dimension needs an entry here.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Graph inputs to compile in as constants (weights or shape parameters a
  // model passes as inputs, as ONNX's node tests do).
  std::map<std::string, ir::Value> bound_inputs;
};

ir::Graph import_file(const std::string& path, const ImportOptions& options = {});
ir::Graph import_bytes(const std::string& bytes, const std::string& name_for_errors,
                       const ImportOptions& options = {});

// A TensorProto as an IR constant (float, double -> float, int64, int32,
// bool). `what` names it in errors.
ir::Value value_from_tensor(const onnx::TensorProto& t, const std::string& what);
// Reads a serialized TensorProto file (ONNX test data sets).
ir::Value read_tensor_file(const std::string& path);

}  // namespace edgeae::onnx_import
