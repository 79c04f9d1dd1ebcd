// The per-op rules behind eae_op_impl (op_impl.hpp): each op's shape rule
// (shape_rules.cpp) and the check of its integer parameters (quant_rules.cpp).
// The checks every op shares stay in infer_output and check_quant.
#pragma once

#include "edgeae/shape_rules.hpp"

namespace edgeae::rules {

using InferFn = Status(const format::OpRecord& op, const format::TensorRecord* const* in,
                       Dims* out);
InferFn infer_dense, infer_conv, infer_conv_transpose, infer_same, infer_prelu, infer_binary,
    infer_concat, infer_pool, infer_global_pool, infer_resize, infer_transpose;

using QuantCheckFn = Status(const format::OpRecord& op, const format::TensorRecord* const* in,
                            const format::TensorRecord& out, const format::TensorRecord& quant,
                            const QuantConstants& data);
QuantCheckFn check_layer, check_prelu, check_lut, check_add, check_mul, check_pool, check_concat,
    check_requantize;
// check_layer for the int8 layer forms of one weight layout (op_impl.hpp).
QuantCheckFn check_layer_quads, check_layer_pairs;

}  // namespace edgeae::rules
