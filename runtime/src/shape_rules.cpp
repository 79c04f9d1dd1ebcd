#include "edgeae/shape_rules.hpp"

#include "op_impl.hpp"
#include "op_rules.hpp"
#include "record_access.hpp"
#include "status_message.hpp"

namespace edgeae {
namespace {

using detail::channels;
using detail::height;
using detail::params_as;
using detail::width;
using format::Activation;
using format::DType;
using format::OpType;
using format::TensorRecord;

// Largest kernel, stride, dilation, padding or scale accepted: far beyond any
// real model, small enough that window arithmetic cannot overflow int64.
constexpr int32_t kMaxWindowParam = 1 << 16;

Status malformed(const char* message) {
  return Status{StatusCode::kMalformed, message, Status::kNoIndex};
}
Status unsupported(const char* message) {
  return Status{StatusCode::kUnsupported, message, Status::kNoIndex};
}

bool in_range(int32_t v, int32_t lo, int32_t hi) {
  return v >= lo && v <= hi;
}

bool is_spatial(const TensorRecord& t) {
  return t.rank == 3 || t.rank == 4;
}

Dims spatial_dims(const TensorRecord& like, uint32_t h, uint32_t w, uint32_t c) {
  Dims d;
  d.rank = like.rank;
  d.d[0] = like.dims[0];
  if (like.rank == 4) {
    d.d[1] = h;
    d.d[2] = w;
    d.d[3] = c;
  } else {
    d.d[1] = w;
    d.d[2] = c;
  }
  return d;
}

// Window parameters shared by Conv, ConvTranspose and the pools. A 1-D op
// (rank 3) must leave the H axis trivial.
Status check_window(const TensorRecord& x, const int32_t kernel[2], const int32_t stride[2],
                    const int32_t pad_begin[2], const int32_t pad_end[2],
                    const int32_t dilation[2]) {
  for (int a = 0; a < 2; ++a) {
    if (!in_range(kernel[a], 1, kMaxWindowParam) || !in_range(stride[a], 1, kMaxWindowParam) ||
        !in_range(dilation[a], 1, kMaxWindowParam))
      return malformed(EDGEAE_MESSAGE("kernel, stride and dilation must be in 1..65536"));
    if (!in_range(pad_begin[a], 0, kMaxWindowParam) || !in_range(pad_end[a], 0, kMaxWindowParam))
      return malformed(EDGEAE_MESSAGE("padding must be in 0..65536"));
  }
  if (x.rank == 3 && (kernel[0] != 1 || stride[0] != 1 || dilation[0] != 1 || pad_begin[0] != 0 ||
                      pad_end[0] != 0))
    return malformed(
        EDGEAE_MESSAGE("a 1-D window must have H kernel 1, stride 1, dilation 1, no H padding"));
  return Status::Ok();
}

bool is_dtype(const TensorRecord* t, DType d) {
  return t && t->dtype == static_cast<uint8_t>(d);
}
bool is_quantized(uint8_t dtype) {
  return dtype == static_cast<uint8_t>(DType::kInt8) ||
         dtype == static_cast<uint8_t>(DType::kInt16);
}

// Which dtypes an op accepts and makes. Float ops take float32 everywhere. A
// quantized op (int8 or int16 data) takes int8 weights (int16 data: or int16
// ones) and an int32 (int8) or
// int64 (int16) bias, a float32 PRelu slope (only its shape is read; the
// slopes themselves are in the op's quant tensor), and carries no fused
// activation of another kind (its clamp is in the quant tensor).
Status check_dtypes(const format::OpRecord& op, OpType type, const TensorRecord* const* in,
                    DType* out_dtype) {
  const uint8_t d = in[0]->dtype;
  *out_dtype = static_cast<DType>(d);
  if (type == OpType::kRequantize) {
    const auto p = params_as<format::RequantizeParams>(op);
    if (!is_quantized(d) || p.out_dtype < 0 || p.out_dtype > 255 ||
        !is_quantized(static_cast<uint8_t>(p.out_dtype)))
      return malformed(EDGEAE_MESSAGE("Requantize converts between int8 and int16"));
    *out_dtype = static_cast<DType>(p.out_dtype);
    return Status::Ok();
  }
  if (type == OpType::kConcat || type == OpType::kResize || type == OpType::kTranspose) {
    // Data movement: float32, int8 or int16 elements; Concat checks its inputs agree.
    if (d != static_cast<uint8_t>(DType::kFloat32) && !is_quantized(d))
      return unsupported(EDGEAE_MESSAGE("ops move float32, int8 or int16 data only"));
    return Status::Ok();
  }
  if (d == static_cast<uint8_t>(DType::kFloat32)) {
    for (uint32_t i = 1; i < op.input_count; ++i)
      if (in[i] && !is_dtype(in[i], DType::kFloat32))
        return malformed(EDGEAE_MESSAGE("a float32 op takes float32 inputs only"));
    return Status::Ok();
  }
  if (!is_quantized(d))
    return unsupported(EDGEAE_MESSAGE("ops compute on float32, int8 or int16 data only"));
  if (op.activation != static_cast<uint8_t>(own_activation(type)) || op.act_slope != format::kNoId)
    return malformed(EDGEAE_MESSAGE(
        "a quantized op has no fused activation (its clamp is in its quant tensor)"));
  const DType bias = d == static_cast<uint8_t>(DType::kInt8) ? DType::kInt32 : DType::kInt64;
  switch (type) {
    case OpType::kDense:
    case OpType::kConv:
    case OpType::kConvTranspose:
      // int8 weights; int16 data may also take int16 weights ("16x16").
      if (!is_dtype(in[1], DType::kInt8) &&
          !(d == static_cast<uint8_t>(DType::kInt16) && is_dtype(in[1], DType::kInt16)))
        return malformed(
            EDGEAE_MESSAGE("quantized weights must be int8 (or int16 with int16 data)"));
      if (in[2] && !is_dtype(in[2], bias))
        return malformed(
            EDGEAE_MESSAGE("a quantized bias is int32 (int8 data) or int64 (int16 data)"));
      if (in[3]) return malformed(EDGEAE_MESSAGE("only a float32 Conv takes a residual input"));
      if (type == OpType::kDense) {
        const auto p = params_as<format::DenseParams>(op);
        // int8: B packed (1 quads, 2 DSP pairs); int16: plain B [K, N].
        const bool int8 = d == static_cast<uint8_t>(DType::kInt8);
        if (p.trans_a != 0 || p.trans_b != 0 ||
            (int8 ? p.b_packing != 1 && p.b_packing != 2 : p.b_packing != 0) ||
            (p.b_block != 0 && p.b_packing == 0))
          return malformed(EDGEAE_MESSAGE(
              "a quantized Gemm reads A [M, K] and B [K, N], packed (quads or pairs) for int8"));
      }
      break;
    case OpType::kPRelu:
      if (!is_dtype(in[1], DType::kFloat32))
        return malformed(EDGEAE_MESSAGE("a quantized PRelu's slope tensor stays float32"));
      break;
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul:
      if (in[1]->dtype != d)
        return malformed(EDGEAE_MESSAGE("quantized binary op inputs differ in dtype"));
      break;
    default:
      break;
  }
  return Status::Ok();
}

Status check_activation(const format::OpRecord& op, const TensorRecord* slope,
                        const Dims& out_dims) {
  if (op.activation > static_cast<uint8_t>(Activation::kPRelu))
    return malformed(EDGEAE_MESSAGE("unknown activation"));
  const auto act = static_cast<Activation>(op.activation);
  const auto type = static_cast<OpType>(op.type);
  const Activation own = own_activation(type);
  if (own != Activation::kNone && act != own)
    return malformed(EDGEAE_MESSAGE("an activation op must carry its own activation kind"));
  if ((type == OpType::kConcat || type == OpType::kResize || type == OpType::kTranspose ||
       type == OpType::kRequantize) &&
      act != Activation::kNone)
    return malformed(EDGEAE_MESSAGE("data movement ops take no fused activation"));
  if (!(op.act_alpha == op.act_alpha) || !(op.act_beta == op.act_beta))
    return malformed(EDGEAE_MESSAGE("activation parameters must not be NaN"));
  if (act == Activation::kClip && op.act_alpha > op.act_beta)
    return malformed(EDGEAE_MESSAGE("Clip min exceeds max"));
  if (act == Activation::kPRelu) {
    if (!slope) return malformed(EDGEAE_MESSAGE("fused PRelu needs a slope tensor"));
    const uint32_t c = out_dims.rank ? out_dims.d[out_dims.rank - 1] : 1;
    const uint64_t n = slope->bytes >> 2;
    if (slope->dtype != static_cast<uint8_t>(DType::kFloat32) || (n != 1 && n != c))
      return malformed(EDGEAE_MESSAGE("fused PRelu slope must be float32 with 1 or C values"));
  } else if (op.act_slope != format::kNoId) {
    return malformed(EDGEAE_MESSAGE("only a fused PRelu takes a slope tensor"));
  }
  return Status::Ok();
}

}  // namespace

namespace rules {

Status infer_dense(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  const auto p = params_as<format::DenseParams>(op);
  if (!in_range(p.trans_a, 0, 1) || !in_range(p.trans_b, 0, 1))
    return malformed(EDGEAE_MESSAGE("Gemm trans_a/trans_b must be 0 or 1"));
  if (p.b_block < 0 || (p.b_block > 0 && p.trans_b))
    return malformed(EDGEAE_MESSAGE("Gemm b_block must be 0, or positive with trans_b = 0"));
  const TensorRecord& a = *in[0];
  const TensorRecord& b = *in[1];
  if (a.rank != 2 || b.rank != 2)
    return malformed(EDGEAE_MESSAGE("Gemm inputs A and B must be 2-D"));
  const uint32_t m = p.trans_a ? a.dims[1] : a.dims[0];
  const uint32_t k = p.trans_a ? a.dims[0] : a.dims[1];
  const uint32_t kb = p.trans_b ? b.dims[1] : b.dims[0];
  const uint32_t n = p.trans_b ? b.dims[0] : b.dims[1];
  if (p.b_packing != 0) {
    if ((p.b_packing != 1 && p.b_packing != 2) || p.trans_a || p.trans_b ||
        a.dtype != static_cast<uint8_t>(DType::kInt8) ||
        b.dtype != static_cast<uint8_t>(DType::kInt8))
      return malformed(
          EDGEAE_MESSAGE("Gemm b_packing 1 or 2 is for int8 data and weights, untransposed"));
    if (kb != ((uint64_t{k} + 3) & ~uint64_t{3}))
      return malformed(EDGEAE_MESSAGE("a packed Gemm B has round_up(K, 4) rows"));
  } else if (k != kb) {
    return malformed(EDGEAE_MESSAGE("Gemm inner dimensions of A and B differ"));
  }
  if (const TensorRecord* c = in[2]) {
    // C broadcasts to [M, N]: [], [1], [N], [1, N], [M, 1] or [M, N].
    const uint32_t cm = c->rank == 2 ? c->dims[0] : 1;
    const uint32_t cn = c->rank == 0 ? 1 : c->dims[c->rank - 1];
    if (c->rank > 2 || (cm != 1 && cm != m) || (cn != 1 && cn != n))
      return malformed(EDGEAE_MESSAGE("Gemm bias C does not broadcast to [M, N]"));
  }
  out->rank = 2;
  out->d[0] = m;
  out->d[1] = n;
  return Status::Ok();
}

static Status infer_window_conv(const format::OpRecord& op, const TensorRecord* const* in,
                                bool transposed, Dims* out) {
  const auto p = params_as<format::ConvParams>(op);
  const TensorRecord& x = *in[0];
  const TensorRecord& w = *in[1];
  if (!is_spatial(x))
    return malformed(EDGEAE_MESSAGE("Conv input must be [N, W, C] or [N, H, W, C]"));
  Status s = check_window(x, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation);
  if (!s.ok()) return s;
  const uint32_t cin = channels(x);
  uint32_t cout = 0;
  if (p.w_packing == 1 || p.w_packing == 2) {
    const auto int8 = static_cast<uint8_t>(DType::kInt8);
    if (w.rank != 2 || p.groups != 1 || x.dtype != int8 || w.dtype != int8 || p.w_block < 0)
      return malformed(
          EDGEAE_MESSAGE("packed Conv weights are int8 [round_up(KH*KW*Cin, 4), Cout], groups 1"));
    const uint64_t rows =
        uint64_t{static_cast<uint32_t>(p.kernel[0])} * static_cast<uint32_t>(p.kernel[1]) * cin;
    if (w.dims[0] != ((rows + 3) & ~uint64_t{3}))
      return malformed(EDGEAE_MESSAGE("packed Conv weights must have round_up(KH*KW*Cin, 4) rows"));
    cout = w.dims[1];
  } else {
    if (p.w_packing != 0 || p.w_block != 0)
      return malformed(
          EDGEAE_MESSAGE("Conv w_packing must be 0, 1 or 2 (w_block only when packed)"));
    if (w.rank != 4)
      return malformed(EDGEAE_MESSAGE("Conv weights must be [KH, KW, Cin/groups, Cout]"));
    if (w.dims[0] != static_cast<uint32_t>(p.kernel[0]) ||
        w.dims[1] != static_cast<uint32_t>(p.kernel[1]))
      return malformed(EDGEAE_MESSAGE("Conv weight shape does not match the kernel size"));
    cout = w.dims[3];
    if (p.groups < 1 || cin % static_cast<uint32_t>(p.groups) != 0 ||
        cout % static_cast<uint32_t>(p.groups) != 0)
      return malformed(EDGEAE_MESSAGE("Conv groups must divide input and output channels"));
    if (w.dims[2] != cin / static_cast<uint32_t>(p.groups))
      return malformed(EDGEAE_MESSAGE("Conv weight channels differ from input channels / groups"));
  }
  if (const TensorRecord* bias = in[2]) {
    if (bias->rank != 1 || bias->dims[0] != cout)
      return malformed(EDGEAE_MESSAGE("Conv bias must be [Cout]"));
  }
  uint32_t oh, ow;
  if (transposed) {
    for (int a = 0; a < 2; ++a) {
      const int32_t limit = p.stride[a] > p.dilation[a] ? p.stride[a] : p.dilation[a];
      if (!in_range(p.output_padding[a], 0, limit - 1))
        return malformed(
            EDGEAE_MESSAGE("ConvTranspose output_padding must be below stride or dilation"));
    }
    if (x.rank == 3 && p.output_padding[0] != 0)
      return malformed(EDGEAE_MESSAGE("a 1-D ConvTranspose has no H output_padding"));
    oh = transposed_output_size(height(x), p.kernel[0], p.stride[0], p.pad_begin[0], p.pad_end[0],
                                p.dilation[0], p.output_padding[0]);
    ow = transposed_output_size(width(x), p.kernel[1], p.stride[1], p.pad_begin[1], p.pad_end[1],
                                p.dilation[1], p.output_padding[1]);
  } else {
    if (p.output_padding[0] != 0 || p.output_padding[1] != 0)
      return malformed(EDGEAE_MESSAGE("Conv has no output_padding"));
    oh = window_output_size(height(x), p.kernel[0], p.stride[0], p.pad_begin[0], p.pad_end[0],
                            p.dilation[0], false);
    ow = window_output_size(width(x), p.kernel[1], p.stride[1], p.pad_begin[1], p.pad_end[1],
                            p.dilation[1], false);
  }
  if (oh == 0 || ow == 0) return malformed(EDGEAE_MESSAGE("Conv output would be empty"));
  *out = spatial_dims(x, oh, ow, cout);
  if (const TensorRecord* residual = in[3]) {
    bool same = residual->rank == out->rank;
    for (uint32_t k = 0; same && k < out->rank; ++k) same = residual->dims[k] == out->d[k];
    if (!same)
      return malformed(EDGEAE_MESSAGE("a Conv residual input must have the output's dims"));
  }
  return Status::Ok();
}

Status infer_pool(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  const TensorRecord& x = *in[0];
  const auto p = params_as<format::PoolParams>(op);
  if (!is_spatial(x))
    return malformed(EDGEAE_MESSAGE("pool input must be [N, W, C] or [N, H, W, C]"));
  Status s = check_window(x, p.kernel, p.stride, p.pad_begin, p.pad_end, p.dilation);
  if (!s.ok()) return s;
  if (!in_range(p.ceil_mode, 0, 1) || !in_range(p.count_include_pad, 0, 1))
    return malformed(EDGEAE_MESSAGE("pool ceil_mode/count_include_pad must be 0 or 1"));
  for (int a = 0; a < 2; ++a) {
    // A window must always hold a real element (ONNX: pads smaller than the kernel).
    if (p.pad_begin[a] >= p.kernel[a] || p.pad_end[a] >= p.kernel[a])
      return malformed(EDGEAE_MESSAGE("pool padding must be smaller than the kernel"));
  }
  const uint32_t oh = window_output_size(height(x), p.kernel[0], p.stride[0], p.pad_begin[0],
                                         p.pad_end[0], p.dilation[0], p.ceil_mode != 0);
  const uint32_t ow = window_output_size(width(x), p.kernel[1], p.stride[1], p.pad_begin[1],
                                         p.pad_end[1], p.dilation[1], p.ceil_mode != 0);
  if (oh == 0 || ow == 0) return malformed(EDGEAE_MESSAGE("pool output would be empty"));
  *out = spatial_dims(x, oh, ow, channels(x));
  return Status::Ok();
}

// Numpy broadcasting of two shapes (right-aligned). `unidirectional`: b must
// broadcast to a, as PRelu's slope does.
static Status infer_broadcast(const TensorRecord& a, const TensorRecord& b, bool unidirectional,
                              Dims* out) {
  const uint32_t rank = a.rank > b.rank ? a.rank : b.rank;
  if (unidirectional && b.rank > a.rank)
    return malformed(EDGEAE_MESSAGE("PRelu slope has more axes than X"));
  out->rank = rank;
  for (uint32_t i = 0; i < rank; ++i) {
    const uint32_t da = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)];
    const uint32_t db = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)];
    if (da != db && da != 1 && db != 1)
      return malformed(EDGEAE_MESSAGE("operand shapes do not broadcast"));
    if (unidirectional && db != da && db != 1)
      return malformed(EDGEAE_MESSAGE("PRelu slope does not broadcast to X"));
    out->d[i] = da > db ? da : db;
  }
  return Status::Ok();
}

Status infer_concat(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  const auto p = params_as<format::ConcatParams>(op);
  const TensorRecord& first = *in[0];
  if (first.rank == 0 || !in_range(p.axis, 0, static_cast<int32_t>(first.rank) - 1))
    return malformed(EDGEAE_MESSAGE("Concat axis out of range"));
  *out = dims_of(first);
  out->d[p.axis] = 0;
  for (uint32_t i = 0; i < op.input_count; ++i) {
    const TensorRecord& t = *in[i];
    if (t.rank != first.rank || t.dtype != first.dtype)
      return malformed(EDGEAE_MESSAGE("Concat inputs differ in rank or dtype"));
    for (uint32_t a = 0; a < t.rank; ++a)
      if (a != static_cast<uint32_t>(p.axis) && t.dims[a] != first.dims[a])
        return malformed(EDGEAE_MESSAGE("Concat inputs differ outside the concat axis"));
    out->d[p.axis] += t.dims[p.axis];  // each <= 2^32 / 4 by tensor validation; 4 inputs fit
  }
  return Status::Ok();
}

Status infer_resize(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  const TensorRecord& x = *in[0];
  const auto p = params_as<format::ResizeParams>(op);
  *out = dims_of(x);
  for (uint32_t a = 0; a < format::kMaxRank; ++a) {
    if (a >= x.rank) {
      if (p.scale[a] != 0)
        return malformed(EDGEAE_MESSAGE("Resize scales beyond the input rank must be 0"));
      continue;
    }
    if (!in_range(p.scale[a], 1, kMaxWindowParam))
      return malformed(EDGEAE_MESSAGE("Resize scale must be 1..65536"));
    const uint64_t extent = static_cast<uint64_t>(x.dims[a]) * static_cast<uint64_t>(p.scale[a]);
    if (extent > 0xFFFFFFFFu) return malformed(EDGEAE_MESSAGE("Resize output too large"));
    out->d[a] = static_cast<uint32_t>(extent);
  }
  return Status::Ok();
}

Status infer_transpose(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  const TensorRecord& x = *in[0];
  const auto p = params_as<format::TransposeParams>(op);
  out->rank = x.rank;
  uint32_t seen = 0;
  for (uint32_t a = 0; a < format::kMaxRank; ++a) {
    if (a >= x.rank) {
      if (p.perm[a] != 0)
        return malformed(EDGEAE_MESSAGE("Transpose perm beyond the input rank must be 0"));
      continue;
    }
    if (!in_range(p.perm[a], 0, static_cast<int32_t>(x.rank) - 1) || (seen >> p.perm[a]) & 1u)
      return malformed(EDGEAE_MESSAGE("Transpose perm is not a permutation"));
    seen |= 1u << p.perm[a];
    out->d[a] = x.dims[p.perm[a]];
  }
  return Status::Ok();
}

Status infer_conv(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  return infer_window_conv(op, in, false, out);
}

Status infer_conv_transpose(const format::OpRecord& op, const TensorRecord* const* in, Dims* out) {
  return infer_window_conv(op, in, true, out);
}

Status infer_same(const format::OpRecord&, const TensorRecord* const* in, Dims* out) {
  *out = dims_of(*in[0]);
  return Status::Ok();
}

Status infer_prelu(const format::OpRecord&, const TensorRecord* const* in, Dims* out) {
  return infer_broadcast(*in[0], *in[1], true, out);
}

Status infer_binary(const format::OpRecord&, const TensorRecord* const* in, Dims* out) {
  return infer_broadcast(*in[0], *in[1], false, out);
}

Status infer_global_pool(const format::OpRecord&, const TensorRecord* const* in, Dims* out) {
  if (!is_spatial(*in[0]))
    return malformed(EDGEAE_MESSAGE("GlobalAveragePool input must be [N, .., C]"));
  *out = spatial_dims(*in[0], 1, 1, channels(*in[0]));
  return Status::Ok();
}

}  // namespace rules

const char* op_type_name(OpType type) {
  switch (type) {
#define EDGEAE_OP_NAME(name, onnx, min_in, max_in) \
  case OpType::k##name:                            \
    return onnx;
    EDGEAE_OP_LIST(EDGEAE_OP_NAME)
#undef EDGEAE_OP_NAME
    case OpType::kCount:
      break;
  }
  return "?";
}

Activation own_activation(OpType type) {
  switch (type) {
    case OpType::kRelu:
      return Activation::kRelu;
    case OpType::kLeakyRelu:
      return Activation::kLeakyRelu;
    case OpType::kSigmoid:
      return Activation::kSigmoid;
    case OpType::kTanh:
      return Activation::kTanh;
    case OpType::kClip:
      return Activation::kClip;
    case OpType::kHardSigmoid:
      return Activation::kHardSigmoid;
    default:
      return Activation::kNone;
  }
}

uint64_t op_macs(const Model& m, const format::OpRecord& op) {
  const TensorRecord& out = m.tensor(op.output);
  uint64_t out_elems = 1;
  for (uint32_t k = 0; k < out.rank; ++k) out_elems *= out.dims[k];
  switch (static_cast<OpType>(op.type)) {
    case OpType::kDense: {
      const auto p = params_as<format::DenseParams>(op);
      const TensorRecord& a = m.tensor(op.inputs[0]);
      return out_elems * (p.trans_a ? a.dims[0] : a.dims[1]);
    }
    case OpType::kConv:
    case OpType::kConvTranspose: {
      // taps * Cin/groups per output of a Conv; a ConvTranspose's input
      // element feeds taps * Cout/groups outputs.
      const auto p = params_as<format::ConvParams>(op);
      const TensorRecord& x = m.tensor(op.inputs[0]);
      const uint64_t taps = static_cast<uint64_t>(p.kernel[0]) * static_cast<uint64_t>(p.kernel[1]);
      const auto groups = static_cast<uint64_t>(p.groups);
      if (static_cast<OpType>(op.type) == OpType::kConv)
        return out_elems * taps * (channels(x) / groups);
      uint64_t in_elems = 1;
      for (uint32_t k = 0; k < x.rank; ++k) in_elems *= x.dims[k];
      return in_elems * taps * (channels(out) / groups);
    }
    default:
      return 0;
  }
}

uint32_t op_table_slot(uint16_t type, DType dtype) {
  const uint32_t form = detail::op_form(static_cast<uint8_t>(dtype));
  return type < static_cast<uint16_t>(OpType::kCount) && form < EAE_OP_FORMS
             ? detail::op_slot(type, form)
             : EAE_OP_TABLE_SIZE;
}

Dims dims_of(const TensorRecord& t) {
  Dims d;
  d.rank = t.rank;
  for (uint32_t i = 0; i < t.rank && i < format::kMaxRank; ++i) d.d[i] = t.dims[i];
  return d;
}

uint32_t window_output_size(uint32_t in, int32_t kernel, int32_t stride, int32_t pad_begin,
                            int32_t pad_end, int32_t dilation, bool ceil_mode) {
  const int64_t padded = static_cast<int64_t>(in) + pad_begin + pad_end;
  const int64_t span = static_cast<int64_t>(dilation) * (kernel - 1) + 1;
  if (padded < span) return 0;
  int64_t steps = (padded - span) / stride;
  if (ceil_mode && (padded - span) % stride != 0) {
    // The extra window must start inside the input or the leading padding.
    if ((steps + 1) * stride < static_cast<int64_t>(in) + pad_begin) ++steps;
  }
  const int64_t out = steps + 1;
  return out > 0xFFFFFFFFLL ? 0 : static_cast<uint32_t>(out);
}

uint32_t transposed_output_size(uint32_t in, int32_t kernel, int32_t stride, int32_t pad_begin,
                                int32_t pad_end, int32_t dilation, int32_t output_padding) {
  const int64_t out = (static_cast<int64_t>(in) - 1) * stride +
                      static_cast<int64_t>(dilation) * (kernel - 1) + 1 - pad_begin - pad_end +
                      output_padding;
  return (out <= 0 || out > 0xFFFFFFFFLL) ? 0 : static_cast<uint32_t>(out);
}

Status infer_output(OpTable ops, const format::OpRecord& op, const TensorRecord* const* in,
                    const TensorRecord* slope, const eae_op_impl** impl, DType* out_dtype,
                    Dims* out) {
  if (op.type >= static_cast<uint16_t>(OpType::kCount))
    return unsupported(EDGEAE_MESSAGE("unknown op type"));
  const auto type = static_cast<OpType>(op.type);
  // Each op's input count range, in OpType order (a table is smaller than a switch).
  static constexpr uint8_t kArity[][2] = {
#define EDGEAE_OP_ARITY(name, onnx, lo, hi) {lo, hi},
      EDGEAE_OP_LIST(EDGEAE_OP_ARITY)
#undef EDGEAE_OP_ARITY
  };
  const uint32_t min_in = kArity[op.type][0], max_in = kArity[op.type][1];
  if (op.input_count < min_in || op.input_count > max_in)
    return malformed(EDGEAE_MESSAGE("wrong number of inputs for this op"));
  // Inputs in [min_in, input_count) are optional (kNone allowed), e.g. a bias.
  for (uint32_t i = 0; i < format::kMaxOpInputs; ++i) {
    const bool required = i < min_in || (type == OpType::kConcat && i < op.input_count);
    if (required && !in[i]) return malformed(EDGEAE_MESSAGE("a required input is missing"));
    if (i >= op.input_count && in[i])
      return malformed(EDGEAE_MESSAGE("input given beyond input_count"));
  }
  *out = Dims{};
  Status s = check_dtypes(op, type, in, out_dtype);
  if (!s.ok()) return s;
  const uint32_t form = detail::op_form(static_cast<uint8_t>(*out_dtype));
  const eae_op_impl* found = form < EAE_OP_FORMS ? ops[detail::op_slot(op.type, form)] : nullptr;
  if (!found)
    return unsupported(EDGEAE_MESSAGE("op (on this data type) is not in this build's op table"));
  *impl = found;
  s = found->infer(op, in, out);
  if (!s.ok()) return s;
  return check_activation(op, slope, *out);
}

Status infer_output(const format::OpRecord& op, const TensorRecord* const* in,
                    const TensorRecord* slope, DType* out_dtype, Dims* out) {
  const eae_op_impl* impl = nullptr;
  return infer_output(all_ops(), op, in, slope, &impl, out_dtype, out);
}

}  // namespace edgeae
