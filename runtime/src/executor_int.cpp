// The quantized ops: reads each op's integer parameters (OpRecord.quant, laid
// out as blob_format.hpp says; Model::load checked them) into the integer
// kernels' structs and runs the int8 or int16 kernel. One function per op and
// element type (T: int8_t or int16_t), so that an image links only the forms
// its op table names (op_impls.cpp).
#include "conv_gather.hpp"
#include "kernels/reference/int_reference.hpp"
#include "kernels/static_kernels.hpp"
#include "op_impl.hpp"
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

template <typename T>
constexpr bool kWide = sizeof(T) == 2;

ref::DenseShape dense_shape(const OpView& v) {
  ref::DenseShape s;
  s.m = v.out().dims[0];
  s.n = v.out().dims[1];
  s.k = v.tensor(0).dims[1];
  s.b_block = static_cast<uint32_t>(params_as<format::DenseParams>(v.op).b_block);
  s.b_packing = params_as<format::DenseParams>(v.op).b_packing;
  if (v.has_input(2)) {
    const TensorRecord& c = v.tensor(2);
    const uint32_t cm = c.rank == 2 ? c.dims[0] : 1;
    const uint32_t cn = c.rank == 0 ? 1 : c.dims[c.rank - 1];
    s.bias_stride_m = cm == 1 ? 0 : cn;
    s.bias_stride_n = cn == 1 ? 0 : 1;
  }
  return s;
}

// The int8 Dense and Conv kernels for the weights' packing (1 quads, 2 DSP
// pairs). kPackings (op_impl.hpp) is what the op's form runs: a form of one
// packing names one kernel (if constexpr: the other is not even named), so
// that its image links only that one.
template <unsigned kPackings, class Slots>
auto kernel_for(const OpView& v, int32_t packing) {
  if constexpr (kPackings == kRunsPairs)
    return Slots::pairs(v.session);
  else if constexpr ((kPackings & kPackingBit<2>) == 0)
    return Slots::quads(v.session);
  else
    return packing == 2 ? Slots::pairs(v.session) : Slots::quads(v.session);
}
struct DenseS8Slots {
  static auto quads(const Session& s) { return EDGEAE_KERNEL(s, dense_s8); }
  static auto pairs(const Session& s) { return EDGEAE_KERNEL(s, dense_s8_pairs); }
};
struct ConvS8Slots {
  static auto quads(const Session& s) { return EDGEAE_KERNEL(s, conv_s8); }
  static auto pairs(const Session& s) { return EDGEAE_KERNEL(s, conv_s8_pairs); }
};
template <bool kTransposed, unsigned kPackings>
void run_conv_s8(const OpView& v, void* y) {
  const ref::ConvShape s = conv_shape(v);
  const ref::LayerQuant q = layer_quant(v);
  const int32_t packing = s.p.w_packing;
  const decltype(KernelSet::conv_s8) conv_s8 = kernel_for<kPackings, ConvS8Slots>(v, packing);
  const uint32_t taps = static_cast<uint32_t>(s.p.kernel[0]) * static_cast<uint32_t>(s.p.kernel[1]);
  const int32_t* column_sums = q.out.shift + q.out.count;
  auto* out = static_cast<int8_t*>(y);
  if (packing != 0 && conv_s8 != nullptr && taps <= kMaxIndirectTaps &&
      conv_s8(s, kTransposed, q, v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2), column_sums,
              reinterpret_cast<int8_t*>(v.scratch), out))
    return;
  if (packing != 0) {  // groups 1
    conv_s8_gathered(kernel_for<kPackings, DenseS8Slots>(v, packing), s, kTransposed, q,
                     v.in<int8_t>(0), v.in<int8_t>(1), v.in<int32_t>(2), column_sums,
                     reinterpret_cast<int8_t*>(v.scratch), static_cast<size_t>(v.op.scratch_bytes),
                     out);
    return;
  }
  (kTransposed ? ref::conv_transpose_s8 : ref::conv_s8)(s, q, v.in<int8_t>(0), v.in<int8_t>(1),
                                                        v.in<int32_t>(2), out);
}

// int16 layers: int16 weights (16x16) or int8 ones (16x8).
template <bool kTransposed>
void run_conv_s16(const OpView& v, void* y) {
  const ref::ConvShape s = conv_shape(v);
  const ref::RequantParams q = layer_quant(v).out;
  auto* out = static_cast<int16_t*>(y);
  if (is_int16(v.tensor(1)))
    (kTransposed ? ref::conv_transpose_s16x16 : ref::conv_s16x16)(
        s, q, v.in<int16_t>(0), v.in<int16_t>(1), v.in<int64_t>(2), out);
  else
    (kTransposed ? ref::conv_transpose_s16 : ref::conv_s16)(s, q, v.in<int16_t>(0), v.in<int8_t>(1),
                                                            v.in<int64_t>(2), out);
}

ref::PReluQuant prelu_quant(const OpView& v) {
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
  return q;
}

ref::AddQuant add_quant(const OpView& v) {
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
  return q;
}

ref::MulQuant mul_quant(const OpView& v) {
  const auto h = header<format::QuantMul>(v);
  ref::MulQuant q;
  q.a_zp = h.a_zp;
  q.b_zp = h.b_zp;
  q.multiplier = h.multiplier;
  q.shift = h.shift;
  q.out_zp = h.out_zp;
  q.act_min = h.act_min;
  q.act_max = h.act_max;
  return q;
}

ref::BinaryShapes binary_shapes(const OpView& v) {
  return ref::BinaryShapes{shape_of(v.tensor(0)), shape_of(v.tensor(1)), shape_of(v.out())};
}

ref::PoolQuant pool_quant(const OpView& v) {
  const auto h = header<format::QuantPool>(v);
  return ref::PoolQuant{h.zp, h.act_min, h.act_max};
}

uint32_t out_count(const OpView& v) {
  return static_cast<uint32_t>(element_count(v.out()));
}

}  // namespace

// (Packed B, quads or DSP pairs: the loader admits no other int8 Gemm.)
template <unsigned kPackings>
void run_dense_s8(const OpView& v, void* y) {
  const ref::LayerQuant q = layer_quant(v);
  const ref::DenseShape s = dense_shape(v);
  kernel_for<kPackings, DenseS8Slots>(v, s.b_packing)(s, q, v.in<int8_t>(0), v.in<int8_t>(1),
                                                      v.in<int32_t>(2), q.out.shift + q.out.count,
                                                      static_cast<int8_t*>(y));
}
template void run_dense_s8<kRunsQuads>(const OpView&, void*);
template void run_dense_s8<kRunsPairs>(const OpView&, void*);
template void run_dense_s8<kRunsAnyPacking>(const OpView&, void*);

void run_dense_s16(const OpView& v, void* y) {
  const ref::DenseShape s = dense_shape(v);
  const ref::RequantParams q = layer_quant(v).out;
  auto* out = static_cast<int16_t*>(y);
  if (is_int16(v.tensor(1))) {
    const auto dense_s16x16 = EDGEAE_KERNEL(v.session, dense_s16x16);
    dense_s16x16(s, q, v.in<int16_t>(0), v.in<int16_t>(1), v.in<int64_t>(2), out);
  } else {
    const auto dense_s16 = EDGEAE_KERNEL(v.session, dense_s16);
    dense_s16(s, q, v.in<int16_t>(0), v.in<int8_t>(1), v.in<int64_t>(2), out);
  }
}

template <unsigned kPackings>
void run_conv_s8(const OpView& v, void* y) {
  run_conv_s8<false, kPackings>(v, y);
}
template <unsigned kPackings>
void run_conv_transpose_s8(const OpView& v, void* y) {
  run_conv_s8<true, kPackings>(v, y);
}
template void run_conv_s8<kRunsQuads>(const OpView&, void*);
template void run_conv_s8<kRunsPairs>(const OpView&, void*);
template void run_conv_s8<kRunsAnyPacking>(const OpView&, void*);
template void run_conv_transpose_s8<kRunsQuads>(const OpView&, void*);
template void run_conv_transpose_s8<kRunsPairs>(const OpView&, void*);
template void run_conv_transpose_s8<kRunsAnyPacking>(const OpView&, void*);
void run_conv_s16(const OpView& v, void* y) {
  run_conv_s16<false>(v, y);
}
void run_conv_transpose_s16(const OpView& v, void* y) {
  run_conv_s16<true>(v, y);
}

template <typename T>
void run_prelu_q(const OpView& v, void* y) {
  const TensorRecord& o = v.out();
  const uint32_t c = o.rank ? o.dims[o.rank - 1] : 1;
  if constexpr (kWide<T>) {
    ref::prelu_s16(prelu_quant(v), out_count(v), c, v.in<int16_t>(0), static_cast<int16_t*>(y));
  } else {
    const auto prelu_s8 = EDGEAE_KERNEL(v.session, prelu_s8);
    prelu_s8(prelu_quant(v), out_count(v), c, v.in<int8_t>(0), static_cast<int8_t*>(y));
  }
}

template <typename T>
void run_lut_q(const OpView& v, void* y) {
  if constexpr (kWide<T>)
    ref::lut_s16(v.quant<int16_t>(), out_count(v), v.in<int16_t>(0), static_cast<int16_t*>(y));
  else
    ref::lut_s8(v.quant<int8_t>(), out_count(v), v.in<int8_t>(0), static_cast<int8_t*>(y));
}

template <typename T, ref::BinaryOp kKind>
void run_add_q(const OpView& v, void* y) {
  if constexpr (kWide<T>)
    ref::add_s16(kKind, binary_shapes(v), add_quant(v), v.in<int16_t>(0), v.in<int16_t>(1),
                 static_cast<int16_t*>(y));
  else
    EDGEAE_KERNEL(v.session, add_s8)
  (kKind, binary_shapes(v), add_quant(v), v.in<int8_t>(0), v.in<int8_t>(1),
   static_cast<int8_t*>(y));
}

template <typename T>
void run_mul_q(const OpView& v, void* y) {
  if constexpr (kWide<T>)
    ref::mul_s16(binary_shapes(v), mul_quant(v), v.in<int16_t>(0), v.in<int16_t>(1),
                 static_cast<int16_t*>(y));
  else
    ref::mul_s8(binary_shapes(v), mul_quant(v), v.in<int8_t>(0), v.in<int8_t>(1),
                static_cast<int8_t*>(y));
}

template <typename T>
void run_max_pool_q(const OpView& v, void* y) {
  if constexpr (kWide<T>)
    ref::max_pool_s16(pool_shape(v), pool_quant(v), v.in<int16_t>(0), static_cast<int16_t*>(y));
  else
    ref::max_pool_s8(pool_shape(v), pool_quant(v), v.in<int8_t>(0), static_cast<int8_t*>(y));
}

template <typename T>
void run_average_pool_q(const OpView& v, void* y) {
  if constexpr (kWide<T>)
    ref::average_pool_s16(pool_shape(v), pool_quant(v), v.in<int16_t>(0), static_cast<int16_t*>(y));
  else
    ref::average_pool_s8(pool_shape(v), pool_quant(v), v.in<int8_t>(0), static_cast<int8_t*>(y));
}

template <typename T>
void run_global_average_pool_q(const OpView& v, void* y) {
  const TensorRecord& x = v.tensor(0);
  const uint32_t spatial = height(x) * width(x);
  if constexpr (kWide<T>)
    ref::global_average_pool_s16(x.dims[0], spatial, channels(x), pool_quant(v), v.in<int16_t>(0),
                                 static_cast<int16_t*>(y));
  else
    ref::global_average_pool_s8(x.dims[0], spatial, channels(x), pool_quant(v), v.in<int8_t>(0),
                                static_cast<int8_t*>(y));
}

template <typename T>
void run_concat_q(const OpView& v, void* y) {
  const auto h = header<format::QuantConcat>(v);
  const int32_t* words = after_header<format::QuantConcat>(v);
  ref::ConcatInputQuant inputs[format::kMaxOpInputs];
  ref::Shape shapes[format::kMaxOpInputs];
  const T* data[format::kMaxOpInputs] = {};
  for (uint32_t k = 0; k < v.op.input_count; ++k) {
    format::QuantConcatInput w;
    memcpy(&w, words + k * (sizeof w / sizeof(int32_t)), sizeof w);
    inputs[k] =
        ref::ConcatInputQuant{w.zp, w.multiplier, w.shift, static_cast<uint8_t>(w.same_as_output)};
    shapes[k] = shape_of(v.tensor(k));
    data[k] = v.in<T>(k);
  }
  const ref::ConcatQuant q{inputs, h.out_zp};
  const auto axis = static_cast<uint32_t>(params_as<format::ConcatParams>(v.op).axis);
  if constexpr (kWide<T>) {
    ref::concat_s16(v.op.input_count, shapes, data, q, axis, static_cast<int16_t*>(y));
  } else {
    const auto concat_s8 = EDGEAE_KERNEL(v.session, concat_s8);
    concat_s8(v.op.input_count, shapes, data, q, axis, static_cast<int8_t*>(y));
  }
}

// Output T; the input is either type.
template <typename T>
void run_requantize_q(const OpView& v, void* y) {
  const auto h = header<format::QuantRequantize>(v);
  const ref::RequantizeQuant q{h.in_zp, h.out_zp, h.multiplier, h.shift};
  const bool from16 = is_int16(v.tensor(0));
  if constexpr (kWide<T>) {
    if (from16)
      ref::requantize_s16_s16(q, out_count(v), v.in<int16_t>(0), static_cast<int16_t*>(y));
    else
      ref::requantize_s8_s16(q, out_count(v), v.in<int8_t>(0), static_cast<int16_t*>(y));
  } else {
    if (from16)
      ref::requantize_s16_s8(q, out_count(v), v.in<int16_t>(0), static_cast<int8_t*>(y));
    else
      ref::requantize_s8_s8(q, out_count(v), v.in<int8_t>(0), static_cast<int8_t*>(y));
  }
}

#define EDGEAE_BOTH_FORMS(fn)                     \
  template void fn<int8_t>(const OpView&, void*); \
  template void fn<int16_t>(const OpView&, void*);
EDGEAE_BOTH_FORMS(run_prelu_q)
EDGEAE_BOTH_FORMS(run_lut_q)
EDGEAE_BOTH_FORMS(run_mul_q)
EDGEAE_BOTH_FORMS(run_max_pool_q)
EDGEAE_BOTH_FORMS(run_average_pool_q)
EDGEAE_BOTH_FORMS(run_global_average_pool_q)
EDGEAE_BOTH_FORMS(run_concat_q)
EDGEAE_BOTH_FORMS(run_requantize_q)
#undef EDGEAE_BOTH_FORMS
template void run_add_q<int8_t, ref::BinaryOp::kAdd>(const OpView&, void*);
template void run_add_q<int8_t, ref::BinaryOp::kSub>(const OpView&, void*);
template void run_add_q<int16_t, ref::BinaryOp::kAdd>(const OpView&, void*);
template void run_add_q<int16_t, ref::BinaryOp::kSub>(const OpView&, void*);

}  // namespace edgeae::detail
