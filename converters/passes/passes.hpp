// Graph passes: small, named rewrites of the IR, each tested on its own.
// convert.cpp runs them in this order:
//
//   infer_shapes        static shape of every value from the input shapes;
//                       folds constant subgraphs (initializer-only chains, the
//                       Shape/Gather/Unsqueeze/Concat chains PyTorch emits
//                       around Reshape) and normalizes attributes (auto_pad
//                       and output_shape to explicit pads, Clip inputs to
//                       attributes, Resize/Upsample to integer scales)
//   drop_identities     removes Identity, Dropout and float->float Cast
//   fold_batchnorm      folds BatchNormalization into the Conv, ConvTranspose
//                       or Gemm before it; a standalone one becomes Mul + Add
//   matmul_to_gemm      MatMul (+ Add of a constant bias) -> Gemm
//   fuse_activations    Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Clip,
//                       HardSigmoid into the op that produces their input
//   fuse_residual_adds  (float models) a skip Add into the Conv or
//                       ConvTranspose before it, as its residual input
//
// Every pass throws ir::ConvertError naming the node on anything it cannot
// express.
#pragma once

#include "ir/graph.hpp"

namespace edgeae::passes {

// The ops a model may contain, for error messages.
extern const char* const kSupportedOps;

void infer_shapes(ir::Graph& g);
void drop_identities(ir::Graph& g);
void fold_batchnorm(ir::Graph& g);
void matmul_to_gemm(ir::Graph& g);
// clamps_only: fuse Relu and Clip only (what a quantized op can apply as
// its output clamp); the other activations stay ops of their own.
void fuse_activations(ir::Graph& g, bool clamps_only = false);
// Float models only: the runtime's residual input is float32.
void fuse_residual_adds(ir::Graph& g);
// Removes nodes whose outputs nobody reads and values nobody uses.
void remove_dead(ir::Graph& g);

}  // namespace edgeae::passes
