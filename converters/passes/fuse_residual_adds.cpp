// A skip connection's Add whose one operand is the output of the Conv or
// ConvTranspose just before it (read by nothing else) becomes that layer's
// residual input: the layer adds it as it stores each output, so the Add's
// pass over memory and its arena tensor disappear (format 1.2; float only:
// a quantized Add rescales both operands, which a layer's output stage does
// not).
#include "passes/passes.hpp"

namespace edgeae::passes {

void fuse_residual_adds(ir::Graph& g) {
  std::vector<ir::Node> done;
  for (const ir::Node& n : g.nodes) {
    if (n.op != "Add" || n.act != format::Activation::kNone || done.empty() ||
        n.inputs.size() != 2) {
      done.push_back(n);
      continue;
    }
    ir::Node& p = done.back();
    const std::string& produced = p.outputs.empty() ? std::string() : p.outputs[0];
    const int side = n.inputs[0] == produced ? 0 : n.inputs[1] == produced ? 1 : -1;
    const std::string& other = side < 0 ? produced : n.inputs[1 - side];
    // The other operand was computed before the layer (the layer comes just
    // before the Add), so it is ready when the layer runs.
    const bool fusable = (p.op == "Conv" || p.op == "ConvTranspose") && side >= 0 &&
                         p.inputs.size() <= 3 && other != produced && !g.is_constant(other) &&
                         g.use_count(produced) == 1 && !g.is_graph_output(produced) &&
                         g.value(other).shape == g.value(produced).shape;
    if (!fusable) {
      done.push_back(n);
      continue;
    }
    p.inputs.resize(3);  // an absent bias stays an empty name
    p.inputs.push_back(other);
    p.outputs[0] = n.outputs[0];
  }
  g.nodes = std::move(done);
}

}  // namespace edgeae::passes
