// Lowering: the optimized IR (ONNX vocabulary, NCHW shapes) becomes blob ops.
// This is where the layout changes: spatial ops run channels-last, so their
// weights are reordered ([KH, KW, Cin/groups, Cout]) and their activations
// live as [N, H, W, C] / [N, W, C]. Each value is converted between the
// model's layout and channels-last only where a reader needs the other one,
// at most once, and as a free view whenever the two orders hold the same
// bytes (one channel, or one spatial position). Graph inputs and outputs
// keep the model's own layout.
#pragma once

#include "blob/graph_builder.hpp"
#include "ir/graph.hpp"

namespace edgeae::lower {

blob::Blob lower_to_blob(const ir::Graph& g);

}  // namespace edgeae::lower
