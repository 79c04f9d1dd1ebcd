// An activation whose input is produced by the op just before it, and read by
// nothing else, is applied by that op as it stores its output (no extra pass
// over memory, no extra arena tensor).
#include "passes/passes.hpp"

namespace edgeae::passes {
namespace {

bool can_fuse_into(const std::string& op) {
  return op == "Gemm" || op == "Conv" || op == "ConvTranspose" || op == "Add" || op == "Sub" ||
         op == "Mul" || op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool";
}

}  // namespace

void fuse_activations(ir::Graph& g, bool clamps_only) {
  std::vector<ir::Node> done;
  for (const ir::Node& n : g.nodes) {
    const bool clamp = n.op == "Relu" || n.op == "Clip";
    const bool activation =
        clamp || (!clamps_only && (n.op == "LeakyRelu" || n.op == "Sigmoid" || n.op == "Tanh" ||
                                   n.op == "HardSigmoid" || n.op == "PRelu"));
    if (!activation || done.empty()) {
      done.push_back(n);
      continue;
    }
    ir::Node& p = done.back();
    const std::string& x = n.inputs[0];
    if (!can_fuse_into(p.op) || p.outputs[0] != x || p.act != format::Activation::kNone ||
        g.use_count(x) != 1 || g.is_graph_output(x)) {
      done.push_back(n);
      continue;
    }
    using format::Activation;
    if (n.op == "PRelu") {
      // Fusable when the slope is one value or one per channel (axis 1).
      const ir::Value& slope = g.value(n.inputs[1]);
      const auto& shape = g.value(x).shape;
      const int64_t channels = shape.size() >= 2 ? shape[1] : 1;
      bool per_channel = slope.is_constant && shape.size() >= 2 &&
                         (slope.element_count() == 1 || slope.element_count() == channels);
      // A per-channel slope must sit on axis 1: [C], [C,1], [C,1,1] (or [1,C,...]).
      if (per_channel && slope.element_count() == channels && channels > 1) {
        const size_t rank = shape.size();
        const size_t srank = slope.shape.size();
        for (size_t a = 0; a < srank; ++a) {
          const size_t axis = rank - srank + a;
          if (slope.shape[a] != (axis == 1 ? channels : 1)) per_channel = false;
        }
      }
      if (!per_channel) {
        done.push_back(n);
        continue;
      }
      p.act = Activation::kPRelu;
      p.act_slope = n.inputs[1];
    } else if (n.op == "Relu") {
      p.act = Activation::kRelu;
    } else if (n.op == "LeakyRelu") {
      p.act = Activation::kLeakyRelu;
      p.act_alpha = n.attr_float("alpha", 0.01f);
    } else if (n.op == "Sigmoid") {
      p.act = Activation::kSigmoid;
    } else if (n.op == "Tanh") {
      p.act = Activation::kTanh;
    } else if (n.op == "Clip") {
      p.act = Activation::kClip;
      p.act_alpha = n.attr_float("min", 0);
      p.act_beta = n.attr_float("max", 0);
    } else if (n.op == "HardSigmoid") {
      p.act = Activation::kHardSigmoid;
      p.act_alpha = n.attr_float("alpha", 0.2f);
      p.act_beta = n.attr_float("beta", 0.5f);
    }
    // The producer now writes what the activation wrote, under its name, so
    // readers and graph outputs see no change.
    p.outputs[0] = n.outputs[0];
  }
  g.nodes = std::move(done);
}

}  // namespace edgeae::passes
