// Elementwise Add/Sub/Mul/PRelu with numpy (multidirectional) broadcasting.
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

namespace {

size_t element_count(const Shape& s) {
  size_t count = 1;  // rank 0 is a scalar
  for (uint32_t i = 0; i < s.rank; ++i) count *= s.dims[i];
  return count;
}

float apply(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::kAdd:
      return a + b;
    case BinaryOp::kSub:
      return a - b;
    case BinaryOp::kMul:
      return a * b;
    case BinaryOp::kPRelu:
      return a < 0.0f ? b * a : a;
  }
  return 0.0f;
}

}  // namespace

void binary_f32(BinaryOp op, const Shape& a_shape, const float* a, const Shape& b_shape,
                const float* b, const Shape& out_shape, const ActivationSpec& act, float* y) {
  const size_t count = element_count(out_shape);
  const uint32_t rank = out_shape.rank;
  for (size_t i = 0; i < count; ++i) {
    // Walk the output coordinates from the last axis, where all three shapes
    // are aligned. An operand axis of size 1 (or one missing because the
    // operand has lower rank) contributes no offset: its value repeats.
    size_t rest = i;
    size_t a_offset = 0, a_stride = 1;
    size_t b_offset = 0, b_stride = 1;
    for (uint32_t k = 0; k < rank; ++k) {
      const uint32_t dim = out_shape.dims[rank - 1 - k];
      const size_t coord = rest % dim;
      rest /= dim;
      if (k < a_shape.rank) {
        const uint32_t a_dim = a_shape.dims[a_shape.rank - 1 - k];
        if (a_dim != 1) a_offset += coord * a_stride;
        a_stride *= a_dim;
      }
      if (k < b_shape.rank) {
        const uint32_t b_dim = b_shape.dims[b_shape.rank - 1 - k];
        if (b_dim != 1) b_offset += coord * b_stride;
        b_stride *= b_dim;
      }
    }
    const uint32_t channel = rank > 0 ? static_cast<uint32_t>(i % out_shape.dims[rank - 1]) : 0;
    y[i] = activate(act, apply(op, a[a_offset], b[b_offset]), channel);
  }
}

}  // namespace edgeae::ref
