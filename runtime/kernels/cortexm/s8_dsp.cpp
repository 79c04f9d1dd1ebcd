// int8 Dense for Cortex-M cores with the DSP extension (M4, M7, M33, M55:
// __ARM_FEATURE_DSP), on quad-packed weights (ref::dense_s8_packed): the
// "arm-dsp" kernel set, chosen at compile time (kernel_sets.cpp).
//
// One 32-bit load takes a quad (four consecutive k) of an activation row or
// of one weight column. SXTB16 sign-extends its bytes 0 and 2 into two int16
// halfwords, SXTB16 with ROR #8 its bytes 1 and 3, and SMLAD adds both
// halfword products to an int32: two SMLADs are four multiply-accumulates.
// The activations' zero point is folded into their widening (SXTAB16 adds
// (-zp, -zp)): a - zp is in [-255, 255], exact in int16, and each SMLAD pair
// sum is at most 2 * 255 * 127 < 2^16. The sum is the reference's exact int32
// sum, added in another order (s8_dense.hpp), and the scalar reference code
// requantizes it.
//
// Register tiles: one row by four columns. Each activation quad is widened
// once and used for the four columns; the full-quad loop is written in
// assembly (gcc 12 spilled accumulators of every tile shape tried, 2 x 2
// included): per quad 1 + 2 activation, 4 x (1 load + 2 widen + 2 SMLAD)
// and 3 loop instructions, 26 for 16 MACs (1.63 per MAC before the
// per-output requantization). A 2 x 2 tile needs 16 live registers, two
// more than Thumb-2 has. (Weights widened once per use are the floor: with
// M = 1 every weight is used once, 0.75 instructions per MAC for load and
// widening alone.)
#include <arm_acle.h>
#include <string.h>

#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/portable/portable_kernels.hpp"
#include "kernels/simd/s8_dense.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm {
namespace {

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
inline int32_t even_plus(int32_t off, uint32_t x) {
  return __sxtab16(off, static_cast<int32_t>(x));
}
inline int32_t odd_plus(int32_t off, uint32_t x) {
  int32_t r;
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

// The R x C tiles: acc[r][c] = sum over k of (a[r][k] - zp) * B[k][c] for R
// rows of a (lda apart) and C columns of a quad-packed column block (`row`
// bytes per quad), b at the tile's first column. Written out per shape, with
// scalar accumulators, so that gcc keeps everything in registers.
template <int R, int C>
struct Tile;

template <>
struct Tile<1, 4> {
  __attribute__((noinline)) static void dot(const int8_t* a, size_t, const int8_t* b, size_t row,
                                            uint32_t k, int32_t minus_zp, int32_t (&acc)[1][4]) {
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const int8_t* a0 = a;
    const int8_t* const a0_end = a + k / 4 * 4;
    auto step = [&](uint32_t x, const int8_t* bq) {
      const int32_t xe = even_plus(minus_zp, x), xo = odd_plus(minus_zp, x);
      uint32_t w = load_quad(bq);
      s0 = __smlad(xe, even(w), s0);
      s0 = __smlad(xo, odd(w), s0);
      w = load_quad(bq + 4);
      s1 = __smlad(xe, even(w), s1);
      s1 = __smlad(xo, odd(w), s1);
      w = load_quad(bq + 8);
      s2 = __smlad(xe, even(w), s2);
      s2 = __smlad(xo, odd(w), s2);
      w = load_quad(bq + 12);
      s3 = __smlad(xe, even(w), s3);
      s3 = __smlad(xo, odd(w), s3);
    };
    // The full quads, scheduled by hand (gcc 12 spills accumulators here): 26
    // instructions per 16 MACs.
    if (a0 != a0_end) {
      uint32_t x, xe, xo, w;
      __asm__ volatile(
          "1:\n\t"
          "ldr %[x], [%[a]], #4\n\t"
          "sxtab16 %[xe], %[mzp], %[x]\n\t"
          "sxtab16 %[xo], %[mzp], %[x], ror #8\n\t"
          "ldr %[w], [%[b]]\n\t"
          "sxtb16 %[x], %[w]\n\t"
          "sxtb16 %[w], %[w], ror #8\n\t"
          "smlad %[s0], %[xe], %[x], %[s0]\n\t"
          "smlad %[s0], %[xo], %[w], %[s0]\n\t"
          "ldr %[w], [%[b], #4]\n\t"
          "sxtb16 %[x], %[w]\n\t"
          "sxtb16 %[w], %[w], ror #8\n\t"
          "smlad %[s1], %[xe], %[x], %[s1]\n\t"
          "smlad %[s1], %[xo], %[w], %[s1]\n\t"
          "ldr %[w], [%[b], #8]\n\t"
          "sxtb16 %[x], %[w]\n\t"
          "sxtb16 %[w], %[w], ror #8\n\t"
          "smlad %[s2], %[xe], %[x], %[s2]\n\t"
          "smlad %[s2], %[xo], %[w], %[s2]\n\t"
          "ldr %[w], [%[b], #12]\n\t"
          "sxtb16 %[x], %[w]\n\t"
          "sxtb16 %[w], %[w], ror #8\n\t"
          "smlad %[s3], %[xe], %[x], %[s3]\n\t"
          "smlad %[s3], %[xo], %[w], %[s3]\n\t"
          "add %[b], %[b], %[row]\n\t"
          "cmp %[a], %[end]\n\t"
          "bne 1b"
          : [a] "+&r"(a0), [b] "+&r"(b), [s0] "+&r"(s0), [s1] "+&r"(s1), [s2] "+&r"(s2),
            [s3] "+&r"(s3), [x] "=&r"(x), [xe] "=&r"(xe), [xo] "=&r"(xo), [w] "=&r"(w)
          : [end] "r"(a0_end), [row] "r"(row), [mzp] "r"(minus_zp)
          : "cc", "memory");
    }
    if (const uint32_t rest = k % 4; rest != 0) step(load_partial_quad(a0, rest), b);
    acc[0][0] = s0;
    acc[0][1] = s1;
    acc[0][2] = s2;
    acc[0][3] = s3;
  }
};

template <>
struct Tile<1, 1> {
  __attribute__((noinline)) static void dot(const int8_t* a, size_t, const int8_t* b, size_t row,
                                            uint32_t k, int32_t minus_zp, int32_t (&acc)[1][1]) {
    int32_t s0 = 0;
    const int8_t* a0 = a;
    const int8_t* const a0_end = a + k / 4 * 4;
    auto step = [&](uint32_t x, uint32_t w) {
      s0 = __smlad(even_plus(minus_zp, x), even(w), s0);
      s0 = __smlad(odd_plus(minus_zp, x), odd(w), s0);
    };
    while (a0 != a0_end) {
      step(load_quad(a0), load_quad(b));
      a0 += 4;
      b += row;
    }
    if (const uint32_t rest = k % 4; rest != 0) step(load_partial_quad(a0, rest), load_quad(b));
    acc[0][0] = s0;
  }
};

// Rows [m, m + R) of y for the columns [nb, ne) of one column block.
template <int R, int C>
inline void rows_of_block(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                          const int8_t* block, size_t row, uint32_t nb, uint32_t ne,
                          const int32_t* bias, int32_t minus_zp, uint32_t m, int8_t* y) {
  const int8_t* am = a + size_t{m} * s.k;
  uint32_t n0 = nb;
  for (; n0 + C <= ne; n0 += C) {
    int32_t acc[R][C];
    Tile<R, C>::dot(am, s.k, block + size_t{n0 - nb} * 4, row, s.k, minus_zp, acc);
    for (int r = 0; r < R; ++r) simd::store_requantized(s, q, bias, m + r, n0, C, acc[r], y);
  }
  for (; n0 < ne; ++n0) {
    int32_t acc[R][1];
    Tile<R, 1>::dot(am, s.k, block + size_t{n0 - nb} * 4, row, s.k, minus_zp, acc);
    for (int r = 0; r < R; ++r) simd::store_requantized(s, q, bias, m + r, n0, 1, acc[r], y);
  }
}

}  // namespace

void dense_s8_dsp(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  const uint32_t nzp = static_cast<uint16_t>(-q.in_zp);
  const auto minus_zp = static_cast<int32_t>(nzp | nzp << 16);
  simd::for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t m = 0; m < s.m; ++m)
      rows_of_block<1, 4>(s, q, a, block, row, nb, ne, bias, minus_zp, m, y);
  });
}

}  // namespace edgeae::cortexm

namespace edgeae::kernels {

extern const KernelSet kArmDsp =
    reference_float_set("arm-dsp", cortexm::dense_s8_dsp, portable::add_s8_tables, nullptr);

}  // namespace edgeae::kernels

#endif  // __ARM_FEATURE_DSP
