// The converter's graph IR: ONNX's own vocabulary (op types, attributes,
// NCHW shapes), with every value's static shape known after shape inference
// and constants held inline. Passes rewrite it in place; lowering turns it
// into a blob. Host code: STL and exceptions.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "edgeae/blob_format.hpp"

namespace edgeae::ir {

// Every converter error: one line naming what is at fault.
class ConvertError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class ElemType { kFloat, kInt64, kBool, kOther };

struct Value {
  std::string name;
  ElemType type = ElemType::kFloat;
  std::vector<int64_t> shape;  // static shape; empty = scalar
  bool shape_known = false;
  bool is_constant = false;
  std::vector<float> f;    // constant data when type == kFloat
  std::vector<int64_t> i;  // constant data when type == kInt64 or kBool

  int64_t element_count() const;
};

struct Attribute {
  enum class Kind { kInt, kFloat, kInts, kFloats, kString, kTensor, kOther } kind = Kind::kOther;
  int64_t i = 0;
  float f = 0.0f;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
  Value tensor;  // kTensor (Constant's value)
};

struct Node {
  std::string op;  // ONNX op type
  std::string name;
  std::vector<std::string> inputs;  // "" for an absent optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attrs;
  // A fused output activation (set by fuse_activations).
  format::Activation act = format::Activation::kNone;
  float act_alpha = 0.0f, act_beta = 0.0f;
  std::string act_slope;  // constant value for a fused PRelu

  bool has(const std::string& attr) const { return attrs.count(attr) != 0; }
  int64_t attr_int(const std::string& attr, int64_t fallback) const;
  float attr_float(const std::string& attr, float fallback) const;
  std::vector<int64_t> attr_ints(const std::string& attr, std::vector<int64_t> fallback = {}) const;
  std::string attr_string(const std::string& attr, const std::string& fallback) const;
  // "node 'name' (Op)" for messages.
  std::string label() const;
  // Input k, or "" when absent.
  const std::string& input(size_t k) const;
};

struct Graph {
  std::map<std::string, Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  int64_t opset = 0;

  Value& value(const std::string& name);
  const Value& value(const std::string& name) const;
  bool has_value(const std::string& name) const { return values.count(name) != 0; }
  bool is_constant(const std::string& name) const;
  // How many node inputs (and graph outputs) read `name`.
  size_t use_count(const std::string& name) const;
  bool is_graph_output(const std::string& name) const;
  // Replaces every read of `from` (node inputs, graph outputs) with `to`.
  void replace_uses(const std::string& from, const std::string& to);
  // Adds a constant value with a fresh name derived from `hint`.
  std::string add_constant(const std::string& hint, std::vector<int64_t> shape,
                           std::vector<float> data);
  std::string fresh_name(const std::string& hint);
};

// Throws ConvertError("node 'n' (Op): message").
[[noreturn]] void fail(const Node& node, const std::string& message);

}  // namespace edgeae::ir
