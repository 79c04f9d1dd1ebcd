// int8 Dense for Cortex-M cores with the DSP extension (M4, M7, M33, M55:
// __ARM_FEATURE_DSP), on quad-packed weights (ref::dense_s8_packed): the
// "arm-dsp" kernel set, chosen at compile time (kernel_sets.cpp).
//
// SXTB16 sign-extends bytes 0 and 2 of a word into two int16 halfwords,
// SXTB16 with ROR #8 its bytes 1 and 3, and SMLAD adds both halfword products
// to an int32: a 32-bit quad (four consecutive k) of weights is two SXTB16s
// and two SMLADs, four multiply-accumulates. The activations are widened
// once per call into a small stack buffer (widen()): per quad the halfword
// pairs (a0 - zp, a2 - zp) and (a1 - zp, a3 - zp), in the order SXTB16 splits
// the weights, so the inner loops widen only the weights. a - zp is in
// [-255, 255], exact in int16, and each SMLAD pair sum is at most
// 2 * 255 * 127 < 2^16. The sum is the reference's exact int32 sum, added in
// another order (s8_dense.hpp), and the shared scalar code requantizes it.
//
// Register tiles, inner loops in assembly (gcc 12 spills accumulators of
// these shapes), two quads per iteration:
//   1 x 4 (one row, M = 1: Dense at batch 1): per quad 1 LDRD of the
//     widened activations, 2 LDRD of four columns' weight quads, 16 widen +
//     SMLAD, 1 pointer step, plus 2 loop instructions per two quads: 21
//     instructions per 16 MACs (1.31). Every weight is used once, so its
//     load and widening are the floor: 1.125 per MAC with LDRD, and 14
//     registers hold no wider tile (4 pointers/strides, 2 activation words,
//     3 weight words, C accumulators: C = 5 would save 0.01).
//   2 x 2 (two rows, M >= 2: gathered Conv pixels, batches): each widened
//     weight feeds both rows: per quad 1 LDM of both rows' activations, 2
//     weight loads, 12 widen + SMLAD, 1 pointer step, plus the loop: 17
//     instructions per 16 MACs (1.06), all 14 registers.
// Column tails use one-column C loops. K is split into chunks of at most
// kChunkQuads quads (the widened buffer: 1 KB of stack at most) and the
// columns into groups of kGroup whose partial sums the chunks carry.
#include <arm_acle.h>
#include <string.h>

#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/portable/portable_kernels.hpp"
#include "kernels/simd/s8_dense.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm {
namespace {

constexpr uint32_t kChunkQuads = 64;  // K <= 256 in one chunk
constexpr uint32_t kGroup = 32;       // columns per accumulator group

inline uint32_t load_quad(const int8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);  // LDR: Armv7-M/v8-M load words at any alignment
  return v;
}

// The last K % 4 values of a row, zero past K (the weights there are zero).
inline uint32_t load_partial_quad(const int8_t* p, uint32_t count) {
  uint8_t bytes[4] = {0, 0, 0, 0};
  memcpy(bytes, p, count);
  uint32_t v;
  memcpy(&v, bytes, 4);
  return v;
}

// Halfwords (x.b0, x.b2) and (x.b1, x.b3), sign-extended, plus off's halfwords.
inline uint32_t even_plus(int32_t off, uint32_t x) {
  return static_cast<uint32_t>(__sxtab16(off, static_cast<int32_t>(x)));
}
inline uint32_t odd_plus(int32_t off, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off), "r"(x));
  return r;
}
inline int32_t even(uint32_t x) {
  return __sxtb16(static_cast<int32_t>(x));
}
inline int32_t odd(uint32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
inline int32_t smlad(uint32_t x, int32_t w, int32_t acc) {
  return __smlad(static_cast<int32_t>(x), w, acc);
}

// Quads [q0, q0 + count) of R rows of a (k values each) into xw: per quad
// the R rows' (even, odd) pairs, row after row.
template <int R>
void widen(const int8_t* a, uint32_t k, uint32_t q0, uint32_t count, int32_t minus_zp,
           uint32_t* xw) {
  const uint32_t full = k / 4 > q0 ? (k / 4 - q0 < count ? k / 4 - q0 : count) : 0;
  for (uint32_t r = 0; r < R; ++r) {
    const int8_t* p = a + size_t{r} * k + size_t{q0} * 4;
    uint32_t* out = xw + 2 * r;
    for (uint32_t i = 0; i < full; ++i, p += 4, out += 2 * R) {
      const uint32_t x = load_quad(p);
      out[0] = even_plus(minus_zp, x);
      out[1] = odd_plus(minus_zp, x);
    }
    if (full < count) {  // the row's last, partial quad
      const uint32_t x = load_partial_quad(p, k % 4);
      out[0] = even_plus(minus_zp, x);
      out[1] = odd_plus(minus_zp, x);
    }
  }
}

// acc[0..3] += the dot products of one widened row (quads >= 1) with four
// columns of a quad-packed block (b at the first, 4-byte aligned for LDRD;
// `row` bytes per quad).
__attribute__((noinline)) void tile_1x4(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* acc) {
  int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
  const uint32_t* const end = xw + 2 * quads;
  uint32_t xe, xo, w0, w1, t;
#define EDGEAE_DSP_QUAD_1X4              \
  "ldrd %[xe], %[xo], [%[x]], #8\n\t"    \
  "ldrd %[w0], %[w1], [%[b]]\n\t"        \
  "sxtb16 %[t], %[w0]\n\t"               \
  "sxtb16 %[w0], %[w0], ror #8\n\t"      \
  "smlad %[s0], %[xe], %[t], %[s0]\n\t"  \
  "smlad %[s0], %[xo], %[w0], %[s0]\n\t" \
  "sxtb16 %[t], %[w1]\n\t"               \
  "sxtb16 %[w1], %[w1], ror #8\n\t"      \
  "smlad %[s1], %[xe], %[t], %[s1]\n\t"  \
  "smlad %[s1], %[xo], %[w1], %[s1]\n\t" \
  "ldrd %[w0], %[w1], [%[b], #8]\n\t"    \
  "sxtb16 %[t], %[w0]\n\t"               \
  "sxtb16 %[w0], %[w0], ror #8\n\t"      \
  "smlad %[s2], %[xe], %[t], %[s2]\n\t"  \
  "smlad %[s2], %[xo], %[w0], %[s2]\n\t" \
  "sxtb16 %[t], %[w1]\n\t"               \
  "sxtb16 %[w1], %[w1], ror #8\n\t"      \
  "smlad %[s3], %[xe], %[t], %[s3]\n\t"  \
  "smlad %[s3], %[xo], %[w1], %[s3]\n\t" \
  "add %[b], %[b], %[row]\n\t"
  // Two quads per iteration; an odd count enters at the second.
  __asm__ volatile(
      "sub %[t], %[end], %[x]\n\t"
      "tst %[t], #8\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_DSP_QUAD_1X4 "2:\n\t" EDGEAE_DSP_QUAD_1X4
      "cmp %[x], %[end]\n\t"
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [s1] "+&r"(s1), [s2] "+&r"(s2), [s3] "+&r"(s3),
        [xe] "=&r"(xe), [xo] "=&r"(xo), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)
      : [end] "r"(end), [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_DSP_QUAD_1X4
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = s2;
  acc[3] = s3;
}

// acc0[0..1] and acc1[0..1] += the dot products of two widened rows
// (interleaved per quad, quads >= 1) with two columns.
__attribute__((noinline)) void tile_2x2(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* acc0, int32_t* acc1) {
  int32_t s00 = acc0[0], s01 = acc0[1], s10 = acc1[0], s11 = acc1[1];
  const uint32_t* const end = xw + 4 * quads;
  // LDM fills registers in ascending order: pin the four activation words.
  register uint32_t xe0 __asm__("r0");
  register uint32_t xo0 __asm__("r1");
  register uint32_t xe1 __asm__("r2");
  register uint32_t xo1 __asm__("r3");
  uint32_t w, t;
#define EDGEAE_DSP_QUAD_2X2                \
  "ldm %[x]!, {r0, r1, r2, r3}\n\t"        \
  "ldr %[w], [%[b]]\n\t"                   \
  "sxtb16 %[t], %[w]\n\t"                  \
  "sxtb16 %[w], %[w], ror #8\n\t"          \
  "smlad %[s00], %[xe0], %[t], %[s00]\n\t" \
  "smlad %[s00], %[xo0], %[w], %[s00]\n\t" \
  "smlad %[s10], %[xe1], %[t], %[s10]\n\t" \
  "smlad %[s10], %[xo1], %[w], %[s10]\n\t" \
  "ldr %[w], [%[b], #4]\n\t"               \
  "sxtb16 %[t], %[w]\n\t"                  \
  "sxtb16 %[w], %[w], ror #8\n\t"          \
  "smlad %[s01], %[xe0], %[t], %[s01]\n\t" \
  "smlad %[s01], %[xo0], %[w], %[s01]\n\t" \
  "smlad %[s11], %[xe1], %[t], %[s11]\n\t" \
  "smlad %[s11], %[xo1], %[w], %[s11]\n\t" \
  "add %[b], %[b], %[row]\n\t"
  __asm__ volatile(
      "sub %[t], %[end], %[x]\n\t"
      "tst %[t], #16\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_DSP_QUAD_2X2 "2:\n\t" EDGEAE_DSP_QUAD_2X2
      "cmp %[x], %[end]\n\t"
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s00] "+&r"(s00), [s01] "+&r"(s01), [s10] "+&r"(s10),
        [s11] "+&r"(s11), [xe0] "=&r"(xe0), [xo0] "=&r"(xo0), [xe1] "=&r"(xe1), [xo1] "=&r"(xo1),
        [w] "=&r"(w), [t] "=&r"(t)
      : [end] "r"(end), [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_DSP_QUAD_2X2
  acc0[0] = s00;
  acc0[1] = s01;
  acc1[0] = s10;
  acc1[1] = s11;
}

// One column, R rows (the column tails).
template <int R>
void tile_rx1(const uint32_t* xw, uint32_t quads, const int8_t* b, size_t row, int32_t* acc,
              size_t acc_stride) {
  int32_t s[R];
  for (size_t r = 0; r < R; ++r) s[r] = acc[r * acc_stride];
  for (uint32_t i = 0; i < quads; ++i, xw += 2 * R, b += row) {
    const uint32_t w = load_quad(b);
    const int32_t we = even(w), wo = odd(w);
    for (size_t r = 0; r < R; ++r) s[r] = smlad(xw[2 * r + 1], wo, smlad(xw[2 * r], we, s[r]));
  }
  for (size_t r = 0; r < R; ++r) acc[r * acc_stride] = s[r];
}

// acc[r][c] (rows kGroup apart) += columns [0, count) of the block at b
// times the R widened rows.
template <int R>
void multiply_group(const uint32_t* xw, uint32_t quads, const int8_t* b, size_t row, uint32_t count,
                    int32_t* acc) {
  constexpr uint32_t kWidth = R == 1 ? 4 : 2;
  uint32_t c = 0;
  for (; c + kWidth <= count; c += kWidth) {
    if constexpr (R == 1)
      tile_1x4(xw, quads, b + size_t{c} * 4, row, acc + c);
    else
      tile_2x2(xw, quads, b + size_t{c} * 4, row, acc + c, acc + kGroup + c);
  }
  for (; c < count; ++c) tile_rx1<R>(xw, quads, b + size_t{c} * 4, row, acc + c, kGroup);
}

// quant::requantize_fast in fewer instructions, for layers whose every
// channel has multiplier in [2^30, 2^31) and shift in [-20, -1]
// (fast_requant(); other layers take simd::store_requantized):
// - the rounding high multiply floor((sum * m + 2^30) / 2^31) is SMMULR
//   (floor((x * m + 2^31) / 2^32)) of x = 2 * sum, exact for |sum| < 2^30.
//   Larger sums saturate the doubling (QADD), and then both the exact and
//   the computed high product are at least 2^29 - 1 in magnitude with the
//   sum's sign, so after the shift by at most 20 both are beyond +-255 and
//   clamp to the same bound;
// - rounding_divide_by_pot(h, e), e >= 1, is (h + 2^(e-1) - (h < 0)) >> e
//   (|h| <= 2^30: no overflow);
// - r + zp clamped to [act_min, act_max] within int8 is SSAT 8 of the
//   saturating sum, then the clamp.
bool fast_requant(const ref::RequantParams& q) {
  for (uint32_t c = 0; c < q.count; ++c)
    if (q.multiplier[c] < (1 << 30) || q.shift[c] > -1 || q.shift[c] < -20) return false;
  return true;
}

inline int32_t rounding_high_mul(int32_t sum, int32_t multiplier) {
  int32_t h;
  __asm__("smmulr %0, %1, %2" : "=r"(h) : "r"(__qadd(sum, sum)), "r"(multiplier));
  return h;
}

void store_fast(const ref::DenseShape& s, const ref::LayerQuant& q, const int32_t* bias, uint32_t m,
                uint32_t n0, uint32_t count, const int32_t* acc, int8_t* y) {
  static const int32_t kNoBias = 0;
  const int32_t* bp = &kNoBias;
  size_t bias_step = 0;
  if (bias != nullptr) {
    bp = bias + size_t{m} * s.bias_stride_m + size_t{n0} * s.bias_stride_n;
    bias_step = s.bias_stride_n;
  }
  const size_t channel_step = q.out.count > 1 ? 1 : 0;
  const int32_t* multiplier = q.out.multiplier + n0 * channel_step;
  const int32_t* shift = q.out.shift + n0 * channel_step;
  const int32_t zp = q.out.out_zp, lo = q.out.act_min, hi = q.out.act_max;
  int8_t* out = y + size_t{m} * s.n + n0;
  for (uint32_t j = 0; j < count; ++j) {
    // Wrapping add: the true sum fits in int32 (the loader's bound).
    const auto sum = static_cast<int32_t>(static_cast<uint32_t>(bp[j * bias_step]) +
                                          static_cast<uint32_t>(acc[j]));
    const int32_t h = rounding_high_mul(sum, multiplier[j * channel_step]);
    const int32_t exponent = -shift[j * channel_step];
    const int32_t r = (h + (int32_t{1} << (exponent - 1)) + (h >> 31)) >> exponent;
    int32_t v = __ssat(__qadd(r, zp), 8);
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    out[j] = static_cast<int8_t>(v);
  }
}

// Rows [m, m + R) of y.
template <int R>
void rows(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a, const int8_t* b,
          const int32_t* bias, int32_t minus_zp, bool fast, uint32_t m, int8_t* y) {
  alignas(8) uint32_t xw[2 * R * kChunkQuads];
  int32_t acc[R * kGroup];
  const uint32_t quads = (s.k + 3) / 4;
  const int8_t* am = a + size_t{m} * s.k;
  const bool one_chunk = quads <= kChunkQuads;
  if (one_chunk) widen<R>(am, s.k, 0, quads, minus_zp, xw);
  simd::for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t g = nb; g < ne; g += kGroup) {
      const uint32_t count = ne - g < kGroup ? ne - g : kGroup;
      for (uint32_t r = 0; r < R; ++r)
        for (uint32_t c = 0; c < count; ++c) acc[r * kGroup + c] = 0;
      for (uint32_t q0 = 0; q0 < quads; q0 += kChunkQuads) {
        const uint32_t chunk = quads - q0 < kChunkQuads ? quads - q0 : kChunkQuads;
        if (!one_chunk) widen<R>(am, s.k, q0, chunk, minus_zp, xw);
        multiply_group<R>(xw, chunk, block + size_t{q0} * row + size_t{g - nb} * 4, row, count,
                          acc);
      }
      for (uint32_t r = 0; r < R; ++r) {
        if (fast)
          store_fast(s, q, bias, m + r, g, count, acc + r * kGroup, y);
        else
          simd::store_requantized(s, q, bias, m + r, g, count, acc + r * kGroup, y);
      }
    }
  });
}

}  // namespace

void dense_s8_dsp(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  // LDRD needs word alignment (the loader aligns tensors to 16 bytes).
  if (reinterpret_cast<uintptr_t>(b) % 4 != 0) return ref::dense_s8_packed(s, q, a, b, bias, y);
  const uint32_t nzp = static_cast<uint16_t>(-q.in_zp);
  const auto minus_zp = static_cast<int32_t>(nzp | nzp << 16);
  const bool fast = fast_requant(q.out);
  uint32_t m = 0;
  for (; m + 2 <= s.m; m += 2) rows<2>(s, q, a, b, bias, minus_zp, fast, m, y);
  if (m < s.m) rows<1>(s, q, a, b, bias, minus_zp, fast, m, y);
}

}  // namespace edgeae::cortexm

namespace edgeae::kernels {

extern const KernelSet kArmDsp =
    reference_float_set("arm-dsp", cortexm::dense_s8_dsp, portable::add_s8_tables, nullptr,
                        cortexm::dense_s16_dsp, cortexm::dense_s16x16_dsp);

}  // namespace edgeae::kernels

#endif  // __ARM_FEATURE_DSP
