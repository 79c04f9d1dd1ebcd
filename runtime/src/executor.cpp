#include "executor.hpp"

#include "kernels/kernel_set.hpp"
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

void run_dense(const OpView& v, float* y) {
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
  v.session.kernels()->dense(s, v.in_f32(0), v.in_f32(1), bias, activation_of(v), y);
}

void run_binary(const OpView& v, ref::BinaryOp kind, float* y) {
  v.session.kernels()->binary(kind, shape_of(v.tensor(0)), v.in_f32(0), shape_of(v.tensor(1)),
                              v.in_f32(1), shape_of(v.out()), activation_of(v), y);
}

void run_concat(const OpView& v, void* y) {
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

}  // namespace

void execute_op(const Session& session, const format::OpRecord& op) {
  const Model& model = *session.model();
  const OpView v{model, session, op, session.arena_ + op.scratch_offset};
  void* out = session.mutable_tensor_data(op.output);
  auto* y = static_cast<float*>(out);
  const uint32_t elem = format::dtype_bytes(static_cast<format::DType>(v.out().dtype));
  const auto type = static_cast<OpType>(op.type);
  if (elem != 4 && type != OpType::kResize && type != OpType::kTranspose) {
    execute_quantized_op(v, out);
    return;
  }
  const KernelSet& k = *session.kernels();
  switch (type) {
    case OpType::kDense:
      run_dense(v, y);
      break;
    case OpType::kConv:
      k.conv(conv_shape(v), v.in_f32(0), v.in_f32(1), v.in_f32(2), activation_of(v), y);
      break;
    case OpType::kConvTranspose:
      k.conv_transpose(conv_shape(v), v.in_f32(0), v.in_f32(1), v.in_f32(2), activation_of(v), y);
      break;
    case OpType::kRelu:
    case OpType::kLeakyRelu:
    case OpType::kSigmoid:
    case OpType::kTanh:
    case OpType::kClip:
    case OpType::kHardSigmoid: {
      const TensorRecord& o = v.out();
      k.activation(activation_of(v), static_cast<uint32_t>(element_count(o)),
                   o.rank ? o.dims[o.rank - 1] : 1, v.in_f32(0), y);
      break;
    }
    case OpType::kPRelu:
      run_binary(v, ref::BinaryOp::kPRelu, y);
      break;
    case OpType::kAdd:
      run_binary(v, ref::BinaryOp::kAdd, y);
      break;
    case OpType::kSub:
      run_binary(v, ref::BinaryOp::kSub, y);
      break;
    case OpType::kMul:
      run_binary(v, ref::BinaryOp::kMul, y);
      break;
    case OpType::kConcat:
      run_concat(v, out);
      break;
    case OpType::kMaxPool:
      k.max_pool(pool_shape(v), v.in_f32(0), activation_of(v), y);
      break;
    case OpType::kAveragePool:
      k.average_pool(pool_shape(v), v.in_f32(0), activation_of(v), y);
      break;
    case OpType::kGlobalAveragePool: {
      const TensorRecord& x = v.tensor(0);
      k.global_average_pool(x.dims[0], height(x) * width(x), channels(x), v.in_f32(0),
                            activation_of(v), y);
      break;
    }
    case OpType::kResize:
      ref::resize_nearest(elem, shape_of(v.tensor(0)), params_as<format::ResizeParams>(op).scale,
                          v.in_raw(0), out);
      break;
    case OpType::kTranspose:
      ref::transpose(elem, shape_of(v.tensor(0)), params_as<format::TransposeParams>(op).perm,
                     v.in_raw(0), out);
      break;
    case OpType::kRequantize:
    case OpType::kCount:
      break;
  }
}

}  // namespace edgeae::detail
