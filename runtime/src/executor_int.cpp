// The quantized ops: reads each op's integer parameters (OpRecord.quant, laid
// out as blob_format.hpp says; Model::load checked them) into the integer
// kernels' structs and runs the int8 or int16 (16x8) kernel.
#include "conv_gather.hpp"
#include "kernels/kernel_set.hpp"
#include "kernels/reference/int_reference.hpp"
#include "op_view.hpp"

namespace edgeae::detail {
namespace {

using format::OpType;
using format::TensorRecord;

bool is_int16(const TensorRecord& t) {
  return t.dtype == static_cast<uint8_t>(format::DType::kInt16);
}

template <typename T>
T header(const OpView& v) {
  T h;
  memcpy(&h, v.quant<int32_t>(), sizeof h);
  return h;
}
template <typename T>
const int32_t* after_header(const OpView& v) {
  return v.quant<int32_t>() + sizeof(T) / sizeof(int32_t);
}

ref::LayerQuant layer_quant(const OpView& v) {
  const auto h = header<format::QuantLayer>(v);
  ref::LayerQuant q;
  q.in_zp = h.in_zp;
  q.out.multiplier = after_header<format::QuantLayer>(v);
  q.out.shift = q.out.multiplier + h.count;
  q.out.count = static_cast<uint32_t>(h.count);
  q.out.out_zp = h.out_zp;
  q.out.act_min = h.act_min;
  q.out.act_max = h.act_max;
  return q;
}

void run_dense(const OpView& v, const ref::LayerQuant& q, void* y) {
  const TensorRecord& a = v.tensor(0);
  ref::DenseShape s;
  s.m = v.out().dims[0];
  s.n = v.out().dims[1];
  s.k = a.dims[1];
  s.b_block = static_cast<uint32_t>(params_as<format::DenseParams>(v.op).b_block);
  if (v.has_input(2)) {
    const TensorRecord& c = v.tensor(2);
    const uint32_t cm = c.rank == 2 ? c.dims[0] : 1;
    const uint32_t cn = c.rank == 0 ? 1 : c.dims[c.rank - 1];
    s.bias_stride_m = cm == 1 ? 0 : cn;
    s.bias_stride_n = cn == 1 ? 0 : 1;
  }
  if (is_int16(v.out()) && is_int16(v.tensor(1)))
    v.session.kernels()->dense_s16x16(s, q.out, v.in<int16_t>(0), v.in<int16_t>(1),
                                      v.in<int64_t>(2), static_cast<int16_t*>(y));
  else if (is_int16(v.out()))
    v.session.kernels()->dense_s16(s, q.out, v.in<int16_t>(0), v.in<int8_t>(1), v.in<int64_t>(2),
                                   static_cast<int16_t*>(y));
  else if (params_as<format::DenseParams>(v.op).b_packing == 1)
    v.session.kernels()->dense_s8(s, q, v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2),
                                  q.out.shift + q.out.count, static_cast<int8_t*>(y));
  else
    ref::dense_s8(s, q, v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2),
                  static_cast<int8_t*>(y));
}

void run_conv(const OpView& v, const ref::LayerQuant& q, bool transposed, void* y) {
  const ref::ConvShape s = conv_shape(v);
  const KernelSet& k = *v.session.kernels();
  const uint32_t taps = static_cast<uint32_t>(s.p.kernel[0]) * static_cast<uint32_t>(s.p.kernel[1]);
  if (s.p.w_packing == 1 && k.conv_s8 != nullptr && taps <= kMaxIndirectTaps &&
      k.conv_s8(s, transposed, q, v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2),
                q.out.shift + q.out.count, reinterpret_cast<int8_t*>(v.scratch),
                static_cast<int8_t*>(y)))
    return;
  if (s.p.w_packing == 1) {  // int8, groups 1
    conv_s8_gathered(*v.session.kernels(), s, transposed, q, v.in<int8_t>(0), v.in<int8_t>(1),
                     v.in<int32_t>(2), q.out.shift + q.out.count,
                     reinterpret_cast<int8_t*>(v.scratch), static_cast<size_t>(v.op.scratch_bytes),
                     static_cast<int8_t*>(y));
    return;
  }
  if (is_int16(v.out()) && is_int16(v.tensor(1))) {
    auto* fn = transposed ? ref::conv_transpose_s16x16 : ref::conv_s16x16;
    fn(s, q.out, v.in<int16_t>(0), v.in<int16_t>(1), v.in<int64_t>(2), static_cast<int16_t*>(y));
  } else if (is_int16(v.out())) {
    auto* fn = transposed ? ref::conv_transpose_s16 : ref::conv_s16;
    fn(s, q.out, v.in<int16_t>(0), v.in<int8_t>(1), v.in<int64_t>(2), static_cast<int16_t*>(y));
  } else {
    auto* fn = transposed ? ref::conv_transpose_s8 : ref::conv_s8;
    fn(s, q, v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2), static_cast<int8_t*>(y));
  }
}

void run_prelu(const OpView& v, void* y) {
  const auto h = header<format::QuantPRelu>(v);
  ref::PReluQuant q;
  q.in_zp = h.in_zp;
  q.pos_multiplier = h.pos_multiplier;
  q.pos_shift = h.pos_shift;
  q.neg_multiplier = after_header<format::QuantPRelu>(v);
  q.neg_shift = q.neg_multiplier + h.count;
  q.neg_count = static_cast<uint32_t>(h.count);
  q.out_zp = h.out_zp;
  q.act_min = h.act_min;
  q.act_max = h.act_max;
  const TensorRecord& o = v.out();
  const auto count = static_cast<uint32_t>(element_count(o));
  const uint32_t c = o.rank ? o.dims[o.rank - 1] : 1;
  if (is_int16(o))
    ref::prelu_s16(q, count, c, v.in<int16_t>(0), static_cast<int16_t*>(y));
  else
    ref::prelu_s8(q, count, c, v.in<int8_t>(0), static_cast<int8_t*>(y));
}

void run_lut(const OpView& v, void* y) {
  const auto count = static_cast<uint32_t>(element_count(v.out()));
  if (is_int16(v.out()))
    ref::lut_s16(v.quant<int16_t>(), count, v.in<int16_t>(0), static_cast<int16_t*>(y));
  else
    ref::lut_s8(v.quant<int8_t>(), count, v.in<int8_t>(0), static_cast<int8_t*>(y));
}

ref::BinaryShapes binary_shapes(const OpView& v) {
  return ref::BinaryShapes{shape_of(v.tensor(0)), shape_of(v.tensor(1)), shape_of(v.out())};
}

void run_add(const OpView& v, ref::BinaryOp kind, void* y) {
  const auto h = header<format::QuantAdd>(v);
  ref::AddQuant q;
  q.left_shift = h.left_shift;
  q.a_zp = h.a_zp;
  q.a_multiplier = h.a_multiplier;
  q.a_shift = h.a_shift;
  q.b_zp = h.b_zp;
  q.b_multiplier = h.b_multiplier;
  q.b_shift = h.b_shift;
  q.out_multiplier = h.out_multiplier;
  q.out_shift = h.out_shift;
  q.out_zp = h.out_zp;
  q.act_min = h.act_min;
  q.act_max = h.act_max;
  if (is_int16(v.out()))
    ref::add_s16(kind, binary_shapes(v), q, v.in<int16_t>(0), v.in<int16_t>(1),
                 static_cast<int16_t*>(y));
  else
    v.session.kernels()->add_s8(kind, binary_shapes(v), q, v.in<int8_t>(0), v.in<int8_t>(1),
                                static_cast<int8_t*>(y));
}

void run_mul(const OpView& v, void* y) {
  const auto h = header<format::QuantMul>(v);
  ref::MulQuant q;
  q.a_zp = h.a_zp;
  q.b_zp = h.b_zp;
  q.multiplier = h.multiplier;
  q.shift = h.shift;
  q.out_zp = h.out_zp;
  q.act_min = h.act_min;
  q.act_max = h.act_max;
  if (is_int16(v.out()))
    ref::mul_s16(binary_shapes(v), q, v.in<int16_t>(0), v.in<int16_t>(1), static_cast<int16_t*>(y));
  else
    ref::mul_s8(binary_shapes(v), q, v.in<int8_t>(0), v.in<int8_t>(1), static_cast<int8_t*>(y));
}

void run_pool(const OpView& v, OpType type, void* y) {
  const auto h = header<format::QuantPool>(v);
  const ref::PoolQuant q{h.zp, h.act_min, h.act_max};
  const bool wide = is_int16(v.out());
  if (type == OpType::kGlobalAveragePool) {
    const TensorRecord& x = v.tensor(0);
    const uint32_t spatial = height(x) * width(x);
    if (wide)
      ref::global_average_pool_s16(x.dims[0], spatial, channels(x), q, v.in<int16_t>(0),
                                   static_cast<int16_t*>(y));
    else
      ref::global_average_pool_s8(x.dims[0], spatial, channels(x), q, v.in<int8_t>(0),
                                  static_cast<int8_t*>(y));
    return;
  }
  const ref::PoolShape s = pool_shape(v);
  const bool max = type == OpType::kMaxPool;
  if (wide)
    (max ? ref::max_pool_s16 : ref::average_pool_s16)(s, q, v.in<int16_t>(0),
                                                      static_cast<int16_t*>(y));
  else
    (max ? ref::max_pool_s8 : ref::average_pool_s8)(s, q, v.in<int8_t>(0), static_cast<int8_t*>(y));
}

void run_concat(const OpView& v, void* y) {
  const auto h = header<format::QuantConcat>(v);
  const int32_t* words = after_header<format::QuantConcat>(v);
  ref::ConcatInputQuant inputs[format::kMaxOpInputs];
  ref::Shape shapes[format::kMaxOpInputs];
  const void* data[format::kMaxOpInputs] = {};
  for (uint32_t k = 0; k < v.op.input_count; ++k) {
    format::QuantConcatInput w;
    memcpy(&w, words + k * (sizeof w / sizeof(int32_t)), sizeof w);
    inputs[k] =
        ref::ConcatInputQuant{w.zp, w.multiplier, w.shift, static_cast<uint8_t>(w.same_as_output)};
    shapes[k] = shape_of(v.tensor(k));
    data[k] = v.in_raw(k);
  }
  const ref::ConcatQuant q{inputs, h.out_zp};
  const auto axis = static_cast<uint32_t>(params_as<format::ConcatParams>(v.op).axis);
  if (is_int16(v.out()))
    ref::concat_s16(v.op.input_count, shapes, reinterpret_cast<const int16_t* const*>(data), q,
                    axis, static_cast<int16_t*>(y));
  else
    ref::concat_s8(v.op.input_count, shapes, reinterpret_cast<const int8_t* const*>(data), q, axis,
                   static_cast<int8_t*>(y));
}

void run_requantize(const OpView& v, void* y) {
  const auto h = header<format::QuantRequantize>(v);
  const ref::RequantizeQuant q{h.in_zp, h.out_zp, h.multiplier, h.shift};
  const auto count = static_cast<uint32_t>(element_count(v.out()));
  const bool from16 = is_int16(v.tensor(0)), to16 = is_int16(v.out());
  if (from16 && to16)
    ref::requantize_s16_s16(q, count, v.in<int16_t>(0), static_cast<int16_t*>(y));
  else if (from16)
    ref::requantize_s16_s8(q, count, v.in<int16_t>(0), static_cast<int8_t*>(y));
  else if (to16)
    ref::requantize_s8_s16(q, count, v.in<int8_t>(0), static_cast<int16_t*>(y));
  else
    ref::requantize_s8_s8(q, count, v.in<int8_t>(0), static_cast<int8_t*>(y));
}

}  // namespace

void execute_quantized_op(const OpView& v, void* out) {
  const auto type = static_cast<OpType>(v.op.type);
  switch (type) {
    case OpType::kDense:
      run_dense(v, layer_quant(v), out);
      break;
    case OpType::kConv:
    case OpType::kConvTranspose:
      run_conv(v, layer_quant(v), type == OpType::kConvTranspose, out);
      break;
    case OpType::kRelu:
    case OpType::kLeakyRelu:
    case OpType::kPRelu:
    case OpType::kClip:
      run_prelu(v, out);
      break;
    case OpType::kSigmoid:
    case OpType::kTanh:
    case OpType::kHardSigmoid:
      run_lut(v, out);
      break;
    case OpType::kAdd:
      run_add(v, ref::BinaryOp::kAdd, out);
      break;
    case OpType::kSub:
      run_add(v, ref::BinaryOp::kSub, out);
      break;
    case OpType::kMul:
      run_mul(v, out);
      break;
    case OpType::kMaxPool:
    case OpType::kAveragePool:
    case OpType::kGlobalAveragePool:
      run_pool(v, type, out);
      break;
    case OpType::kConcat:
      run_concat(v, out);
      break;
    case OpType::kRequantize:
      run_requantize(v, out);
      break;
    case OpType::kResize:
    case OpType::kTranspose:
    case OpType::kCount:
      break;
  }
}

}  // namespace edgeae::detail
