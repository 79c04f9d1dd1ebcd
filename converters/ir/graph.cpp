#include "ir/graph.hpp"

namespace edgeae::ir {

int64_t Value::element_count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t Node::attr_int(const std::string& attr, int64_t fallback) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return fallback;
  if (it->second.kind != Attribute::Kind::kInt)
    fail(*this, "attribute '" + attr + "' must be an int");
  return it->second.i;
}

float Node::attr_float(const std::string& attr, float fallback) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return fallback;
  if (it->second.kind != Attribute::Kind::kFloat)
    fail(*this, "attribute '" + attr + "' must be a float");
  return it->second.f;
}

std::vector<int64_t> Node::attr_ints(const std::string& attr, std::vector<int64_t> fallback) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return fallback;
  if (it->second.kind != Attribute::Kind::kInts)
    fail(*this, "attribute '" + attr + "' must be a list of ints");
  return it->second.ints;
}

std::string Node::attr_string(const std::string& attr, const std::string& fallback) const {
  auto it = attrs.find(attr);
  if (it == attrs.end()) return fallback;
  if (it->second.kind != Attribute::Kind::kString)
    fail(*this, "attribute '" + attr + "' must be a string");
  return it->second.s;
}

std::string Node::label() const {
  return "node '" + (name.empty() ? (outputs.empty() ? std::string("?") : outputs[0]) : name) +
         "' (" + op + ")";
}

const std::string& Node::input(size_t k) const {
  static const std::string kAbsent;
  return k < inputs.size() ? inputs[k] : kAbsent;
}

Value& Graph::value(const std::string& name) {
  auto it = values.find(name);
  if (it == values.end()) throw ConvertError("value '" + name + "' is used but never defined");
  return it->second;
}

const Value& Graph::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) throw ConvertError("value '" + name + "' is used but never defined");
  return it->second;
}

bool Graph::is_constant(const std::string& name) const {
  auto it = values.find(name);
  return it != values.end() && it->second.is_constant;
}

size_t Graph::use_count(const std::string& name) const {
  size_t n = 0;
  for (const Node& node : nodes) {
    for (const std::string& in : node.inputs) n += in == name;
    n += node.act_slope == name;
  }
  for (const std::string& out : outputs) n += out == name;
  return n;
}

bool Graph::is_graph_output(const std::string& name) const {
  for (const std::string& out : outputs)
    if (out == name) return true;
  return false;
}

void Graph::replace_uses(const std::string& from, const std::string& to) {
  for (Node& node : nodes)
    for (std::string& in : node.inputs)
      if (in == from) in = to;
  for (std::string& out : outputs)
    if (out == from) out = to;
}

std::string Graph::fresh_name(const std::string& hint) {
  std::string name = hint;
  for (int k = 1; values.count(name); ++k) name = hint + "_" + std::to_string(k);
  return name;
}

std::string Graph::add_constant(const std::string& hint, std::vector<int64_t> shape,
                                std::vector<float> data) {
  Value v;
  v.name = fresh_name(hint);
  v.type = ElemType::kFloat;
  v.shape = std::move(shape);
  v.shape_known = true;
  v.is_constant = true;
  v.f = std::move(data);
  const std::string name = v.name;
  values[name] = std::move(v);
  return name;
}

void fail(const Node& node, const std::string& message) {
  throw ConvertError(node.label() + ": " + message);
}

}  // namespace edgeae::ir
