// Integer Add/Sub (TFLite's left-shift method for two input scales) and Mul,
// with numpy broadcasting as binary_f32.
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

size_t element_count(const Shape& s) {
  size_t count = 1;
  for (uint32_t i = 0; i < s.rank; ++i) count *= s.dims[i];
  return count;
}

// Offsets into a and b of output element i: an operand axis of size 1 (or
// missing, for a lower rank) repeats its value.
void operand_offsets(const BinaryShapes& s, size_t i, size_t* a_offset, size_t* b_offset) {
  size_t rest = i;
  size_t a_stride = 1, b_stride = 1;
  *a_offset = 0;
  *b_offset = 0;
  const uint32_t rank = s.out.rank;
  for (uint32_t k = 0; k < rank; ++k) {
    const uint32_t dim = s.out.dims[rank - 1 - k];
    const size_t coord = rest % dim;
    rest /= dim;
    if (k < s.a.rank) {
      const uint32_t a_dim = s.a.dims[s.a.rank - 1 - k];
      if (a_dim != 1) *a_offset += coord * a_stride;
      a_stride *= a_dim;
    }
    if (k < s.b.rank) {
      const uint32_t b_dim = s.b.dims[s.b.rank - 1 - k];
      if (b_dim != 1) *b_offset += coord * b_stride;
      b_stride *= b_dim;
    }
  }
}

template <typename T>
void add(BinaryOp op, const BinaryShapes& s, const AddQuant& q, const T* a, const T* b, T* y) {
  const size_t count = element_count(s.out);
  for (size_t i = 0; i < count; ++i) {
    size_t ai = 0, bi = 0;
    operand_offsets(s, i, &ai, &bi);
    const int32_t sa = detail::add_operand(a[ai], q.a_zp, q.left_shift, q.a_multiplier, q.a_shift);
    const int32_t sb = detail::add_operand(b[bi], q.b_zp, q.left_shift, q.b_multiplier, q.b_shift);
    // Each scaled operand is at most half its shifted value (< 2^30), so the
    // sum or difference fits int32.
    const int32_t raw = op == BinaryOp::kSub ? sa - sb : sa + sb;
    y[i] = static_cast<T>(
        quant::requantize(raw, q.out_multiplier, q.out_shift, q.out_zp, q.act_min, q.act_max));
  }
}

template <typename T>
void mul(const BinaryShapes& s, const MulQuant& q, const T* a, const T* b, T* y) {
  const size_t count = element_count(s.out);
  for (size_t i = 0; i < count; ++i) {
    size_t ai = 0, bi = 0;
    operand_offsets(s, i, &ai, &bi);
    // int8: |(a - a_zp) * (b - b_zp)| <= 255 * 255; int16 (zp 0): <= 2^30.
    const int32_t product = (a[ai] - q.a_zp) * (b[bi] - q.b_zp);
    y[i] = static_cast<T>(
        quant::requantize(product, q.multiplier, q.shift, q.out_zp, q.act_min, q.act_max));
  }
}

}  // namespace

void add_s8(BinaryOp op, const BinaryShapes& s, const AddQuant& q, const int8_t* a, const int8_t* b,
            int8_t* y) {
  add(op, s, q, a, b, y);
}
void add_s16(BinaryOp op, const BinaryShapes& s, const AddQuant& q, const int16_t* a,
             const int16_t* b, int16_t* y) {
  add(op, s, q, a, b, y);
}
void mul_s8(const BinaryShapes& s, const MulQuant& q, const int8_t* a, const int8_t* b, int8_t* y) {
  mul(s, q, a, b, y);
}
void mul_s16(const BinaryShapes& s, const MulQuant& q, const int16_t* a, const int16_t* b,
             int16_t* y) {
  mul(s, q, a, b, y);
}

}  // namespace edgeae::ref
