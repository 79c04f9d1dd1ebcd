// Runs one validated op: turns its record and tensor records into a kernel's
// plain description and calls the kernel. No checks: Model::load did them.
// One run function per op and data type (the `run` of eae_op_impl,
// op_impls.cpp): float32 in executor.cpp, int8/int16 (T) in executor_int.cpp.
#pragma once

#include "edgeae/edgeae.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae::detail {

struct OpView;

void execute_op(const Session& session, const format::OpRecord& op);

using RunFn = void(const OpView& v, void* out);

// float32
RunFn run_dense_f32, run_conv_f32, run_conv_transpose_f32, run_activation_f32, run_max_pool_f32,
    run_average_pool_f32, run_global_average_pool_f32;
template <ref::BinaryOp kKind>
void run_binary_f32(const OpView& v, void* out);
// Data movement of float32, int8 or int16 elements, no requantization.
RunFn run_concat_copy, run_resize, run_transpose;

// int8 / int16
RunFn run_dense_s16, run_conv_s16, run_conv_transpose_s16;
// int8 layers, for the weight packings kPackings (op_impl.hpp) names.
template <unsigned kPackings>
void run_dense_s8(const OpView& v, void* out);
template <unsigned kPackings>
void run_conv_s8(const OpView& v, void* out);
template <unsigned kPackings>
void run_conv_transpose_s8(const OpView& v, void* out);
#define EDGEAE_QUANT_RUN(name) \
  template <typename T>        \
  void name(const OpView& v, void* out);
EDGEAE_QUANT_RUN(run_prelu_q)
EDGEAE_QUANT_RUN(run_lut_q)
EDGEAE_QUANT_RUN(run_mul_q)
EDGEAE_QUANT_RUN(run_max_pool_q)
EDGEAE_QUANT_RUN(run_average_pool_q)
EDGEAE_QUANT_RUN(run_global_average_pool_q)
EDGEAE_QUANT_RUN(run_concat_q)
EDGEAE_QUANT_RUN(run_requantize_q)  // T: the output's
#undef EDGEAE_QUANT_RUN
template <typename T, ref::BinaryOp kKind>
void run_add_q(const OpView& v, void* out);

}  // namespace edgeae::detail
