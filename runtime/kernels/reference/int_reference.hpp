// Scalar integer reference kernels (int8 and "16x8" int16): the oracle every
// optimized integer kernel must match bit for bit. Same layouts and shape
// structs as the float reference (reference.hpp): channels-last tensors,
// conv weights [KH, KW, Cin/g, Cout], dense B [K, N].
//
// int8: activations asymmetric int8 (real = scale * (q - zp)), weights
// symmetric int8 per output channel, bias int32 in units of
// input_scale * weight_scale[c], int32 accumulation:
//   acc = bias[c] + sum (x - x_zp) * w
//   y   = clamp(multiply_by_quantized_multiplier(acc, m[c], s[c]) + y_zp, act_min, act_max)
// int16 (16x8): activations symmetric int16 (zp 0), weights int8 per output
// channel, bias int64, int64 accumulation, requantized with
// multiply_by_quantized_multiplier_64 (TFLite's 16x8 rounding).
// The fused activation is only a clamp here: act_min/act_max are the
// quantized bounds of ReLU/Clip (or the type's range). Sigmoid, tanh and
// leaky ReLU run as separate table lookups (lut_s8 / lut_s16) or prelu_*.
// docs/quantization.md explains every rounding step.
//
// Resize (nearest) and Transpose need no integer variant: ref::resize_nearest
// and ref::transpose move elements of any size (elem_bytes 1 or 2).
#pragma once

#include <stdint.h>

#include "kernels/reference/quant.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

// Requantization of an accumulator of output channel c (the output's last
// axis index): multiplier[c] / shift[c] when count > 1, entry 0 otherwise.
struct RequantParams {
  const int32_t* multiplier = nullptr;
  const int32_t* shift = nullptr;
  uint32_t count = 1;  // 1 (per tensor) or one per output channel
  int32_t out_zp = 0;  // 0 for int16
  int32_t act_min = -128, act_max = 127;
};

// int8 dense / conv: the input zero point plus the output requantization.
struct LayerQuant {
  int32_t in_zp = 0;
  RequantParams out;
};

// Dense: Y[m][n] = requant(bias[m * bias_stride_m + n * bias_stride_n] +
// sum_k (A[m][k] - in_zp) * B[k][n]), channel n. trans_a / trans_b must be
// false. bias may be null. Accumulation in int32 (int8) is exact for
// K * 255 * 128 + |bias| < 2^31, i.e. K up to about 65000.
void dense_s8(const DenseShape& s, const LayerQuant& q, const int8_t* a, const int8_t* b,
              const int32_t* bias, int8_t* y);
void dense_s16(const DenseShape& s, const RequantParams& q, const int16_t* a, const int8_t* b,
               const int64_t* bias, int16_t* y);
// dense_s8 on packed weights (format::DenseParams::b_packing, s.b_packing):
// 1, quads, B [ceil(K/4)][N][4], zero past K, the layout every desktop int8
// Dense reads; 2, DSP column pairs (format::paired_dense_offset). The
// arithmetic is dense_s8's.
void dense_s8_packed(const DenseShape& s, const LayerQuant& q, const int8_t* a, const int8_t* b,
                     const int32_t* bias, int8_t* y);
// 16x16: int16 data and int16 weights (symmetric, [-32767, 32767]), int64
// accumulation: for signals that need more than int8 weights' ~43 dB.
void dense_s16x16(const DenseShape& s, const RequantParams& q, const int16_t* a, const int16_t* b,
                  const int64_t* bias, int16_t* y);

// Conv and ConvTranspose (the same tap relation as conv_f32 /
// conv_transpose_f32). Padded taps contribute nothing: their real value is 0,
// i.e. x - in_zp = 0. bias is [Cout] or null.
void conv_s8(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
             const int32_t* bias, int8_t* y);
void conv_s16(const ConvShape& s, const RequantParams& q, const int16_t* x, const int8_t* w,
              const int64_t* bias, int16_t* y);
void conv_transpose_s8(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
                       const int32_t* bias, int8_t* y);
void conv_transpose_s16(const ConvShape& s, const RequantParams& q, const int16_t* x,
                        const int8_t* w, const int64_t* bias, int16_t* y);
// int8 Conv / ConvTranspose (groups 1) on weights packed as an [R =
// KH*KW*Cin, Cout] matrix (format::ConvParams::w_packing 1 or 2); the
// arithmetic of conv_s8 / conv_transpose_s8.
void conv_s8_packed(const ConvShape& s, const LayerQuant& q, const int8_t* x, const int8_t* w,
                    const int32_t* bias, int8_t* y);
void conv_transpose_s8_packed(const ConvShape& s, const LayerQuant& q, const int8_t* x,
                              const int8_t* w, const int32_t* bias, int8_t* y);
void conv_s16x16(const ConvShape& s, const RequantParams& q, const int16_t* x, const int16_t* w,
                 const int64_t* bias, int16_t* y);
void conv_transpose_s16x16(const ConvShape& s, const RequantParams& q, const int16_t* x,
                           const int16_t* w, const int64_t* bias, int16_t* y);

// Pools keep the input's (scale, zero point) for the output. zp is 0 for
// int16; act_min/act_max as above.
struct PoolQuant {
  int32_t zp = 0;
  int32_t act_min = -128, act_max = 127;
};
// Max: the largest in-bounds q (padding never wins); an empty window gives zp.
void max_pool_s8(const PoolShape& s, const PoolQuant& q, const int8_t* x, int8_t* y);
void max_pool_s16(const PoolShape& s, const PoolQuant& q, const int16_t* x, int16_t* y);
// Average: zp + rounded_divide(sum over in-bounds taps of (x - zp), divisor),
// ties away from zero; the divisor as in average_pool_f32 (padded taps count,
// as real zeros, only with count_include_pad). An empty window gives zp.
void average_pool_s8(const PoolShape& s, const PoolQuant& q, const int8_t* x, int8_t* y);
void average_pool_s16(const PoolShape& s, const PoolQuant& q, const int16_t* x, int16_t* y);
void global_average_pool_s8(uint32_t batch, uint32_t spatial, uint32_t channels, const PoolQuant& q,
                            const int8_t* x, int8_t* y);
void global_average_pool_s16(uint32_t batch, uint32_t spatial, uint32_t channels,
                             const PoolQuant& q, const int16_t* x, int16_t* y);

// Elementwise with numpy broadcasting (as binary_f32).
struct BinaryShapes {
  Shape a, b, out;
};

// Add / Sub with independent input scales, TFLite's method: each input,
// offset by its zero point and shifted left by left_shift (20 for int8, 15
// for int16), is rescaled by its own multiplier (real a_scale / (2 * max
// scale), <= 0.5) to the common scale 2 * max_scale / 2^left_shift; the sum
// (or difference) is requantized by the output multiplier (real
// 2 * max_scale / (2^left_shift * out_scale)). quant::add_quant (host)
// computes these.
struct AddQuant {
  int32_t left_shift = 20;
  int32_t a_zp = 0, a_multiplier = 0, a_shift = 0;
  int32_t b_zp = 0, b_multiplier = 0, b_shift = 0;
  int32_t out_multiplier = 0, out_shift = 0;
  int32_t out_zp = 0;
  int32_t act_min = -128, act_max = 127;
};
// op is BinaryOp::kAdd or BinaryOp::kSub.
void add_s8(BinaryOp op, const BinaryShapes& s, const AddQuant& q, const int8_t* a, const int8_t* b,
            int8_t* y);
void add_s16(BinaryOp op, const BinaryShapes& s, const AddQuant& q, const int16_t* a,
             const int16_t* b, int16_t* y);

// Mul: y = clamp(out_zp + mbqm((a - a_zp) * (b - b_zp), multiplier, shift)),
// real multiplier a_scale * b_scale / out_scale. The product fits int32 for
// both int8 (< 2^16) and int16 (zp 0: <= 2^30).
struct MulQuant {
  int32_t a_zp = 0, b_zp = 0;
  int32_t multiplier = 0, shift = 0;
  int32_t out_zp = 0;
  int32_t act_min = -128, act_max = 127;
};
void mul_s8(const BinaryShapes& s, const MulQuant& q, const int8_t* a, const int8_t* b, int8_t* y);
void mul_s16(const BinaryShapes& s, const MulQuant& q, const int16_t* a, const int16_t* b,
             int16_t* y);

// PRelu / LeakyRelu with float slopes folded into two multipliers:
// d = x - in_zp; y = clamp(out_zp + mbqm(d, d >= 0 ? pos : neg[c])), with
// real pos = in_scale / out_scale and neg[c] = in_scale * slope[c] / out_scale
// (a negative slope gives a negative multiplier: quant::quantize_multiplier
// keeps the sign; a zero slope gives multiplier 0). neg_count is 1 or one per
// channel (the last axis, of size `channels`).
struct PReluQuant {
  int32_t in_zp = 0;
  int32_t pos_multiplier = 0, pos_shift = 0;
  const int32_t* neg_multiplier = nullptr;
  const int32_t* neg_shift = nullptr;
  uint32_t neg_count = 1;
  int32_t out_zp = 0;
  int32_t act_min = -128, act_max = 127;
};
void prelu_s8(const PReluQuant& q, uint32_t count, uint32_t channels, const int8_t* x, int8_t* y);
void prelu_s16(const PReluQuant& q, uint32_t count, uint32_t channels, const int16_t* x,
               int16_t* y);

// Concat along `axis` into an output with (out_scale, out_zp). An input with
// the output's (scale, zp) is copied (same_as_output != 0); any other is
// requantized element by element:
// y = clamp(out_zp + mbqm(x - zp, multiplier, shift)) to the type's range,
// real multiplier in_scale / out_scale.
struct ConcatInputQuant {
  int32_t zp = 0;
  int32_t multiplier = 0, shift = 0;
  uint8_t same_as_output = 1;
};
struct ConcatQuant {
  const ConcatInputQuant* inputs = nullptr;  // input_count entries
  int32_t out_zp = 0;
};
void concat_s8(uint32_t input_count, const Shape* shapes, const int8_t* const* inputs,
               const ConcatQuant& q, uint32_t axis, int8_t* y);
void concat_s16(uint32_t input_count, const Shape* shapes, const int16_t* const* inputs,
                const ConcatQuant& q, uint32_t axis, int16_t* y);

// Table-driven activations (the converter computes the tables).
// int8: y = table[x + 128], the table listing f for q = -128 .. 127.
void lut_s8(const int8_t table[256], uint32_t count, const int8_t* x, int8_t* y);
// int16: 513 samples of f at q = -32768 + 128 * j, j = 0..512 (the last one
// at 32768, one past the range), linearly interpolated (TFLite's int16 LUT
// indexing): u = x + 32768, j = u >> 7, f = u & 127,
// y = clamp(table[j] + ((table[j+1] - table[j]) * f + 64) >> 7) (arithmetic
// shift: the interpolation rounds half toward +infinity).
void lut_s16(const int16_t table[513], uint32_t count, const int16_t* x, int16_t* y);

// Requantize (mixed precision): y = clamp(out_zp + mbqm(x - in_zp,
// multiplier, shift)) to the output type's range, real multiplier
// in_scale / out_scale.
struct RequantizeQuant {
  int32_t in_zp = 0, out_zp = 0;
  int32_t multiplier = 0, shift = 0;
};
void requantize_s8_s16(const RequantizeQuant& q, uint32_t count, const int8_t* x, int16_t* y);
void requantize_s16_s8(const RequantizeQuant& q, uint32_t count, const int16_t* x, int8_t* y);
void requantize_s8_s8(const RequantizeQuant& q, uint32_t count, const int8_t* x, int8_t* y);
void requantize_s16_s16(const RequantizeQuant& q, uint32_t count, const int16_t* x, int16_t* y);

namespace detail {
// One input of an Add brought to the common scale: (x - zp) * 2^left_shift
// (|x - zp| <= 2^16 and left_shift <= 20 keep it below 2^31 in magnitude;
// formed in int64 and saturated so a wrong left_shift cannot overflow),
// then its multiplier (<= 0.5).
inline int32_t add_operand(int32_t x, int32_t zp, int32_t left_shift, int32_t multiplier,
                           int32_t shift) {
  int64_t shifted = (int64_t{x} - zp) * (int64_t{1} << left_shift);
  if (shifted > INT32_MAX) shifted = INT32_MAX;
  if (shifted < INT32_MIN) shifted = INT32_MIN;
  return quant::multiply_by_quantized_multiplier(static_cast<int32_t>(shifted), multiplier, shift);
}

// True when both operands have the output's shape (no broadcasting); then
// *count is the element count.
inline bool same_shapes(const BinaryShapes& s, size_t* count) {
  bool same = s.a.rank == s.out.rank && s.b.rank == s.out.rank;
  size_t n = 1;
  for (uint32_t i = 0; same && i < s.out.rank; ++i) {
    same = s.a.dims[i] == s.out.dims[i] && s.b.dims[i] == s.out.dims[i];
    n *= s.out.dims[i];
  }
  *count = n;
  return same;
}

// The requantization of output channel c: int32 accumulators (int8 kernels)
// use multiply_by_quantized_multiplier, int64 ones (int16) the _64 variant.
template <typename Acc>
inline int32_t requantize(Acc acc, const RequantParams& q, uint32_t c) {
  const uint32_t i = q.count > 1 ? c : 0;
  return quant::requantize(acc, q.multiplier[i], q.shift[i], q.out_zp, q.act_min, q.act_max);
}
}  // namespace detail

}  // namespace edgeae::ref
