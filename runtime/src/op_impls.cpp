// Every op implementation of the runtime (eae_op_impl, op_impl.hpp), one
// object per op type and data type, named eae_op_<OpType>_<form> with C
// linkage so that the op tables `edgeae convert --emit-c` writes can name
// them, and all_ops(), the table of them all.
#include "executor.hpp"
#include "op_impl.hpp"
#include "op_rules.hpp"

namespace {

using namespace edgeae::detail;
using namespace edgeae::rules;
using edgeae::ref::BinaryOp;

}  // namespace

#define EDGEAE_IMPL(symbol, infer, check, run) \
  extern "C" const eae_op_impl symbol = {infer, check, run};

// Both integer forms of an op.
#define EDGEAE_INT_IMPLS(type, infer, check, run)              \
  EDGEAE_IMPL(eae_op_##type##_int8, infer, check, run<int8_t>) \
  EDGEAE_IMPL(eae_op_##type##_int16, infer, check, run<int16_t>)

// The int8 layers in three forms by their weights' packing (op_impl.hpp).
#define EDGEAE_INT8_LAYER_IMPLS(type, infer, run)                                    \
  EDGEAE_IMPL(eae_op_##type##_int8, infer, check_layer_quads, run<kRunsQuads>)       \
  EDGEAE_IMPL(eae_op_##type##_int8_pairs, infer, check_layer_pairs, run<kRunsPairs>) \
  EDGEAE_IMPL(eae_op_##type##_int8_any, infer, check_layer, run<kRunsAnyPacking>)

EDGEAE_IMPL(eae_op_Dense_f32, infer_dense, nullptr, run_dense_f32)
EDGEAE_INT8_LAYER_IMPLS(Dense, infer_dense, run_dense_s8)
EDGEAE_IMPL(eae_op_Dense_int16, infer_dense, check_layer, run_dense_s16)
EDGEAE_IMPL(eae_op_Conv_f32, infer_conv, nullptr, run_conv_f32)
EDGEAE_INT8_LAYER_IMPLS(Conv, infer_conv, run_conv_s8)
EDGEAE_IMPL(eae_op_Conv_int16, infer_conv, check_layer, run_conv_s16)
EDGEAE_IMPL(eae_op_ConvTranspose_f32, infer_conv_transpose, nullptr, run_conv_transpose_f32)
EDGEAE_INT8_LAYER_IMPLS(ConvTranspose, infer_conv_transpose, run_conv_transpose_s8)
EDGEAE_IMPL(eae_op_ConvTranspose_int16, infer_conv_transpose, check_layer, run_conv_transpose_s16)
// The activations: float32 kernels by kind; integer ReLU-like ones are
// PRelu-shaped requantizations, the others tables.
EDGEAE_IMPL(eae_op_Relu_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(Relu, infer_same, check_prelu, run_prelu_q)
EDGEAE_IMPL(eae_op_LeakyRelu_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(LeakyRelu, infer_same, check_prelu, run_prelu_q)
EDGEAE_IMPL(eae_op_PRelu_f32, infer_prelu, nullptr, run_binary_f32<BinaryOp::kPRelu>)
EDGEAE_INT_IMPLS(PRelu, infer_prelu, check_prelu, run_prelu_q)
EDGEAE_IMPL(eae_op_Sigmoid_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(Sigmoid, infer_same, check_lut, run_lut_q)
EDGEAE_IMPL(eae_op_Tanh_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(Tanh, infer_same, check_lut, run_lut_q)
EDGEAE_IMPL(eae_op_Clip_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(Clip, infer_same, check_prelu, run_prelu_q)
EDGEAE_IMPL(eae_op_HardSigmoid_f32, infer_same, nullptr, run_activation_f32)
EDGEAE_INT_IMPLS(HardSigmoid, infer_same, check_lut, run_lut_q)
EDGEAE_IMPL(eae_op_Add_f32, infer_binary, nullptr, run_binary_f32<BinaryOp::kAdd>)
EDGEAE_IMPL(eae_op_Add_int8, infer_binary, check_add, (run_add_q<int8_t, BinaryOp::kAdd>))
EDGEAE_IMPL(eae_op_Add_int16, infer_binary, check_add, (run_add_q<int16_t, BinaryOp::kAdd>))
EDGEAE_IMPL(eae_op_Sub_f32, infer_binary, nullptr, run_binary_f32<BinaryOp::kSub>)
EDGEAE_IMPL(eae_op_Sub_int8, infer_binary, check_add, (run_add_q<int8_t, BinaryOp::kSub>))
EDGEAE_IMPL(eae_op_Sub_int16, infer_binary, check_add, (run_add_q<int16_t, BinaryOp::kSub>))
EDGEAE_IMPL(eae_op_Mul_f32, infer_binary, nullptr, run_binary_f32<BinaryOp::kMul>)
EDGEAE_INT_IMPLS(Mul, infer_binary, check_mul, run_mul_q)
EDGEAE_IMPL(eae_op_Concat_f32, infer_concat, nullptr, run_concat_copy)
EDGEAE_INT_IMPLS(Concat, infer_concat, check_concat, run_concat_q)
EDGEAE_IMPL(eae_op_MaxPool_f32, infer_pool, nullptr, run_max_pool_f32)
EDGEAE_INT_IMPLS(MaxPool, infer_pool, check_pool, run_max_pool_q)
EDGEAE_IMPL(eae_op_AveragePool_f32, infer_pool, nullptr, run_average_pool_f32)
EDGEAE_INT_IMPLS(AveragePool, infer_pool, check_pool, run_average_pool_q)
EDGEAE_IMPL(eae_op_GlobalAveragePool_f32, infer_global_pool, nullptr, run_global_average_pool_f32)
EDGEAE_INT_IMPLS(GlobalAveragePool, infer_global_pool, check_pool, run_global_average_pool_q)
// Data movement (float32, int8, int16), the input's quantization kept.
EDGEAE_IMPL(eae_op_Resize_f32, infer_resize, nullptr, run_resize)
EDGEAE_IMPL(eae_op_Resize_int8, infer_resize, nullptr, run_resize)
EDGEAE_IMPL(eae_op_Resize_int16, infer_resize, nullptr, run_resize)
EDGEAE_IMPL(eae_op_Transpose_f32, infer_transpose, nullptr, run_transpose)
EDGEAE_IMPL(eae_op_Transpose_int8, infer_transpose, nullptr, run_transpose)
EDGEAE_IMPL(eae_op_Transpose_int16, infer_transpose, nullptr, run_transpose)
// Between the integer types (mixed precision); the form is the output's.
EDGEAE_INT_IMPLS(Requantize, infer_same, check_requantize, run_requantize_q)

#undef EDGEAE_INT8_LAYER_IMPLS
#undef EDGEAE_INT_IMPLS
#undef EDGEAE_IMPL

namespace edgeae {
namespace {

// In OpType order (blob_format.hpp): each op's float32, int8 and int16 forms.
const eae_op_impl* const kAllOps[] = {
    &eae_op_Dense_f32,
    &eae_op_Dense_int8_any,
    &eae_op_Dense_int16,
    &eae_op_Conv_f32,
    &eae_op_Conv_int8_any,
    &eae_op_Conv_int16,
    &eae_op_ConvTranspose_f32,
    &eae_op_ConvTranspose_int8_any,
    &eae_op_ConvTranspose_int16,
    &eae_op_Relu_f32,
    &eae_op_Relu_int8,
    &eae_op_Relu_int16,
    &eae_op_LeakyRelu_f32,
    &eae_op_LeakyRelu_int8,
    &eae_op_LeakyRelu_int16,
    &eae_op_PRelu_f32,
    &eae_op_PRelu_int8,
    &eae_op_PRelu_int16,
    &eae_op_Sigmoid_f32,
    &eae_op_Sigmoid_int8,
    &eae_op_Sigmoid_int16,
    &eae_op_Tanh_f32,
    &eae_op_Tanh_int8,
    &eae_op_Tanh_int16,
    &eae_op_Clip_f32,
    &eae_op_Clip_int8,
    &eae_op_Clip_int16,
    &eae_op_HardSigmoid_f32,
    &eae_op_HardSigmoid_int8,
    &eae_op_HardSigmoid_int16,
    &eae_op_Add_f32,
    &eae_op_Add_int8,
    &eae_op_Add_int16,
    &eae_op_Sub_f32,
    &eae_op_Sub_int8,
    &eae_op_Sub_int16,
    &eae_op_Mul_f32,
    &eae_op_Mul_int8,
    &eae_op_Mul_int16,
    &eae_op_Concat_f32,
    &eae_op_Concat_int8,
    &eae_op_Concat_int16,
    &eae_op_MaxPool_f32,
    &eae_op_MaxPool_int8,
    &eae_op_MaxPool_int16,
    &eae_op_AveragePool_f32,
    &eae_op_AveragePool_int8,
    &eae_op_AveragePool_int16,
    &eae_op_GlobalAveragePool_f32,
    &eae_op_GlobalAveragePool_int8,
    &eae_op_GlobalAveragePool_int16,
    &eae_op_Resize_f32,
    &eae_op_Resize_int8,
    &eae_op_Resize_int16,
    &eae_op_Transpose_f32,
    &eae_op_Transpose_int8,
    &eae_op_Transpose_int16,
    nullptr,
    &eae_op_Requantize_int8,
    &eae_op_Requantize_int16,
};
static_assert(sizeof kAllOps / sizeof kAllOps[0] == EAE_OP_TABLE_SIZE, "one row per OpType");

}  // namespace

OpTable all_ops() {
  return kAllOps;
}

}  // namespace edgeae
