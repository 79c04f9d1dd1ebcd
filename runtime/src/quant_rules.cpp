// Load-time checks of quantized ops' integer parameters (OpRecord.quant):
// the layout blob_format.hpp gives, zero points that agree with the tensor
// records, clamps inside the data type, and shifts, multipliers and
// accumulator bounds inside the ranges the integer kernels are proven for
// (docs/quantization.md), so that run() needs no checks and no input can
// make a kernel overflow.
#include <string.h>

#include "edgeae/shape_rules.hpp"
#include "op_impl.hpp"
#include "op_rules.hpp"
#include "record_access.hpp"
#include "status_message.hpp"

namespace edgeae {
namespace {

using detail::channels;
using detail::element_count;
using format::DType;
using format::OpType;
using format::TensorRecord;

Status malformed(const char* message) {
  return Status{StatusCode::kMalformed, message, Status::kNoIndex};
}
Status unsupported(const char* message) {
  return Status{StatusCode::kUnsupported, message, Status::kNoIndex};
}

struct TypeRange {
  int32_t lo, hi;
};
TypeRange range_of(uint8_t dtype) {
  return dtype == static_cast<uint8_t>(DType::kInt8) ? TypeRange{-128, 127}
                                                     : TypeRange{-32768, 32767};
}
bool is_int16(uint8_t dtype) {
  return dtype == static_cast<uint8_t>(DType::kInt16);
}

// A zero point of a tensor of `dtype`, equal to what its record says.
bool zp_ok(int32_t zp, const TensorRecord& t) {
  const TypeRange r = range_of(t.dtype);
  return zp == t.zero_point && zp >= r.lo && zp <= r.hi && (!is_int16(t.dtype) || zp == 0);
}
bool clamp_ok(int32_t lo, int32_t hi, const TensorRecord& out) {
  const TypeRange r = range_of(out.dtype);
  return lo <= hi && lo >= r.lo && hi <= r.hi;
}
// multiply_by_quantized_multiplier: any multiplier, shift in [-31, 30].
bool shift_ok(int32_t shift) {
  return shift >= -31 && shift <= 30;
}

// Reads a struct from the front of the quant words.
template <typename T>
T header_of(const int32_t* words) {
  T h;
  memcpy(&h, words, sizeof h);
  return h;
}
template <typename T>
constexpr uint32_t words_of() {
  return sizeof(T) / sizeof(int32_t);
}

// Dense/Conv/ConvTranspose: per-channel requantization, and the accumulator
// bound: int8 sums K products of at most 255 * 128 plus the bias in int32;
// int16 sums K products of at most 65535 * 128 (int16 weights: 65535 *
// 32768) plus the bias in int64, and the 64-bit requantization wants
// |acc| < 2^47.
// A packed Gemm's trailing column sums must be its weights' sums, and the
// padding past K zero (kernels that read whole quads then agree with the
// reference, which stops at K); DSP pairs must decode to int8 weights.
Status check_column_sums(uint32_t k_used, int32_t packing, uint32_t block, const TensorRecord& b,
                         const int8_t* weights, const int32_t* sums) {
  const uint32_t kp = b.dims[0], n = b.dims[1];
  const uint32_t bw = block != 0 ? block : n;
  // Column by column along its bytes (format::packed_dense_offset /
  // paired_dense_offset, without their divisions per weight: a loader on a
  // microcontroller reads every weight once).
  for (uint32_t c = 0; c < n; ++c) {
    const uint32_t nb = c / bw * bw, j = c - nb;
    const uint32_t width = n - nb < bw ? n - nb : bw;
    const bool paired = packing == 2 && !(width % 2 == 1 && j == width - 1);
    const bool borrows = paired && j % 2 == 1;  // an odd column of a pair
    const int8_t* column = weights + size_t{nb} * kp + (paired ? j / 2 * 8 + j % 2 : j * 4);
    const size_t row = size_t{width} * 4;
    int64_t sum = 0;  // int64: checked before the accumulator bound
    for (uint32_t q = 0; q < kp / 4; ++q, column += row)
      for (uint32_t t = 0; t < 4; ++t) {
        const int8_t* at = column + (paired ? t * 2 : t);
        const int32_t v = int32_t{*at} + (borrows && at[-1] < 0 ? 1 : 0);
        if (v > 127)
          return malformed(EDGEAE_MESSAGE("Gemm DSP-pair weight decodes to 128 (not an int8)"));
        if (q * 4 + t >= k_used && v != 0)
          return malformed(EDGEAE_MESSAGE("Gemm quad padding must be zero"));
        sum += v;
      }
    if (sum != sums[c])
      return malformed(EDGEAE_MESSAGE("Gemm column sums differ from its weights"));
  }
  return Status::Ok();
}

Status layer_words(const format::OpRecord& op, const TensorRecord* const* in,
                   const TensorRecord& out, const int32_t* w, uint32_t n,
                   const QuantConstants& data) {
  const void* bias = data.bias;
  if (n < words_of<format::QuantLayer>())
    return malformed(EDGEAE_MESSAGE("quant tensor too short"));
  const auto h = header_of<format::QuantLayer>(w);
  const uint32_t cout = channels(out);
  const bool dense = static_cast<OpType>(op.type) == OpType::kDense;
  const auto conv = detail::params_as<format::ConvParams>(op);
  const format::WeightLayout layout = format::weight_layout(op);
  const bool packed = layout.packing != 0;  // the shape rules admit 0, 1, 2
  if (!(h.count == 1 || static_cast<uint32_t>(h.count) == cout) ||
      n !=
          words_of<format::QuantLayer>() + 2 * static_cast<uint32_t>(h.count) + (packed ? cout : 0))
    return malformed(
        EDGEAE_MESSAGE("layer quant tensor must hold 1 or Cout multipliers and shifts"));
  if (packed) {
    if (!data.weights)
      return malformed(EDGEAE_MESSAGE("a quad-packed Gemm needs constant weights"));
    // Rows used: Dense K; a packed conv KH*KW*Cin, whose gathered rows
    // need at least one row of scratch.
    const uint64_t conv_rows = uint64_t{static_cast<uint32_t>(conv.kernel[0])} *
                               static_cast<uint32_t>(conv.kernel[1]) * channels(*in[0]);
    if (!dense && op.scratch_bytes < conv_rows)
      return malformed(EDGEAE_MESSAGE("a packed Conv needs scratch for one gathered input row"));
    Status s = check_column_sums(dense ? in[0]->dims[1] : static_cast<uint32_t>(conv_rows),
                                 layout.packing, static_cast<uint32_t>(layout.block), *in[1],
                                 static_cast<const int8_t*>(data.weights),
                                 w + words_of<format::QuantLayer>() + 2 * h.count);
    if (!s.ok()) return s;
  }
  if (!zp_ok(h.in_zp, *in[0]) || !zp_ok(h.out_zp, out) || !clamp_ok(h.act_min, h.act_max, out))
    return malformed(EDGEAE_MESSAGE("layer quant zero points or clamp out of range"));
  const int32_t* mult = w + words_of<format::QuantLayer>();
  const int32_t* shift = mult + h.count;
  const bool wide = is_int16(out.dtype);
  for (int32_t c = 0; c < h.count; ++c) {
    if (wide ? (mult[c] < 0 || shift[c] < -31 || shift[c] > 7) : !shift_ok(shift[c]))
      return malformed(EDGEAE_MESSAGE("layer requantization multiplier or shift out of range"));
  }
  // Products per output: Dense K; a conv output gathers at most KH*KW*Cin/g.
  const TensorRecord& wt = *in[1];
  uint64_t k = 0;
  if (static_cast<OpType>(op.type) == OpType::kDense || wt.rank == 2)  // Dense, packed Conv
    k = wt.dims[0];
  else
    k = uint64_t{wt.dims[0]} * wt.dims[1] * wt.dims[2];
  const bool wide_weights = wt.dtype == static_cast<uint8_t>(DType::kInt16);
  const uint64_t product = wide ? 65535u * (wide_weights ? 32768u : 128u) : 255u * 128u;
  const uint64_t limit = wide ? (uint64_t{1} << 47) : (uint64_t{1} << 31);
  if (k * product >= limit)
    return malformed(EDGEAE_MESSAGE("quantized layer too deep for its accumulator"));
  uint64_t max_bias = 0;
  if (bias) {
    const size_t count = element_count(*in[2]);
    for (size_t i = 0; i < count; ++i) {
      int64_t b;
      if (wide) {
        memcpy(&b, static_cast<const int64_t*>(bias) + i, sizeof b);
      } else {
        int32_t b32;
        memcpy(&b32, static_cast<const int32_t*>(bias) + i, sizeof b32);
        b = b32;
      }
      if (b <= -static_cast<int64_t>(limit) || b >= static_cast<int64_t>(limit))
        return malformed(EDGEAE_MESSAGE("quantized bias out of its accumulator's range"));
      const uint64_t mag = static_cast<uint64_t>(b < 0 ? -b : b);
      if (mag > max_bias) max_bias = mag;
    }
  }
  if (k * product + max_bias >= limit)
    return malformed(
        EDGEAE_MESSAGE("quantized layer's bias and products overflow its accumulator"));
  return Status::Ok();
}

Status prelu_words(const format::OpRecord&, const TensorRecord* const* in, const TensorRecord& out,
                   const int32_t* w, uint32_t n, const QuantConstants&) {
  const TensorRecord& x = *in[0];
  if (n < words_of<format::QuantPRelu>())
    return malformed(EDGEAE_MESSAGE("quant tensor too short"));
  const auto h = header_of<format::QuantPRelu>(w);
  if (!(h.count == 1 || static_cast<uint32_t>(h.count) == channels(out)) ||
      n != words_of<format::QuantPRelu>() + 2 * static_cast<uint32_t>(h.count))
    return malformed(
        EDGEAE_MESSAGE("PRelu quant tensor must hold 1 or C negative-side multipliers"));
  if (!zp_ok(h.in_zp, x) || !zp_ok(h.out_zp, out) || !clamp_ok(h.act_min, h.act_max, out) ||
      !shift_ok(h.pos_shift))
    return malformed(EDGEAE_MESSAGE("PRelu quant parameters out of range"));
  const int32_t* shift = w + words_of<format::QuantPRelu>() + h.count;
  for (int32_t c = 0; c < h.count; ++c)
    if (!shift_ok(shift[c])) return malformed(EDGEAE_MESSAGE("PRelu quant shift out of range"));
  return Status::Ok();
}

// The integer Add is proven overflow-free for its fixed left shift and input
// multipliers that do not enlarge (shift <= 0, multiplier >= 0).
Status add_words(const format::OpRecord&, const TensorRecord* const* in, const TensorRecord& out,
                 const int32_t* w, uint32_t n, const QuantConstants&) {
  const TensorRecord &a = *in[0], &b = *in[1];
  if (n != words_of<format::QuantAdd>())
    return malformed(EDGEAE_MESSAGE("Add quant tensor has the wrong size"));
  const auto h = header_of<format::QuantAdd>(w);
  if (h.left_shift != (is_int16(out.dtype) ? 15 : 20) || !zp_ok(h.a_zp, a) || !zp_ok(h.b_zp, b) ||
      !zp_ok(h.out_zp, out) || !clamp_ok(h.act_min, h.act_max, out) || h.a_multiplier < 0 ||
      h.b_multiplier < 0 || h.a_shift > 0 || h.a_shift < -31 || h.b_shift > 0 || h.b_shift < -31 ||
      !shift_ok(h.out_shift))
    return malformed(EDGEAE_MESSAGE("Add quant parameters out of range"));
  return Status::Ok();
}

Status mul_words(const format::OpRecord&, const TensorRecord* const* in, const TensorRecord& out,
                 const int32_t* w, uint32_t n, const QuantConstants&) {
  const TensorRecord &a = *in[0], &b = *in[1];
  if (n != words_of<format::QuantMul>())
    return malformed(EDGEAE_MESSAGE("Mul quant tensor has the wrong size"));
  const auto h = header_of<format::QuantMul>(w);
  if (!zp_ok(h.a_zp, a) || !zp_ok(h.b_zp, b) || !zp_ok(h.out_zp, out) ||
      !clamp_ok(h.act_min, h.act_max, out) || !shift_ok(h.shift))
    return malformed(EDGEAE_MESSAGE("Mul quant parameters out of range"));
  return Status::Ok();
}

Status pool_words(const format::OpRecord&, const TensorRecord* const* in, const TensorRecord& out,
                  const int32_t* w, uint32_t n, const QuantConstants&) {
  const TensorRecord& x = *in[0];
  if (n != words_of<format::QuantPool>())
    return malformed(EDGEAE_MESSAGE("pool quant tensor has the wrong size"));
  const auto h = header_of<format::QuantPool>(w);
  if (!zp_ok(h.zp, x) || !zp_ok(h.zp, out) || !clamp_ok(h.act_min, h.act_max, out))
    return malformed(EDGEAE_MESSAGE("pool quant parameters out of range"));
  return Status::Ok();
}

Status concat_words(const format::OpRecord& op, const TensorRecord* const* in,
                    const TensorRecord& out, const int32_t* w, uint32_t n, const QuantConstants&) {
  if (n < words_of<format::QuantConcat>())
    return malformed(EDGEAE_MESSAGE("quant tensor too short"));
  const auto h = header_of<format::QuantConcat>(w);
  if (h.count != op.input_count ||
      n != words_of<format::QuantConcat>() + op.input_count * words_of<format::QuantConcatInput>())
    return malformed(EDGEAE_MESSAGE("Concat quant tensor must describe every input"));
  if (!zp_ok(h.out_zp, out))
    return malformed(EDGEAE_MESSAGE("Concat output zero point out of range"));
  for (uint32_t k = 0; k < op.input_count; ++k) {
    const auto q = header_of<format::QuantConcatInput>(w + words_of<format::QuantConcat>() +
                                                       k * words_of<format::QuantConcatInput>());
    if (!zp_ok(q.zp, *in[k]) || !shift_ok(q.shift) ||
        !(q.same_as_output == 0 || q.same_as_output == 1) ||
        (q.same_as_output && (q.zp != h.out_zp || in[k]->scale != out.scale)))
      return malformed(EDGEAE_MESSAGE("Concat input quant parameters out of range"));
  }
  return Status::Ok();
}

Status requantize_words(const format::OpRecord&, const TensorRecord* const* in,
                        const TensorRecord& out, const int32_t* w, uint32_t n,
                        const QuantConstants&) {
  const TensorRecord& x = *in[0];
  if (n != words_of<format::QuantRequantize>())
    return malformed(EDGEAE_MESSAGE("Requantize quant tensor has the wrong size"));
  const auto h = header_of<format::QuantRequantize>(w);
  if (!zp_ok(h.in_zp, x) || !zp_ok(h.out_zp, out) || !shift_ok(h.shift))
    return malformed(EDGEAE_MESSAGE("Requantize parameters out of range"));
  return Status::Ok();
}

using WordsCheck = Status(const format::OpRecord&, const TensorRecord* const*, const TensorRecord&,
                          const int32_t*, uint32_t, const QuantConstants&);

// Every quant tensor but a table's holds int32 words.
Status on_words(WordsCheck* check, const format::OpRecord& op, const TensorRecord* const* in,
                const TensorRecord& out, const TensorRecord& quant, const QuantConstants& data) {
  if (quant.dtype != static_cast<uint8_t>(DType::kInt32))
    return malformed(EDGEAE_MESSAGE("a quant tensor holds int32 words"));
  return check(op, in, out, static_cast<const int32_t*>(data.quant), quant.dims[0], data);
}

}  // namespace

namespace rules {

#define EDGEAE_WORDS_CHECK(name, words)                                                           \
  Status name(const format::OpRecord& op, const TensorRecord* const* in, const TensorRecord& out, \
              const TensorRecord& quant, const QuantConstants& d) {                               \
    return on_words(words, op, in, out, quant, d);                                                \
  }
EDGEAE_WORDS_CHECK(check_layer, layer_words)
EDGEAE_WORDS_CHECK(check_prelu, prelu_words)
EDGEAE_WORDS_CHECK(check_add, add_words)
EDGEAE_WORDS_CHECK(check_mul, mul_words)
EDGEAE_WORDS_CHECK(check_pool, pool_words)
EDGEAE_WORDS_CHECK(check_concat, concat_words)
EDGEAE_WORDS_CHECK(check_requantize, requantize_words)
#undef EDGEAE_WORDS_CHECK

Status check_layer_quads(const format::OpRecord& op, const TensorRecord* const* in,
                         const TensorRecord& out, const TensorRecord& quant,
                         const QuantConstants& d) {
  if (format::weight_layout(op).packing == 2)
    return unsupported(
        EDGEAE_MESSAGE("int8 weights in DSP pairs: this op table's form (eae_op_*_int8) runs "
                       "quads; its table needs eae_op_*_int8_pairs"));
  return check_layer(op, in, out, quant, d);
}

Status check_layer_pairs(const format::OpRecord& op, const TensorRecord* const* in,
                         const TensorRecord& out, const TensorRecord& quant,
                         const QuantConstants& d) {
  if (format::weight_layout(op).packing == 1)
    return unsupported(
        EDGEAE_MESSAGE("int8 weights in quads: this op table's form (eae_op_*_int8_pairs) runs "
                       "DSP pairs; its table needs eae_op_*_int8"));
  return check_layer(op, in, out, quant, d);
}

// Sigmoid, Tanh, HardSigmoid: a table of the output type.
Status check_lut(const format::OpRecord&, const TensorRecord* const*, const TensorRecord& out,
                 const TensorRecord& quant, const QuantConstants&) {
  const uint32_t entries = is_int16(out.dtype) ? format::kLutEntriesS16 : format::kLutEntriesS8;
  if (quant.dtype != out.dtype || quant.dims[0] != entries)
    return malformed(
        EDGEAE_MESSAGE("a quantized table op needs a table of 256 (int8) or 513 (int16) entries"));
  return Status::Ok();
}

}  // namespace rules

Status check_quant(const eae_op_impl& impl, const format::OpRecord& op,
                   const TensorRecord* const* in, const TensorRecord& out,
                   const TensorRecord* quant, const QuantConstants& data) {
  if (!impl.check_quant) {
    // Float ops, and the data movement ops, which keep their input's quantization.
    if (quant) return malformed(EDGEAE_MESSAGE("only a quantized compute op has a quant tensor"));
    if (out.dtype != static_cast<uint8_t>(DType::kFloat32) &&
        (out.zero_point != in[0]->zero_point || out.scale != in[0]->scale))
      return malformed(
          EDGEAE_MESSAGE("Resize and Transpose keep their input's scale and zero point"));
    return Status::Ok();
  }
  if (!quant || quant->storage != static_cast<uint8_t>(format::Storage::kConstant) ||
      quant->rank != 1)
    return malformed(EDGEAE_MESSAGE("a quantized op needs a constant rank-1 quant tensor"));
  return impl.check_quant(op, in, out, *quant, data);
}

Status check_quant(const format::OpRecord& op, const TensorRecord* const* in,
                   const TensorRecord& out, const TensorRecord* quant, const QuantConstants& data) {
  const uint32_t slot = op_table_slot(op.type, static_cast<DType>(out.dtype));
  const eae_op_impl* impl = slot < EAE_OP_TABLE_SIZE ? all_ops()[slot] : nullptr;
  if (!impl) return malformed(EDGEAE_MESSAGE("this op has no form for its data type"));
  return check_quant(*impl, op, in, out, quant, data);
}

}  // namespace edgeae
