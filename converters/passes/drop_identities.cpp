// Identity and Dropout (inference) pass their input through. Readers of the
// output read the input instead; but when the output is a graph output and
// the input is an intermediate value read only here, the producer writes the
// output's name directly, so the model's output keeps its name.
#include "passes/passes.hpp"

namespace edgeae::passes {

void drop_identities(ir::Graph& g) {
  std::vector<ir::Node> kept;
  for (const ir::Node& n : g.nodes) {
    if (n.op != "Identity" && n.op != "Dropout") {
      kept.push_back(n);
      continue;
    }
    const std::string& in = n.inputs[0];
    const std::string& out = n.outputs[0];
    ir::Node* producer = nullptr;
    for (ir::Node& k : kept)
      if (!k.outputs.empty() && k.outputs[0] == in) producer = &k;
    const bool rename =
        g.is_graph_output(out) && producer && g.use_count(in) == 1 && !g.is_graph_output(in);
    if (rename)
      producer->outputs[0] = out;
    else
      g.replace_uses(out, in);
  }
  g.nodes = std::move(kept);
}

}  // namespace edgeae::passes
