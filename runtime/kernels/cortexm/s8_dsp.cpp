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
// 2 * 255 * 127 < 2^16. The sum is the reference's exact int32 sum, bias
// first, added in another order (s8_dense.hpp; SMLAD wraps like the
// reference's int32 adds).
//
// Register tiles, inner loops in assembly (gcc 12 spills accumulators of
// these shapes), two quads per iteration, ending on a sentinel after the
// widened quads (kSentinel) so no register holds the end:
//   1 x 4 (one row, M = 1: Dense at batch 1): per quad 1 LDRD of the
//     widened activations, 1 LDM of four columns' weight quads, 16 widen +
//     SMLAD, 1 pointer step, plus CMP + BNE per two quads: 20 instructions
//     per 16 MACs (1.25). Every weight is used once, so its load and
//     widening bound any M = 1 tile (1.06 per MAC).
//   2 x 2 (two rows, M >= 2: gathered Conv pixels, batches): each widened
//     weight feeds both rows: per quad 1 LDM of both rows' activations, 1
//     LDRD of two weight quads, 12 widen + SMLAD, 1 pointer step, plus the
//     loop: 15.5 instructions per 16 MACs (0.97), all 14 registers.
// Each tile's sums start from the bias and are requantized at once
// (requant_fast: about 8 instructions per output plus 2 per column, the
// results clamped four at a time as packed bytes). Column tails use
// one-column C loops. K is split into chunks of at most kChunkQuads quads
// (the widened buffer: about 1 KB of stack) and the columns into groups of
// kGroup whose partial sums the chunks carry.
#include <arm_acle.h>
#include <string.h>

#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/cortexm/s8_dsp_common.hpp"
#include "kernels/portable/portable_kernels.hpp"
#include "kernels/simd/s8_dense.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm {
namespace {

using namespace dsp;

constexpr uint32_t kChunkQuads = 64;  // K <= 256 in one chunk
constexpr uint32_t kGroup = 32;       // columns per accumulator group

// Quads [q0, q0 + count) of R rows of a (k values each, lda bytes apart)
// into xw: per quad the R rows' (even, odd) pairs, row after row; then
// kSentinel. Reads no byte past a row's k.
template <int R>
void widen(const int8_t* a, size_t lda, uint32_t k, uint32_t q0, uint32_t count, int32_t minus_zp,
           uint32_t* xw) {
  const uint32_t full = k / 4 > q0 ? (k / 4 - q0 < count ? k / 4 - q0 : count) : 0;
  for (uint32_t r = 0; r < R; ++r) {
    const int8_t* p = a + size_t{r} * lda + size_t{q0} * 4;
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
  xw[2 * R * count] = kSentinel;
}

// acc[0..3] += the dot products of one widened row with four columns of a
// quad-packed block (b at the first, 4-byte aligned; `row` bytes per quad).
// Per quad: 1 LDRD of the activations, 1 LDM of the four weight words, 1
// pointer step, 16 widen + SMLAD; plus CMP + BNE per two quads: 20
// instructions per 16 MACs (1.25). Every weight is used once, so its load
// and widening bound any M = 1 tile (1.06 per MAC with LDM); 14 registers
// hold no wider tile.
__attribute__((noinline)) void tile_1x4(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* acc) {
  int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
  // LDM fills registers in ascending order: pin the four weight words.
  register uint32_t w0 __asm__("r0");
  register uint32_t w1 __asm__("r1");
  register uint32_t w2 __asm__("r2");
  register uint32_t w3 __asm__("r3");
  uint32_t xe, xo, t = quads;
#define EDGEAE_DSP_COLUMN(s, w)  \
  "sxtb16 %[t], " w              \
  "\n\t"                         \
  "sxtb16 " w ", " w             \
  ", ror #8\n\t"                 \
  "smlad " s ", %[xe], %[t], " s \
  "\n\t"                         \
  "smlad " s ", %[xo], " w ", " s "\n\t"
#define EDGEAE_DSP_QUAD_1X4                                                                      \
  "ldm %[b], {r0, r1, r2, r3}\n\t"                                                               \
  "add %[b], %[b], %[row]\n\t" EDGEAE_DSP_COLUMN("%[s0]", "r0") EDGEAE_DSP_COLUMN("%[s1]", "r1") \
      EDGEAE_DSP_COLUMN("%[s2]", "r2")                                                           \
          EDGEAE_DSP_COLUMN("%[s3]", "r3") "ldrd %[xe], %[xo], [%[x]], #8\n\t"
  // Two quads per iteration, the next quad's activations loaded ahead; an
  // odd count enters at the second.
  __asm__ volatile(
      "ldrd %[xe], %[xo], [%[x]], #8\n\t"
      "tst %[t], #1\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_DSP_QUAD_1X4 "2:\n\t" EDGEAE_DSP_QUAD_1X4
      "cmp %[xe], #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [s1] "+&r"(s1), [s2] "+&r"(s2), [s3] "+&r"(s3),
        [xe] "=&r"(xe), [xo] "=&r"(xo), [t] "+&r"(t), "=&r"(w0), "=&r"(w1), "=&r"(w2), "=&r"(w3)
      : [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_DSP_QUAD_1X4
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = s2;
  acc[3] = s3;
}

// acc[0..1] (row 0) and acc[2..3] (row 1) += the dot products of two widened
// rows (interleaved per quad) with two columns. Each widened weight feeds
// both rows: per quad 1 LDM of both rows' activations, 1 LDRD of the two
// weight words, 1 pointer step, 12 widen + SMLAD, plus CMP + BNE per two
// quads: 15.5 instructions per 16 MACs (0.97), all 14 registers.
__attribute__((noinline)) void tile_2x2(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* acc) {
  int32_t s00 = acc[0], s01 = acc[1], s10 = acc[2], s11 = acc[3];
  // LDM fills registers in ascending order: pin the four activation words.
  register uint32_t xe0 __asm__("r0");
  register uint32_t xo0 __asm__("r1");
  register uint32_t xe1 __asm__("r2");
  register uint32_t xo1 __asm__("r3");
  uint32_t w0, w1, t = quads;
#define EDGEAE_DSP_QUAD_2X2                 \
  "ldrd %[w0], %[w1], [%[b]]\n\t"           \
  "add %[b], %[b], %[row]\n\t"              \
  "sxtb16 %[t], %[w0]\n\t"                  \
  "sxtb16 %[w0], %[w0], ror #8\n\t"         \
  "smlad %[s00], %[xe0], %[t], %[s00]\n\t"  \
  "smlad %[s00], %[xo0], %[w0], %[s00]\n\t" \
  "smlad %[s10], %[xe1], %[t], %[s10]\n\t"  \
  "smlad %[s10], %[xo1], %[w0], %[s10]\n\t" \
  "sxtb16 %[t], %[w1]\n\t"                  \
  "sxtb16 %[w1], %[w1], ror #8\n\t"         \
  "smlad %[s01], %[xe0], %[t], %[s01]\n\t"  \
  "smlad %[s01], %[xo0], %[w1], %[s01]\n\t" \
  "smlad %[s11], %[xe1], %[t], %[s11]\n\t"  \
  "smlad %[s11], %[xo1], %[w1], %[s11]\n\t" \
  "ldm %[x]!, {r0, r1, r2, r3}\n\t"
  __asm__ volatile(
      "ldm %[x]!, {r0, r1, r2, r3}\n\t"
      "tst %[t], #1\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_DSP_QUAD_2X2 "2:\n\t" EDGEAE_DSP_QUAD_2X2
      "cmp %[xe0], #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s00] "+&r"(s00), [s01] "+&r"(s01), [s10] "+&r"(s10),
        [s11] "+&r"(s11), [xe0] "=&r"(xe0), [xo0] "=&r"(xo0), [xe1] "=&r"(xe1), [xo1] "=&r"(xo1),
        [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "+&r"(t)
      : [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_DSP_QUAD_2X2
#undef EDGEAE_DSP_COLUMN
  acc[0] = s00;
  acc[1] = s01;
  acc[2] = s10;
  acc[3] = s11;
}

// acc[0..R) += one column times R widened rows (the column tails).
template <int R>
inline void tile_rx1(const uint32_t* xw, uint32_t quads, const int8_t* b, size_t row,
                     int32_t* acc) {
  int32_t s[R];
  for (int r = 0; r < R; ++r) s[r] = acc[r];
  for (uint32_t i = 0; i < quads; ++i, xw += 2 * R, b += row) {
    const uint32_t w = load_quad(b);
    const int32_t we = even(w), wo = odd(w);
    for (int r = 0; r < R; ++r) s[r] = smlad(xw[2 * r + 1], wo, smlad(xw[2 * r], we, s[r]));
  }
  for (int r = 0; r < R; ++r) acc[r] = s[r];
}

// The same with the fast requantization, the R * W results packed into one
// word for the clamp.
template <int R, int W>
inline void store_fast(const Output& o, uint32_t m, uint32_t n, const int32_t* sum) {
  uint32_t packed = 0;
#pragma GCC unroll 4
  for (int w = 0; w < W; ++w) {
    const ColumnQuant c = column_quant(o, n + w);
#pragma GCC unroll 2
    for (int r = 0; r < R; ++r) {
      const int32_t v = requant_fast(sum[r * W + w], c);
      // Byte 0 takes the whole word: the higher bytes are replaced or unused.
      packed = r * W + w == 0 ? static_cast<uint32_t>(v) : insert_byte(packed, v, r * W + w);
    }
  }
  packed = clamp_bytes(packed, o.lo4, o.hi4);
  int8_t* const out = o.y + m * o.n + n;
#pragma GCC unroll 2
  for (int r = 0; r < R; ++r) {
    const uint32_t bytes = packed >> (8 * r * W);
    memcpy(out + r * o.n, &bytes, W);  // little-endian: the low W bytes
  }
}

// One R x W tile at rows m.., columns n.. (column: its weights in the
// block; bias: the tile's first bias or nullptr): the sums start from the
// bias (from == nullptr) or from[r * kGroup + w], and are stored
// requantized (to == nullptr) or kept in to[r * kGroup + w] for the next
// chunk of K. `o` is the caller's local copy (int8 stores could alias
// anything else).
template <int R, int W>
inline void multiply_tile(const Output& o, const Output& original, uint32_t m, uint32_t n,
                          const uint32_t* xw, uint32_t quads, const int8_t* column, size_t row,
                          const int32_t* bias, const int32_t* from, int32_t* to) {
  int32_t sum[R * W];
  if (from != nullptr) {
#pragma GCC unroll 4
    for (int i = 0; i < R * W; ++i) sum[i] = from[i / W * kGroup + i % W];
  } else if (bias != nullptr) {
#pragma GCC unroll 4
    for (int i = 0; i < R * W; ++i)
      sum[i] = bias[i / W * o.bias_stride_m + i % W * o.bias_stride_n];
  } else {
#pragma GCC unroll 4
    for (int i = 0; i < R * W; ++i) sum[i] = 0;
  }
  if constexpr (W == 1)
    tile_rx1<R>(xw, quads, column, row, sum);
  else if constexpr (R == 1)
    tile_1x4(xw, quads, column, row, sum);
  else
    tile_2x2(xw, quads, column, row, sum);
  if (to != nullptr) {
#pragma GCC unroll 4
    for (int i = 0; i < R * W; ++i) to[i / W * kGroup + i % W] = sum[i];
  } else if (o.fast) {
    store_fast<R, W>(o, m, n, sum);
  } else {
    store_exact(original, m, n, sum, R, W);
  }
}

// Block columns [n0, n1) (the first at b, in the quads of the widened rows
// xw) of rows [m, m + R): multiply_tile() across them, from[n - n0] and
// to[n - n0] for column n.
template <int R>
void multiply_columns(const Output& original, uint32_t m, const uint32_t* xw, uint32_t quads,
                      const int8_t* b, size_t row, uint32_t n0, uint32_t n1, const int32_t* from,
                      int32_t* to) {
  constexpr uint32_t kWidth = R == 1 ? 4 : 2;
  const Output o = original;
  const int32_t* bias =
      o.bias != nullptr ? o.bias + m * o.bias_stride_m + n0 * o.bias_stride_n : nullptr;
  const size_t bias_step = kWidth * o.bias_stride_n;
  uint32_t n = n0;
  for (; n + kWidth <= n1; n += kWidth, b += 4 * kWidth) {
    multiply_tile<R, kWidth>(o, original, m, n, xw, quads, b, row, bias, from, to);
    if (bias != nullptr) bias += bias_step;
    if (from != nullptr) from += kWidth;
    if (to != nullptr) to += kWidth;
  }
  for (; n < n1; ++n, b += 4) {
    multiply_tile<R, 1>(o, original, m, n, xw, quads, b, row, bias, from, to);
    if (bias != nullptr) bias += o.bias_stride_n;
    if (from != nullptr) ++from;
    if (to != nullptr) ++to;
  }
}

// multiply_columns() in the common case, K in one chunk and the fast
// requantization, with the loop state in locals and pointers.
template <int R>
void multiply_columns_fast(const Output& o, uint32_t m, const uint32_t* xw, uint32_t quads,
                           const int8_t* b, size_t row, uint32_t n0, uint32_t n1) {
  constexpr uint32_t kWidth = R == 1 ? 4 : 2;
  static const int32_t kNoBias = 0;
  const size_t bias_m = o.bias != nullptr ? o.bias_stride_m : 0;
  const size_t bias_n = o.bias != nullptr ? o.bias_stride_n : 0;
  const int32_t* bias = o.bias != nullptr ? o.bias + m * bias_m + n0 * bias_n : &kNoBias;
  const size_t channel = o.channel_step;
  const int32_t* multiplier = o.q->multiplier + n0 * channel;
  const int32_t* shift = o.q->shift + n0 * channel;
  const int32_t twice_zp_plus_one = o.twice_zp_plus_one;
  const uint32_t lo4 = o.lo4, hi4 = o.hi4;
  const size_t out_row = o.n;
  int8_t* out = o.y + m * out_row + n0;
  uint32_t n = n0;
  for (; n + kWidth <= n1; n += kWidth) {
    int32_t sum[R * kWidth];
#pragma GCC unroll 4
    for (uint32_t i = 0; i < R * kWidth; ++i)
      sum[i] = bias[i / kWidth * bias_m + i % kWidth * bias_n];
    if constexpr (R == 1)
      tile_1x4(xw, quads, b, row, sum);
    else
      tile_2x2(xw, quads, b, row, sum);
    int32_t v[R * kWidth];
#pragma GCC unroll 4
    for (uint32_t w = 0; w < kWidth; ++w) {
      const ColumnQuant c =
          channel_quant(multiplier[w * channel], shift[w * channel], twice_zp_plus_one);
#pragma GCC unroll 2
      for (uint32_t r = 0; r < R; ++r) v[r * kWidth + w] = requant_fast(sum[r * kWidth + w], c);
    }
    const uint32_t packed = clamp_bytes(pack4(v), lo4, hi4);
#pragma GCC unroll 2
    for (uint32_t r = 0; r < R; ++r) {
      const uint32_t bytes = packed >> (8 * r * kWidth);
      memcpy(out + r * out_row, &bytes, kWidth);  // little-endian: the low bytes
    }
    b += 4 * kWidth;
    bias += kWidth * bias_n;
    multiplier += kWidth * channel;
    shift += kWidth * channel;
    out += kWidth;
  }
  if (n < n1) multiply_columns<R>(o, m, xw, quads, b, row, n, n1, nullptr, nullptr);
}

// Rows [m, m + R) of y, from the rows at am, lda bytes apart.
template <int R>
void rows(const ref::DenseShape& s, const Output& o, const int8_t* am, size_t lda, const int8_t* b,
          int32_t minus_zp, uint32_t m) {
  // The widened chunk, its sentinel and, for LDM's four-word reads, room
  // past it.
  alignas(8) uint32_t xw[2 * R * (kChunkQuads + 1)];
  const uint32_t quads = (s.k + 3) / 4;
  if (quads <= kChunkQuads) {
    widen<R>(am, lda, s.k, 0, quads, minus_zp, xw);
    simd::for_each_column_block(
        s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
          if (o.fast)
            multiply_columns_fast<R>(o, m, xw, quads, block, row, nb, ne);
          else
            multiply_columns<R>(o, m, xw, quads, block, row, nb, ne, nullptr, nullptr);
        });
    return;
  }
  // Past one chunk of K: the sums of kGroup columns wait in acc.
  int32_t acc[R * kGroup];
  simd::for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t g = nb; g < ne; g += kGroup) {
      const uint32_t end = ne - g < kGroup ? ne : g + kGroup;
      for (uint32_t q0 = 0; q0 < quads; q0 += kChunkQuads) {
        const uint32_t chunk = quads - q0 < kChunkQuads ? quads - q0 : kChunkQuads;
        widen<R>(am, lda, s.k, q0, chunk, minus_zp, xw);
        multiply_columns<R>(o, m, xw, chunk, block + size_t{q0} * row + size_t{g - nb} * 4, row, g,
                            end, q0 == 0 ? nullptr : acc, q0 + chunk == quads ? nullptr : acc);
      }
    }
  });
}

}  // namespace

void dense_s8_dsp(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  // LDRD and LDM need word alignment (the loader aligns tensors to 16 bytes).
  const int32_t minus_zp = minus_zp_pair(q.in_zp);
  const Output o = output_of(s, q, bias, y, fast_requant(q.out));
  uint32_t m = 0;
  for (; m + 2 <= s.m; m += 2) rows<2>(s, o, a + size_t{m} * s.k, s.k, b, minus_zp, m);
  if (m < s.m) rows<1>(s, o, a + size_t{m} * s.k, s.k, b, minus_zp, m);
}

bool conv_s8_dsp(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                 const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t*,
                 int8_t* scratch, int8_t* y) {
  return conv_in_place(s, transposed, q, x, w, bias, scratch, y, rows<1>, rows<2>,
                       fast_requant(q.out));
}

}  // namespace edgeae::cortexm

namespace edgeae::kernels {

extern const KernelSet kArmDsp =
    reference_float_set("arm-dsp", cortexm::dense_s8_dsp, portable::add_s8_tables,
                        cortexm::conv_s8_dsp, cortexm::dense_s16_dsp, cortexm::dense_s16x16_dsp,
                        cortexm::dense_s8_dsp_pairs, cortexm::conv_s8_dsp_pairs);

}  // namespace edgeae::kernels

#endif  // __ARM_FEATURE_DSP
