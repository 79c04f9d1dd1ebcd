// BatchNormalization in inference is y = s * (x - mean) + b with
// s = scale / sqrt(var + eps) per channel. After a Conv, ConvTranspose or
// Gemm whose output nothing else reads, it folds into that op's weights and
// bias (computed in double). Anywhere else it becomes a Mul and an Add by
// per-channel constants shaped [C, 1, ...] to broadcast over the spatial axes.
#include <cmath>

#include "passes/passes.hpp"

namespace edgeae::passes {
namespace {

using ir::Graph;
using ir::Node;

struct ChannelAffine {
  std::vector<double> scale, shift;  // y = scale[c] * x + shift[c]
};

ChannelAffine affine_of(const Graph& g, const Node& bn) {
  const auto& gamma = g.value(bn.inputs[1]).f;
  const auto& beta = g.value(bn.inputs[2]).f;
  const auto& mean = g.value(bn.inputs[3]).f;
  const auto& var = g.value(bn.inputs[4]).f;
  const double eps = bn.attr_float("epsilon", 1e-5f);
  ChannelAffine a;
  for (size_t c = 0; c < gamma.size(); ++c) {
    const double s = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    a.scale.push_back(s);
    a.shift.push_back(beta[c] - s * mean[c]);
  }
  return a;
}

// Output channel of weight element k for the producer's weight layout.
size_t out_channel(const Node& producer, const std::vector<int64_t>& w_shape, size_t k) {
  if (producer.op == "Conv") {
    int64_t per = 1;
    for (size_t a = 1; a < w_shape.size(); ++a) per *= w_shape[a];
    return k / static_cast<size_t>(per);
  }
  if (producer.op == "ConvTranspose") {  // [Cin, Cout/group, k...]
    int64_t spatial = 1;
    for (size_t a = 2; a < w_shape.size(); ++a) spatial *= w_shape[a];
    const int64_t cout_g = w_shape[1];
    const int64_t group = producer.attr_int("group", 1);
    const int64_t cin_g = w_shape[0] / group;
    const auto i = static_cast<int64_t>(k);
    const int64_t ic = i / (cout_g * spatial), j = (i / spatial) % cout_g;
    return static_cast<size_t>((ic / cin_g) * cout_g + j);
  }
  // Gemm: B is [K, N] or, with transB, [N, K].
  const bool tb = producer.attr_int("transB", 0) != 0;
  return tb ? k / static_cast<size_t>(w_shape[1]) : k % static_cast<size_t>(w_shape[1]);
}

bool try_fold_into_producer(Graph& g, const Node& bn, std::vector<Node>& done) {
  if (done.empty()) return false;
  Node& p = done.back();
  const bool foldable = p.op == "Conv" || p.op == "ConvTranspose" ||
                        (p.op == "Gemm" && g.value(bn.inputs[0]).shape.size() == 2);
  if (!foldable || p.outputs[0] != bn.inputs[0] || g.use_count(p.outputs[0]) != 1 ||
      g.is_graph_output(p.outputs[0]) || p.act != format::Activation::kNone)
    return false;
  if (p.op == "Gemm" && (p.attr_float("alpha", 1) != 1 || p.attr_float("beta", 1) != 1))
    return false;
  const ir::Value& w = g.value(p.inputs[1]);
  if (!w.is_constant) return false;
  const ChannelAffine a = affine_of(g, bn);
  const int64_t channels = static_cast<int64_t>(a.scale.size());
  std::vector<float> weights(w.f.size());
  for (size_t k = 0; k < w.f.size(); ++k)
    weights[k] = static_cast<float>(w.f[k] * a.scale[out_channel(p, w.shape, k)]);
  std::vector<float> bias(static_cast<size_t>(channels));
  const std::string old_bias = p.input(2);
  if (!old_bias.empty() && g.value(old_bias).element_count() != channels &&
      g.value(old_bias).element_count() != 1)
    return false;
  for (int64_t c = 0; c < channels; ++c) {
    double b0 = 0;
    if (!old_bias.empty()) {
      const auto& ob = g.value(old_bias).f;
      b0 = ob.size() == 1 ? ob[0] : ob[static_cast<size_t>(c)];
    }
    bias[static_cast<size_t>(c)] = static_cast<float>(a.scale[c] * b0 + a.shift[c]);
  }
  p.inputs[1] = g.add_constant(w.name + "_bn", w.shape, std::move(weights));
  p.inputs.resize(3);
  p.inputs[2] = g.add_constant(p.outputs[0] + "_bn_bias", {channels}, std::move(bias));
  // The producer now writes what the BN wrote, under its name.
  p.outputs[0] = bn.outputs[0];
  return true;
}

}  // namespace

void fold_batchnorm(Graph& g) {
  std::vector<Node> done;
  for (const Node& n : g.nodes) {
    if (n.op != "BatchNormalization") {
      done.push_back(n);
      continue;
    }
    if (try_fold_into_producer(g, n, done)) continue;
    // Standalone: Mul by scale then Add shift, constants shaped [C, 1, ...].
    const ChannelAffine a = affine_of(g, n);
    const auto& x = g.value(n.inputs[0]);
    std::vector<int64_t> shape(x.shape.size() - 1, 1);
    shape[0] = static_cast<int64_t>(a.scale.size());
    const std::vector<float> scale(a.scale.begin(), a.scale.end());
    const std::vector<float> shift(a.shift.begin(), a.shift.end());
    Node mul, add;
    mul.op = "Mul";
    mul.name = n.name + "_scale";
    const std::string scaled = g.fresh_name(n.outputs[0] + "_scaled");
    ir::Value& sv = g.values[scaled];
    sv.name = scaled;
    sv.shape = x.shape;
    sv.shape_known = true;
    mul.inputs = {n.inputs[0], g.add_constant(n.name + "_scale", shape, scale)};
    mul.outputs = {scaled};
    add.op = "Add";
    add.name = n.name + "_shift";
    add.inputs = {scaled, g.add_constant(n.name + "_shift", shape, shift)};
    add.outputs = {n.outputs[0]};
    done.push_back(mul);
    done.push_back(add);
  }
  g.nodes = std::move(done);
}

}  // namespace edgeae::passes
