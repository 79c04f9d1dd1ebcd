// int8 Add/Sub for Helium (the arm-mve set's add_s8), four elements per
// vector in int32 lanes: each operand widened by its load, offset, shifted
// left (saturating, as the reference's int64 clamp) and scaled by
// TFLite's multiply-by-quantized-multiplier, the sum or difference scaled
// the same way to the output. The multiply is the requantization of
// dense_s8_mve (VQSHL, VQRDMULH, and a rounding divide as VRSHL of x - 1 for
// negative x), branch-free for any shift in [-31, 30]. Bit-exact with
// ref::add_s8; broadcasts and shifts outside those ranges take the tables.
#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/portable/portable_kernels.hpp"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>

namespace edgeae::cortexm {
namespace {

// multiply_by_quantized_multiplier(x, multiplier, shift) on four lanes.
struct Scale {
  int32_t left, multiplier;
  int32x4_t right;  // min(shift, 0)

  Scale(int32_t m, int32_t shift)
      : left(shift > 0 ? shift : 0), multiplier(m), right(vdupq_n_s32(shift < 0 ? shift : 0)) {}
  int32x4_t operator()(int32x4_t x) const {
    x = vqrdmulhq_n_s32(vqshlq_r_s32(x, left), multiplier);
    // -1 where x < 0 and a right shift follows: ties away from zero.
    x = vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31));
    return vrshlq_s32(x, right);
  }
};

bool in_range(int32_t shift) {
  return shift >= -31 && shift <= 30;
}

}  // namespace

void add_s8_mve(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                const int8_t* a, const int8_t* b, int8_t* y) {
  size_t count = 0;
  if (!ref::detail::same_shapes(s, &count) || q.left_shift < 0 || q.left_shift > 31 ||
      !in_range(q.a_shift) || !in_range(q.b_shift) || !in_range(q.out_shift)) {
    portable::add_s8_tables(op, s, q, a, b, y);
    return;
  }
  const Scale scale_a(q.a_multiplier, q.a_shift), scale_b(q.b_multiplier, q.b_shift);
  const Scale scale_out(q.out_multiplier, q.out_shift);
  const int32x4_t low = vdupq_n_s32(q.act_min - q.out_zp), high = vdupq_n_s32(q.act_max - q.out_zp);
  const bool subtract = op == ref::BinaryOp::kSub;
  auto four = [&](int32x4_t va, int32x4_t vb) {
    // (x - zp) * 2^left_shift: |x - zp| <= 255, saturating like the
    // reference's int64 clamp.
    va = scale_a(vqshlq_r_s32(vsubq_n_s32(va, q.a_zp), q.left_shift));
    vb = scale_b(vqshlq_r_s32(vsubq_n_s32(vb, q.b_zp), q.left_shift));
    // Each scaled operand is below 2^30: the sum or difference fits.
    const int32x4_t raw = subtract ? vsubq_s32(va, vb) : vaddq_s32(va, vb);
    return vaddq_n_s32(vminq_s32(vmaxq_s32(scale_out(raw), low), high), q.out_zp);
  };
  size_t i = 0;
  for (; i + 4 <= count; i += 4) vstrbq_s32(y + i, four(vldrbq_s32(a + i), vldrbq_s32(b + i)));
  if (i < count) {
    const mve_pred16_t p = vctp32q(static_cast<uint32_t>(count - i));
    vstrbq_p_s32(y + i, four(vldrbq_z_s32(a + i, p), vldrbq_z_s32(b + i, p)), p);
  }
}

}  // namespace edgeae::cortexm

#endif  // __ARM_FEATURE_MVE
