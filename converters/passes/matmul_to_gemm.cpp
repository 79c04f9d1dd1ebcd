// A 2-D MatMul(A, B) is a Gemm (the runtime's Dense takes a constant or a
// computed B); when its only reader is the next node, an Add of a constant
// that broadcasts along N ([N] or [1, N]), that Add becomes the Gemm's bias.
#include "passes/passes.hpp"

namespace edgeae::passes {

void matmul_to_gemm(ir::Graph& g) {
  std::vector<ir::Node> out;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    ir::Node n = g.nodes[i];
    if (n.op == "MatMul") {
      n.op = "Gemm";
      n.attrs.clear();
      const int64_t cols = g.value(n.outputs[0]).shape[1];
      if (i + 1 < g.nodes.size() && g.use_count(n.outputs[0]) == 1 &&
          !g.is_graph_output(n.outputs[0])) {
        const ir::Node& next = g.nodes[i + 1];
        const bool is_add = next.op == "Add" && next.inputs.size() == 2;
        if (is_add) {
          const std::string& other =
              next.inputs[0] == n.outputs[0] ? next.inputs[1] : next.inputs[0];
          const ir::Value& bias = g.value(other);
          const bool row = bias.is_constant && bias.element_count() == cols &&
                           (bias.shape == std::vector<int64_t>{cols} ||
                            bias.shape == std::vector<int64_t>{1, cols});
          if (row && (next.inputs[0] == n.outputs[0] || next.inputs[1] == n.outputs[0])) {
            n.inputs.push_back(other);
            n.outputs = next.outputs;
            ++i;
          }
        }
      }
    }
    out.push_back(n);
  }
  g.nodes = std::move(out);
}

}  // namespace edgeae::passes
