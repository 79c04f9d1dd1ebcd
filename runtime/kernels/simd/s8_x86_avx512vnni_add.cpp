// Same-shape int8 Add/Sub on AVX-512BW, bit-exact with ref::add_s8.
//
// The reference rounds four times (each operand's multiplier, the output
// multiplier and its shift), so its result is an affine function of the two
// operands, t = da * ca + db * cb + out_zp + 1/2, floored, up to a bounded
// error. The fast path evaluates that affine function in int32 fixed point
// with F fraction bits and bounds every error term (below, `margin`): where
// the fraction of the estimate lies at least 2 * margin above an integer,
// the floor of the estimate is the reference's result (and the true value is
// no rounding tie). A block of 64 with any lane closer to an integer than
// that is redone with the reference's arithmetic, lane by lane; at the
// converter's scales that is one element in a few thousand.
#include <immintrin.h>
#include <math.h>

#include "kernels/simd/s8_avx512_common.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {
namespace {

// ref::add_s8's arithmetic on 16 lanes at a time, for `count` elements. The
// loader guarantees a/b shifts <= 0 and multipliers >= 0, so their scaling
// is the high multiply and rounding shift alone. (A 256-entry table per
// operand looked up with vpgatherdd was measured slower.)
void add_exact(ref::BinaryOp op, const ref::AddQuant& q, const int8_t* a, const int8_t* b,
               int8_t* y, size_t count) {
  const __m512i a_mult = _mm512_set1_epi32(q.a_multiplier);
  const __m512i a_right = _mm512_set1_epi32(-q.a_shift);
  const __m512i b_mult = _mm512_set1_epi32(q.b_multiplier);
  const __m512i b_right = _mm512_set1_epi32(-q.b_shift);
  const __m512i o_mult = _mm512_set1_epi32(q.out_multiplier);
  const __m512i o_shift = _mm512_set1_epi32(q.out_shift);
  const __m512i a_zp = _mm512_set1_epi32(q.a_zp), b_zp = _mm512_set1_epi32(q.b_zp);
  const auto shift = static_cast<unsigned>(q.left_shift);
  for (size_t i = 0; i < count; i += 16) {
    const size_t live = count - i < 16 ? count - i : 16;
    const auto lanes = static_cast<__mmask16>((1u << live) - 1u);
    const __m512i av = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(lanes, a + i));
    const __m512i bv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(lanes, b + i));
    const __m512i sa = rounding_shift_right16(
        rounding_doubling_high_mul16(_mm512_slli_epi32(_mm512_sub_epi32(av, a_zp), shift), a_mult),
        a_right);
    const __m512i sb = rounding_shift_right16(
        rounding_doubling_high_mul16(_mm512_slli_epi32(_mm512_sub_epi32(bv, b_zp), shift), b_mult),
        b_right);
    const __m512i sum =
        op == ref::BinaryOp::kSub ? _mm512_sub_epi32(sa, sb) : _mm512_add_epi32(sa, sb);
    const __m512i r = add_zero_point_and_clamp(
        multiply_by_quantized_multiplier16(sum, o_mult, o_shift), q.out_zp, q.act_min, q.act_max);
    store_bytes16(y + i, lanes, r);
  }
}

// v = a * a_coef + b * b_coef + offset (mod 2^32; the true value fits int32)
// estimates 2^F * t + margin for the raw int8 operands a and b.
struct AffineAdd {
  int32_t a_coef = 0, b_coef = 0;
  uint32_t offset = 0;
  int fraction_bits = 0;  // F
  // Fraction bits [j, F) of v, with 2^j >= 2 * margin: all clear means the
  // estimate may be on the wrong side of an integer.
  int32_t close_bits = 0;
};

// round(m * out_m / 2^s) for m, out_m in [0, 2^31) and s > 0.
int64_t scaled_coefficient(int32_t m, int32_t out_m, int s) {
  const uint64_t product = uint64_t(uint32_t(m)) * uint32_t(out_m);  // < 2^62
  if (s >= 63) return 0;                                             // below 1/2
  return static_cast<int64_t>((product + (uint64_t{1} << (s - 1))) >> s);
}

// Error bound, in units of 2^-F, with da = a - a_zp (|da| <= 255), ea, eb,
// eo the right shifts and K = out_m / 2^(31 + eo):
//   sa = RDBP(floor((da * ma + 2^10) / 2^11), ea) (the left shift 20 makes
//   the high multiply exact up to that floor) is da * ma / 2^(11 + ea)
//   within 1/2 + 2^-(ea + 1) <= 1, and so for sb: the sum within 2;
//   h = floor((u * out_m + 2^30) / 2^31) (docs/kernels.md) is u * out_m / 2^31
//   within 1/2, so h / 2^eo is u * K within 2^-(eo + 1);
//   each rounded coefficient is off by 1/2 unit, times |da| <= 255.
// Hence |estimate - t| <= 255 + 2^F (2K + 2^-(eo + 1)) < margin.
bool plan_affine_add(ref::BinaryOp op, const ref::AddQuant& q, AffineAdd* plan) {
  if (q.left_shift != 20 || q.out_shift > 0 || q.out_multiplier < 0 || q.a_multiplier < 0 ||
      q.b_multiplier < 0 || q.a_shift > 0 || q.b_shift > 0)
    return false;
  const int ea = -q.a_shift, eb = -q.b_shift, eo = -q.out_shift;
  const double k = ldexp(static_cast<double>(q.out_multiplier), -(31 + eo));
  // F <= 23: above, 128 * 2^F alone breaks the bound below (starting there
  // saves the ldexp calls of seven failing rounds, per call).
  for (int f = 23; f >= 16; --f) {
    const int64_t ca = scaled_coefficient(q.a_multiplier, q.out_multiplier, 42 + ea + eo - f);
    int64_t cb = scaled_coefficient(q.b_multiplier, q.out_multiplier, 42 + eb + eo - f);
    const int64_t one = int64_t{1} << f;
    const int64_t margin =
        256 + static_cast<int64_t>(ceil(ldexp(2.0 * k + ldexp(1.0, -(eo + 1)), f))) + 1;
    // |v| <= 255 |ca| + 255 |cb| + 128 * 2^F + 2^(F-1) + margin.
    if (255 * (ca + cb) + 128 * one + one / 2 + margin >= (int64_t{1} << 31)) continue;
    int j = 0;
    while ((int64_t{1} << j) < 2 * margin) ++j;
    if (j > f - 9) return false;  // too many lanes would need the exact path
    if (op == ref::BinaryOp::kSub) cb = -cb;
    const int64_t offset =
        int64_t{q.out_zp} * one + one / 2 + margin - int64_t{q.a_zp} * ca - int64_t{q.b_zp} * cb;
    plan->a_coef = static_cast<int32_t>(ca);
    plan->b_coef = static_cast<int32_t>(cb);
    plan->offset = static_cast<uint32_t>(offset);  // mod 2^32
    plan->fraction_bits = f;
    plan->close_bits = static_cast<int32_t>((one - 1) & ~((int64_t{1} << j) - 1));
    return true;
  }
  return false;
}

}  // namespace

void add_s8_avx512(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                   const int8_t* a, const int8_t* b, int8_t* y) {
  size_t count = 0;
  if (!ref::detail::same_shapes(s, &count)) {
    ref::add_s8(op, s, q, a, b, y);
    return;
  }
  AffineAdd plan;
  if (count < 64 || !plan_affine_add(op, q, &plan)) {
    add_exact(op, q, a, b, y, count);
    return;
  }
  const __m512i a_coef = _mm512_set1_epi32(plan.a_coef);
  const __m512i b_coef = _mm512_set1_epi32(plan.b_coef);
  const __m512i offset = _mm512_set1_epi32(static_cast<int32_t>(plan.offset));
  const __m512i close_bits = _mm512_set1_epi32(plan.close_bits);
  const auto fraction_bits = static_cast<unsigned>(plan.fraction_bits);
  const __m512i lo = _mm512_set1_epi8(static_cast<char>(q.act_min));
  const __m512i hi = _mm512_set1_epi8(static_cast<char>(q.act_max));
  // The two packs leave dword 4L + i of lane L holding bytes 16i + 4L..+3.
  const __m512i unpack_order =
      _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 64 <= count; i += 64) {
    __m512i floors[4];
    __mmask16 close = 0;
    for (int part = 0; part < 4; ++part) {
      const __m512i av = _mm512_cvtepi8_epi32(_mm_loadu_si128(
          reinterpret_cast<const __m128i*>(a + i + 16 * static_cast<size_t>(part))));
      const __m512i bv = _mm512_cvtepi8_epi32(_mm_loadu_si128(
          reinterpret_cast<const __m128i*>(b + i + 16 * static_cast<size_t>(part))));
      const __m512i v = _mm512_add_epi32(
          _mm512_add_epi32(_mm512_mullo_epi32(av, a_coef), _mm512_mullo_epi32(bv, b_coef)), offset);
      close |= _mm512_testn_epi32_mask(v, close_bits);
      floors[part] = _mm512_srai_epi32(v, fraction_bits);
    }
    if (close != 0) {
      add_exact(op, q, a + i, b + i, y + i, 64);
      continue;
    }
    // Saturating packs clamp to int8 first: the same as clamping once.
    __m512i bytes = _mm512_packs_epi16(_mm512_packs_epi32(floors[0], floors[1]),
                                       _mm512_packs_epi32(floors[2], floors[3]));
    bytes = _mm512_permutexvar_epi32(unpack_order, bytes);
    bytes = _mm512_min_epi8(_mm512_max_epi8(bytes, lo), hi);
    _mm512_storeu_si512(y + i, bytes);
  }
  if (i < count) add_exact(op, q, a + i, b + i, y + i, count - i);
}

}  // namespace edgeae::simd
