#include "executor.hpp"

#include "kernels/static_kernels.hpp"
#include "op_impl.hpp"
#include "op_view.hpp"

namespace edgeae::detail {
namespace {

using format::OpType;
using format::TensorRecord;

ref::ActivationSpec activation_of(const OpView& v) {
  ref::ActivationSpec a;
  a.kind = static_cast<format::Activation>(v.op.activation);
  a.alpha = v.op.act_alpha;
  a.beta = v.op.act_beta;
  if (v.op.act_slope != format::kNoId) {
    const TensorRecord& s = v.model.tensor(v.op.act_slope);
    a.slope = reinterpret_cast<const float*>(v.model.constant_data(s));
    a.slope_count = static_cast<uint32_t>(element_count(s));
  }
  return a;
}

// A float layer's epilogue: its activation, then its residual input (3), if any.
ref::ActivationSpec layer_epilogue(const OpView& v) {
  ref::ActivationSpec a = activation_of(v);
  a.residual = v.in_f32(3);
  return a;
}

}  // namespace

void run_dense_f32(const OpView& v, void* y) {
  const auto p = params_as<format::DenseParams>(v.op);
  const TensorRecord& a = v.tensor(0);
  ref::DenseShape s;
  s.trans_a = p.trans_a != 0;
  s.trans_b = p.trans_b != 0;
  s.b_block = static_cast<uint32_t>(p.b_block);
  s.m = v.out().dims[0];
  s.n = v.out().dims[1];
  s.k = s.trans_a ? a.dims[0] : a.dims[1];
  const float* bias = v.op.input_count > 2 ? v.in_f32(2) : nullptr;
  if (bias) {
    const TensorRecord& c = v.tensor(2);
    const uint32_t cm = c.rank == 2 ? c.dims[0] : 1;
    const uint32_t cn = c.rank == 0 ? 1 : c.dims[c.rank - 1];
    s.bias_stride_m = cm == 1 ? 0 : cn;
    s.bias_stride_n = cn == 1 ? 0 : 1;
  }
  EDGEAE_KERNEL(v.session, dense)
  (s, v.in_f32(0), v.in_f32(1), bias, activation_of(v), static_cast<float*>(y));
}

void run_conv_f32(const OpView& v, void* y) {
  EDGEAE_KERNEL(v.session, conv)
  (conv_shape(v), v.in_f32(0), v.in_f32(1), v.in_f32(2), layer_epilogue(v), static_cast<float*>(y));
}

void run_conv_transpose_f32(const OpView& v, void* y) {
  EDGEAE_KERNEL(v.session, conv_transpose)
  (conv_shape(v), v.in_f32(0), v.in_f32(1), v.in_f32(2), layer_epilogue(v), static_cast<float*>(y));
}

void run_activation_f32(const OpView& v, void* y) {
  const TensorRecord& o = v.out();
  EDGEAE_KERNEL(v.session, activation)
  (activation_of(v), static_cast<uint32_t>(element_count(o)), o.rank ? o.dims[o.rank - 1] : 1,
   v.in_f32(0), static_cast<float*>(y));
}

template <ref::BinaryOp kKind>
void run_binary_f32(const OpView& v, void* y) {
  EDGEAE_KERNEL(v.session, binary)
  (kKind, shape_of(v.tensor(0)), v.in_f32(0), shape_of(v.tensor(1)), v.in_f32(1), shape_of(v.out()),
   activation_of(v), static_cast<float*>(y));
}
template void run_binary_f32<ref::BinaryOp::kAdd>(const OpView&, void*);
template void run_binary_f32<ref::BinaryOp::kSub>(const OpView&, void*);
template void run_binary_f32<ref::BinaryOp::kMul>(const OpView&, void*);
template void run_binary_f32<ref::BinaryOp::kPRelu>(const OpView&, void*);

void run_concat_copy(const OpView& v, void* y) {
  ref::Shape shapes[format::kMaxOpInputs];
  const void* inputs[format::kMaxOpInputs] = {};
  for (uint32_t k = 0; k < v.op.input_count; ++k) {
    shapes[k] = shape_of(v.tensor(k));
    inputs[k] = v.in_raw(k);
  }
  const uint32_t elem = format::dtype_bytes(static_cast<format::DType>(v.out().dtype));
  ref::concat(elem, v.op.input_count, shapes, inputs,
              static_cast<uint32_t>(params_as<format::ConcatParams>(v.op).axis), y);
}

void run_max_pool_f32(const OpView& v, void* y) {
  EDGEAE_KERNEL(v.session, max_pool)
  (pool_shape(v), v.in_f32(0), activation_of(v), static_cast<float*>(y));
}

void run_average_pool_f32(const OpView& v, void* y) {
  EDGEAE_KERNEL(v.session, average_pool)
  (pool_shape(v), v.in_f32(0), activation_of(v), static_cast<float*>(y));
}

void run_global_average_pool_f32(const OpView& v, void* y) {
  const TensorRecord& x = v.tensor(0);
  EDGEAE_KERNEL(v.session, global_average_pool)
  (x.dims[0], height(x) * width(x), channels(x), v.in_f32(0), activation_of(v),
   static_cast<float*>(y));
}

void run_resize(const OpView& v, void* y) {
  const uint32_t elem = format::dtype_bytes(static_cast<format::DType>(v.out().dtype));
  ref::resize_nearest(elem, shape_of(v.tensor(0)), params_as<format::ResizeParams>(v.op).scale,
                      v.in_raw(0), y);
}

void run_transpose(const OpView& v, void* y) {
  const uint32_t elem = format::dtype_bytes(static_cast<format::DType>(v.out().dtype));
  ref::transpose(elem, shape_of(v.tensor(0)), params_as<format::TransposeParams>(v.op).perm,
                 v.in_raw(0), y);
}

void execute_op(const Session& session, const format::OpRecord& op) {
  const Model& model = *session.model();
  const OpView v{model, session, op, session.arena_ + op.scratch_offset};
  model.impl_of(op).run(v, session.mutable_tensor_data(op.output));
}

}  // namespace edgeae::detail
