// int16 Dense for Cortex-M cores with the DSP extension, on plain [K][N]
// weights: 16x8 (int8 weights, ref::dense_s16) and 16x16 (int16 weights,
// ref::dense_s16x16), int64 bias and accumulation, bit-exact with them (the
// same exact integer sum in another order, the reference's requantization).
//
// SMLAD / SMLALD multiply two halfword pairs and add both products: here one
// word of a holds a[k], a[k + 1], and each column's weights at rows k and
// k + 1 are packed into one word with PKHBT / PKHTB (a row's weights of
// neighbouring columns are adjacent, a column's are N apart).
//   16x8:  one word of a row's int8 weights gives four columns; SXTB16
//          splits it into columns (0, 2) and (1, 3), and a PKH pair per two
//          columns joins rows k and k + 1. Products are at most 2^15 * 2^7 =
//          2^22 in magnitude, so 32-bit SMLAD sums of 128 pairs (<= 2^30)
//          cannot overflow: K runs in chunks of 256 into int32 partials added
//          to the int64 sums. 15 instructions per 8 MACs.
//   16x16: one word of a row's weights gives two columns; products reach
//          2^30 and a pair 2^31, so SMLALD accumulates in 64 bits (exact).
//          7 instructions per 4 MACs.
#include <arm_acle.h>
#include <string.h>

#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/cortexm/s8_dsp_common.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm {
namespace {

inline int32_t load_word(const void* p) {
  int32_t v;
  memcpy(&v, p, 4);  // LDR: any alignment
  return v;
}
inline int32_t odd_bytes(int32_t x) {  // (x.b1, x.b3) sign-extended
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
// (lo.h0, hi.h0) and (lo.h1, hi.h1): PKHBT / PKHTB (s8_dsp_common.hpp).
inline int32_t bottoms(int32_t lo, int32_t hi) {
  return static_cast<int32_t>(dsp::bottoms(static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)));
}
inline int32_t tops(int32_t lo, int32_t hi) {
  return static_cast<int32_t>(dsp::tops(static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)));
}

int64_t bias_of(const ref::DenseShape& s, const int64_t* bias, uint32_t m, uint32_t n) {
  return bias != nullptr ? bias[size_t{m} * s.bias_stride_m + size_t{n} * s.bias_stride_n] : 0;
}

// acc[0..3] += row a (k values) times columns n..n+3 of b (N = stride).
void columns4_s8(const int16_t* a, uint32_t k, const int8_t* b, uint32_t stride, int64_t* acc) {
  constexpr uint32_t kChunk = 256;  // k per int32 partial
  const size_t two_rows = 2 * size_t{stride};
  for (uint32_t k0 = 0; k0 < k; k0 += kChunk) {
    const uint32_t pairs = ((k - k0 < kChunk) ? k - k0 : kChunk) / 2;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const int16_t* x_at = a + k0;
    const int16_t* const x_end = x_at + 2 * size_t{pairs};
    const int8_t* row = b + size_t{k0} * stride;
    for (; x_at != x_end; x_at += 2, row += two_rows) {
      const int32_t x = load_word(x_at);
      const int32_t r0 = load_word(row), r1 = load_word(row + stride);
      const int32_t e0 = __sxtb16(r0), e1 = __sxtb16(r1);
      const int32_t o0 = odd_bytes(r0), o1 = odd_bytes(r1);
      s0 = __smlad(x, bottoms(e0, e1), s0);
      s1 = __smlad(x, bottoms(o0, o1), s1);
      s2 = __smlad(x, tops(e0, e1), s2);
      s3 = __smlad(x, tops(o0, o1), s3);
    }
    acc[0] += s0;
    acc[1] += s1;
    acc[2] += s2;
    acc[3] += s3;
  }
  if (k % 2 != 0) {  // the last row
    const int8_t* row = b + size_t{k - 1} * stride;
    for (uint32_t c = 0; c < 4; ++c) acc[c] += int32_t{a[k - 1]} * row[c];
  }
}

void columns2_s16(const int16_t* a, uint32_t k, const int16_t* b, uint32_t stride, int64_t* acc) {
  int64_t s0 = acc[0], s1 = acc[1];
  const size_t two_rows = 2 * size_t{stride};
  const int16_t* x_at = a;
  const int16_t* const x_end = a + k / 2 * 2;
  const int16_t* row = b;
  for (; x_at != x_end; x_at += 2, row += two_rows) {
    const int32_t x = load_word(x_at);
    const int32_t r0 = load_word(row), r1 = load_word(row + stride);
    s0 = __smlald(x, bottoms(r0, r1), s0);
    s1 = __smlald(x, tops(r0, r1), s1);
  }
  if (k % 2 != 0) {
    s0 += int32_t{*x_at} * row[0];
    s1 += int32_t{*x_at} * row[1];
  }
  acc[0] = s0;
  acc[1] = s1;
}

// One column, plain loop (the column tails).
template <typename W>
int64_t column1(const int16_t* a, uint32_t k, const W* b, uint32_t stride) {
  int64_t s = 0;
  for (uint32_t i = 0; i < k; ++i) s += int32_t{a[i]} * b[size_t{i} * stride];
  return s;
}

template <uint32_t kWidth, typename W, typename Columns>
void dense(const ref::DenseShape& s, const ref::RequantParams& q, const int16_t* a, const W* b,
           const int64_t* bias, int16_t* y, Columns&& columns) {
  for (uint32_t m = 0; m < s.m; ++m) {
    const int16_t* am = a + size_t{m} * s.k;
    int16_t* ym = y + size_t{m} * s.n;
    uint32_t n = 0;
    for (; n + kWidth <= s.n; n += kWidth) {
      int64_t acc[kWidth];
      for (uint32_t c = 0; c < kWidth; ++c) acc[c] = bias_of(s, bias, m, n + c);
      columns(am, s.k, b + n, s.n, acc);
      for (uint32_t c = 0; c < kWidth; ++c)
        ym[n + c] = static_cast<int16_t>(ref::detail::requantize(acc[c], q, n + c));
    }
    for (; n < s.n; ++n) {
      const int64_t acc = bias_of(s, bias, m, n) + column1(am, s.k, b + n, s.n);
      ym[n] = static_cast<int16_t>(ref::detail::requantize(acc, q, n));
    }
  }
}

}  // namespace

void dense_s16_dsp(const ref::DenseShape& s, const ref::RequantParams& q, const int16_t* a,
                   const int8_t* b, const int64_t* bias, int16_t* y) {
  dense<4>(s, q, a, b, bias, y, columns4_s8);
}

void dense_s16x16_dsp(const ref::DenseShape& s, const ref::RequantParams& q, const int16_t* a,
                      const int16_t* b, const int64_t* bias, int16_t* y) {
  dense<2>(s, q, a, b, bias, y, columns2_s16);
}

}  // namespace edgeae::cortexm

#endif  // __ARM_FEATURE_DSP
