// Identity and Dropout (inference) pass their input through: readers of the
// output read the input instead. A graph output keeps its name by renaming
// the producer's output when the input is not itself a graph input or output.
#include "passes/passes.hpp"

namespace edgeae::passes {

void drop_identities(ir::Graph& g) {
  std::vector<ir::Node> kept;
  for (const ir::Node& n : g.nodes) {
    if (n.op != "Identity" && n.op != "Dropout") {
      kept.push_back(n);
      continue;
    }
    g.replace_uses(n.outputs[0], n.inputs[0]);
  }
  g.nodes = std::move(kept);
}

}  // namespace edgeae::passes
