// Drops nodes none of whose outputs is read (after other rewrites left them
// behind), then values nothing refers to.
#include <set>

#include "passes/passes.hpp"

namespace edgeae::passes {

void remove_dead(ir::Graph& g) {
  std::set<std::string> live(g.outputs.begin(), g.outputs.end());
  std::vector<ir::Node> kept;
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    bool used = false;
    for (const std::string& out : it->outputs) used = used || live.count(out);
    if (!used) continue;
    for (const std::string& in : it->inputs) live.insert(in);
    if (!it->act_slope.empty()) live.insert(it->act_slope);
    kept.insert(kept.begin(), *it);
  }
  g.nodes = std::move(kept);
  for (const std::string& in : g.inputs) live.insert(in);
  for (const ir::Node& n : g.nodes)
    for (const std::string& out : n.outputs) live.insert(out);
  for (auto it = g.values.begin(); it != g.values.end();)
    it = live.count(it->first) ? std::next(it) : g.values.erase(it);
}

}  // namespace edgeae::passes
