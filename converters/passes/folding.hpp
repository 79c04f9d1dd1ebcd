// Shared by infer_shapes and constant folding: shape rules of the
// shape-manipulating ops, and the constant evaluator.
#pragma once

#include <vector>

#include "ir/graph.hpp"

namespace edgeae::passes {

// Evaluates `n` if all its inputs are constants (or it is a Shape of a value
// with a known shape): writes its output as a constant and returns true.
bool try_fold(ir::Graph& g, const ir::Node& n);

// Reshape's target with 0 (copy, unless allow_zero) and -1 (infer) resolved.
std::vector<int64_t> reshape_target(const ir::Node& n, const std::vector<int64_t>& in_shape,
                                    std::vector<int64_t> target, bool allow_zero);
std::vector<int64_t> unsqueeze_shape(const ir::Node& n, const std::vector<int64_t>& in,
                                     std::vector<int64_t> axes);
std::vector<int64_t> squeeze_shape(const ir::Node& n, const std::vector<int64_t>& in,
                                   std::vector<int64_t> axes);
// Squeeze/Unsqueeze axes: the constant second input (opset 13) or the attribute.
std::vector<int64_t> axes_input_or_attr(const ir::Graph& g, const ir::Node& n);

}  // namespace edgeae::passes
