// int8 Add/Sub for sets without a vector one: each operand has 256 values,
// so its scaled form (ref::detail::add_operand) comes from a table built per
// call; only the output requantization runs per element. Bit-exact with
// ref::add_s8 (the same functions compute the same integers); broadcasting
// shapes go to the reference.
#include "kernels/portable/portable_kernels.hpp"

namespace edgeae::portable {

void add_s8_tables(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                   const int8_t* a, const int8_t* b, int8_t* y) {
  size_t count = 0;
  if (!ref::detail::same_shapes(s, &count) ||
      count < 128) {  // small tensors: the tables would cost more
    ref::add_s8(op, s, q, a, b, y);
    return;
  }
  int32_t table_a[256], table_b[256];
  for (int v = -128; v < 128; ++v) {
    table_a[v + 128] = ref::detail::add_operand(v, q.a_zp, q.left_shift, q.a_multiplier, q.a_shift);
    table_b[v + 128] = ref::detail::add_operand(v, q.b_zp, q.left_shift, q.b_multiplier, q.b_shift);
  }
  const bool subtract = op == ref::BinaryOp::kSub;
  for (size_t i = 0; i < count; ++i) {
    const int32_t sa = table_a[a[i] + 128], sb = table_b[b[i] + 128];
    // As in ref::add_s8: each scaled operand is below 2^30, so this fits.
    const int32_t raw = subtract ? sa - sb : sa + sb;
    y[i] = static_cast<int8_t>(
        quant::requantize(raw, q.out_multiplier, q.out_shift, q.out_zp, q.act_min, q.act_max));
  }
}

}  // namespace edgeae::portable
