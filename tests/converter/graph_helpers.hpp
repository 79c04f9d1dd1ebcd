// Helpers for converter tests: build ir::Graph values directly, run blobs,
// and a plain NCHW reference for the layout tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"
#include "ir/graph.hpp"
#include "runtime/test_models.hpp"

namespace edgeae::testing {

inline ir::Attribute attr_int(int64_t v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInt;
  a.i = v;
  return a;
}
inline ir::Attribute attr_float(float v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kFloat;
  a.f = v;
  return a;
}
inline ir::Attribute attr_ints(std::vector<int64_t> v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}
inline ir::Attribute attr_string(std::string v) {
  ir::Attribute a;
  a.kind = ir::Attribute::Kind::kString;
  a.s = std::move(v);
  return a;
}

inline int64_t count_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

inline std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "," : "") + std::to_string(shape[k]);
  return s + "]";
}

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  return random_values(n, seed, lo, hi);
}

// A graph under construction.
struct GraphMaker {
  ir::Graph g;

  GraphMaker() { g.opset = 13; }

  std::string input(const std::string& name, std::vector<int64_t> shape) {
    ir::Value v;
    v.name = name;
    v.shape = std::move(shape);
    v.shape_known = true;
    g.values[name] = v;
    g.inputs.push_back(name);
    return name;
  }
  std::string constant(const std::string& name, std::vector<int64_t> shape,
                       std::vector<float> data) {
    REQUIRE(static_cast<int64_t>(data.size()) == count_of(shape));
    ir::Value v;
    v.name = name;
    v.shape = std::move(shape);
    v.shape_known = true;
    v.is_constant = true;
    v.f = std::move(data);
    g.values[name] = v;
    return name;
  }
  // A random float constant.
  std::string weights(const std::string& name, std::vector<int64_t> shape, uint32_t seed,
                      float lo = -1.0f, float hi = 1.0f) {
    const auto n = static_cast<size_t>(count_of(shape));
    return constant(name, std::move(shape), random_floats(n, seed, lo, hi));
  }
  std::string int_constant(const std::string& name, std::vector<int64_t> shape,
                           std::vector<int64_t> data) {
    ir::Value v;
    v.name = name;
    v.type = ir::ElemType::kInt64;
    v.shape = std::move(shape);
    v.shape_known = true;
    v.is_constant = true;
    v.i = std::move(data);
    g.values[name] = v;
    return name;
  }
  // Appends a node; declares its outputs as (shape-unknown) values.
  ir::Node& node(const std::string& op, const std::string& name, std::vector<std::string> inputs,
                 std::vector<std::string> outputs,
                 std::vector<std::pair<std::string, ir::Attribute>> attrs = {}) {
    ir::Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    for (auto& [k, a] : attrs) n.attrs[k] = a;
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      ir::Value v;
      v.name = out;
      g.values[out] = v;
    }
    g.nodes.push_back(std::move(n));
    return g.nodes.back();
  }
  void output(const std::string& name) { g.outputs.push_back(name); }

  size_t count_op(const std::string& op) const {
    return static_cast<size_t>(std::count_if(g.nodes.begin(), g.nodes.end(),
                                             [&](const ir::Node& n) { return n.op == op; }));
  }
  const ir::Node* find(const std::string& op) const {
    for (const ir::Node& n : g.nodes)
      if (n.op == op) return &n;
    return nullptr;
  }
};

// A converted blob, loaded and run on given inputs; returns every output.
class BlobRunner {
 public:
  explicit BlobRunner(blob::Blob blob) : blob_(std::move(blob)) {
    const Status s = model_.load(blob_.bytes.data(), blob_.bytes.size());
    REQUIRE_MESSAGE(s.ok(), s.message);
    arena_.resize(model_.arena_bytes());
    const Status si = session_.init(model_, arena_.data(), arena_.size());
    REQUIRE_MESSAGE(si.ok(), si.message);
  }
  const Model& model() const { return model_; }
  // run() on the kernel set `kernels` (the session keeps it for later runs).
  std::vector<std::vector<float>> run_with(const KernelSet* kernels,
                                           const std::vector<std::vector<float>>& inputs) {
    const Status si = session_.init(model_, arena_.data(), arena_.size(), kernels);
    REQUIRE_MESSAGE(si.ok(), si.message);
    return run(inputs);
  }
  std::vector<std::vector<float>> run(const std::vector<std::vector<float>>& inputs) {
    REQUIRE(inputs.size() == model_.input_count());
    for (size_t i = 0; i < inputs.size(); ++i)
      REQUIRE(session_.set_input(i, inputs[i].data(), inputs[i].size()).ok());
    const Status s = session_.run();
    REQUIRE_MESSAGE(s.ok(), s.message);
    std::vector<std::vector<float>> outs;
    for (size_t o = 0; o < model_.output_count(); ++o) {
      std::vector<float> out(model_.output(o).element_count());
      REQUIRE(session_.get_output(o, out.data(), out.size()).ok());
      outs.push_back(std::move(out));
    }
    return outs;
  }
  size_t count_ops(format::OpType type) const {
    size_t n = 0;
    for (uint32_t i = 0; i < model_.op_count(); ++i)
      n += model_.op(i).type == static_cast<uint16_t>(type);
    return n;
  }

 private:
  blob::Blob blob_;
  Model model_;
  std::vector<uint8_t> arena_;
  Session session_;
};

// max |a - b| / max(1, |b|) over all elements.
inline double max_rel_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    const double d = std::fabs(static_cast<double>(a[k]) - b[k]);
    worst = std::max(worst, d / std::max(1.0, std::fabs(static_cast<double>(b[k]))));
  }
  return worst;
}

}  // namespace edgeae::testing
