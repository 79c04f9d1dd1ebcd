#include "onnx_import/onnx_import.hpp"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace edgeae::onnx_import {
namespace {

using ir::ConvertError;

// No edge model needs more: bounds what a lying header can make us allocate.
constexpr int64_t kMaxElements = int64_t{1} << 31;

template <typename T>
std::vector<T> from_raw(const std::string& raw, int64_t count, const std::string& what) {
  if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(T)))
    throw ConvertError(what + ": raw_data holds " + std::to_string(raw.size()) +
                       " bytes, the shape needs " + std::to_string(count * sizeof(T)));
  std::vector<T> out(static_cast<size_t>(count));
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

template <typename Dst, typename Field>
std::vector<Dst> from_field(const Field& field, int64_t count, const std::string& what) {
  if (field.size() != count)
    throw ConvertError(what + ": holds " + std::to_string(field.size()) +
                       " values, the shape needs " + std::to_string(count));
  return std::vector<Dst>(field.begin(), field.end());
}

template <typename Dst, typename Src>
std::vector<Dst> convert_all(const std::vector<Src>& in) {
  return std::vector<Dst>(in.begin(), in.end());
}

std::string read_whole_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConvertError("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ir::Attribute attribute_from_proto(const onnx::AttributeProto& a, const std::string& owner) {
  ir::Attribute out;
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      out.kind = ir::Attribute::Kind::kInt;
      out.i = a.i();
      break;
    case onnx::AttributeProto::FLOAT:
      out.kind = ir::Attribute::Kind::kFloat;
      out.f = a.f();
      break;
    case onnx::AttributeProto::INTS:
      out.kind = ir::Attribute::Kind::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.kind = ir::Attribute::Kind::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRING:
      out.kind = ir::Attribute::Kind::kString;
      out.s = a.s();
      break;
    case onnx::AttributeProto::TENSOR:
      out.kind = ir::Attribute::Kind::kTensor;
      out.tensor = value_from_tensor(a.t(), owner + " attribute '" + a.name() + "'");
      break;
    default:
      out.kind = ir::Attribute::Kind::kOther;
      break;
  }
  return out;
}

std::vector<int64_t> input_shape(const onnx::ValueInfoProto& info, const ImportOptions& options) {
  const std::string& name = info.name();
  auto given = options.input_shapes.find(name);
  if (given != options.input_shapes.end()) return given->second;
  if (!info.type().has_tensor_type() || !info.type().tensor_type().has_shape())
    throw ConvertError("input '" + name + "' has no static shape; give one with --input-shape " +
                       name + "=D0,D1,...");
  std::vector<int64_t> shape;
  const auto& dims = info.type().tensor_type().shape().dim();
  for (int k = 0; k < dims.size(); ++k) {
    const auto& d = dims[k];
    if (d.has_dim_value() && d.dim_value() > 0) {
      shape.push_back(d.dim_value());
    } else if (k == 0) {
      shape.push_back(1);  // a symbolic batch dimension runs one sample at a time
    } else {
      throw ConvertError("input '" + name + "' dimension " + std::to_string(k) + " is symbolic ('" +
                         d.dim_param() + "'); give a static shape with --input-shape " + name +
                         "=D0,D1,...");
    }
  }
  return shape;
}

}  // namespace

ir::Value value_from_tensor(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw ConvertError(what +
                       ": weights in an external data file are not supported; export with "
                       "the weights embedded in the .onnx file");
  ir::Value v;
  v.name = t.name();
  v.is_constant = true;
  v.shape_known = true;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && count > kMaxElements / d))
      throw ConvertError(what + ": tensor shape is invalid or too large");
    count *= d;
    v.shape.push_back(d);
  }
  const bool raw = t.has_raw_data();
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      v.type = ir::ElemType::kFloat;
      v.f = raw ? from_raw<float>(t.raw_data(), count, what)
                : from_field<float>(t.float_data(), count, what);
      break;
    case onnx::TensorProto::DOUBLE:
      v.type = ir::ElemType::kFloat;
      v.f = raw ? convert_all<float>(from_raw<double>(t.raw_data(), count, what))
                : from_field<float>(t.double_data(), count, what);
      break;
    case onnx::TensorProto::INT64:
      v.type = ir::ElemType::kInt64;
      v.i = raw ? from_raw<int64_t>(t.raw_data(), count, what)
                : from_field<int64_t>(t.int64_data(), count, what);
      break;
    case onnx::TensorProto::INT32:
      v.type = ir::ElemType::kInt64;
      v.i = raw ? convert_all<int64_t>(from_raw<int32_t>(t.raw_data(), count, what))
                : from_field<int64_t>(t.int32_data(), count, what);
      break;
    case onnx::TensorProto::BOOL:
      v.type = ir::ElemType::kBool;
      v.i = raw ? convert_all<int64_t>(from_raw<uint8_t>(t.raw_data(), count, what))
                : from_field<int64_t>(t.int32_data(), count, what);
      break;
    default:
      throw ConvertError(what + ": tensor data type " + std::to_string(t.data_type()) +
                         " is not supported (float, double, int64, int32, bool are)");
  }
  return v;
}

ir::Value read_tensor_file(const std::string& path) {
  const std::string bytes = read_whole_file(path);
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes))
    throw ConvertError("'" + path + "' is not a serialized TensorProto");
  return value_from_tensor(t, "'" + path + "'");
}

ir::Graph import_file(const std::string& path, const ImportOptions& options) {
  return import_bytes(read_whole_file(path), path, options);
}

ir::Graph import_bytes(const std::string& bytes, const std::string& file,
                       const ImportOptions& options) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes) || !model.has_graph())
    throw ConvertError("'" + file +
                       "' is not an ONNX model (truncated or not a protobuf ModelProto)");
  ir::Graph g;
  for (const auto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx") g.opset = opset.version();
  if (g.opset < kMinOpset || g.opset > kMaxOpset)
    throw ConvertError("'" + file + "' uses opset " + std::to_string(g.opset) +
                       "; supported opsets are " + std::to_string(kMinOpset) + " to " +
                       std::to_string(kMaxOpset));
  const onnx::GraphProto& graph = model.graph();
  for (const auto& init : graph.initializer()) {
    ir::Value v = value_from_tensor(init, "initializer '" + init.name() + "'");
    g.values[v.name] = std::move(v);
  }
  for (const auto& in : graph.input()) {
    if (g.has_value(in.name())) continue;  // older exporters list initializers as inputs too
    if (auto bound = options.bound_inputs.find(in.name()); bound != options.bound_inputs.end()) {
      ir::Value v = bound->second;
      v.name = in.name();
      v.is_constant = v.shape_known = true;
      g.values[v.name] = std::move(v);
      continue;
    }
    const auto elem = in.type().tensor_type().elem_type();
    if (elem != onnx::TensorProto::FLOAT)
      throw ConvertError("input '" + in.name() + "' has element type " + std::to_string(elem) +
                         "; model inputs must be float32");
    ir::Value v;
    v.name = in.name();
    v.shape = input_shape(in, options);
    int64_t count = 1;
    for (int64_t d : v.shape) {
      if (d <= 0) throw ConvertError("input '" + in.name() + "' needs positive dimensions");
      if (count > kMaxElements / d)
        throw ConvertError("input '" + in.name() + "' is too large (more than 2^31 elements)");
      count *= d;
    }
    v.shape_known = true;
    g.values[v.name] = v;
    g.inputs.push_back(v.name);
  }
  if (g.inputs.empty()) throw ConvertError("'" + file + "' has no graph inputs");
  for (const auto& node : graph.node()) {
    ir::Node n;
    n.op = node.op_type();
    n.name = node.name();
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw ConvertError(n.label() + ": custom op domain '" + node.domain() + "' is not supported");
    n.inputs.assign(node.input().begin(), node.input().end());
    n.outputs.assign(node.output().begin(), node.output().end());
    for (const auto& a : node.attribute()) n.attrs[a.name()] = attribute_from_proto(a, n.label());
    // Opsets before 7 had other semantics under some attributes: refuse those.
    if (n.has("broadcast") || n.has("consumed_inputs") ||
        (n.has("spatial") && n.attr_int("spatial", 1) == 0))
      throw ConvertError(n.label() +
                         ": legacy attribute (broadcast, consumed_inputs or spatial=0) "
                         "from opset < 7 is not supported; re-export with opset 7 or later");
    if (n.op == "Concat" && g.opset < 4 && !n.has("axis")) {
      n.attrs["axis"].kind = ir::Attribute::Kind::kInt;  // axis defaulted to 1 before opset 4
      n.attrs["axis"].i = 1;
    }
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      if (g.has_value(out))
        throw ConvertError(n.label() + ": output '" + out + "' is defined twice");
      ir::Value v;
      v.name = out;
      g.values[out] = v;
    }
    for (const std::string& in : n.inputs)
      if (!in.empty() && !g.has_value(in))
        throw ConvertError(n.label() + ": input '" + in +
                           "' is not defined before it (graph not in topological order?)");
    g.nodes.push_back(std::move(n));
  }
  for (const auto& out : graph.output()) {
    if (!g.has_value(out.name()))
      throw ConvertError("graph output '" + out.name() + "' is never produced");
    g.outputs.push_back(out.name());
  }
  if (g.outputs.empty()) throw ConvertError("'" + file + "' has no graph outputs");
  return g;
}

}  // namespace edgeae::onnx_import
