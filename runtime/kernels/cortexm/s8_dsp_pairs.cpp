// int8 Dense and 1-D Conv for Cortex-M cores with the DSP extension on
// weights in DSP column pairs (format::paired_dense_offset, packing 2; the
// converter's --int8-layout dsp-pairs).
//
// Why a second layout: on quads (s8_dsp.cpp) every weight word needs two
// SXTB16 and two SMLAD for four multiply-accumulates. In a pair word
// [w(c0,k0), v(c1,k0), w(c0,k1), v(c1,k1)] each signed halfword is exactly
// w(c0,k) + 256 w(c1,k) (v carries its partner's borrow), so with the
// activations as halfword pairs x = (a(k0) - zp, a(k1) - zp):
//   SMLAD(x, word)          adds A + 256 B (A, B: columns c0, c1),
//   SMLAD(x, SXTB16(word))  adds A,
// three instructions for four MACs. B = (S - A) / 256 is exact while
// |B| < 2^23: K <= 256 per chunk (256 * 255 * 128 < 2^23); the tiles start
// from zero, and the bias is added as the outputs are stored.
//
// Register tiles, inner loops in assembly, ending on a sentinel after the
// widened quads (as s8_dsp.cpp):
//   1 x 6 (M = 1, one block of 6 columns, the converter's: 24 contiguous
//     bytes per quad): per quad 1 LDRD of the activations, 2 LDM of the six
//     weight words, 18 SMLAD/SXTB16 for 24 MACs, plus CMP + BNE per four
//     quads: 0.90 instructions per MAC.
//   1 x 4 and 1 x 2 (M = 1, other blocks and a block's last pairs): 1.0 and
//     1.25 per MAC with their pointer steps.
//   2 x 2 (two rows, one pair): per quad 1 LDM of both rows' activations,
//     1 LDRD of the pair's two words, 1 pointer step, 10 SMLAD/SXTB16 for
//     16 MACs, plus CMP + BNE per two quads: 0.84 per MAC.
// A block's unpaired last column runs a C loop. One driver serves one and
// two rows (a copy per row count cost 2 KB of flash). K in one chunk (up to
// 256) takes each group's dot products straight to the output stage;
// longer K adds its chunks' sums first.
#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/cortexm/s8_dsp_common.hpp"

#if defined(__ARM_FEATURE_DSP)

namespace edgeae::cortexm {
namespace {

using namespace dsp;

constexpr uint32_t kChunkQuads = 64;  // K <= 256 per chunk: B exact
// The converter's column blocks for this layout (repack_int8_dsp_pairs):
// panels of three pairs, each one contiguous stream for the 1 x 6 tile.
constexpr uint32_t kPanel = 6;
constexpr uint32_t kGroup = 32;               // columns whose sums wait between chunks (even)
constexpr uint32_t kPanelGroup = 5 * kPanel;  // a group of whole panels

// Quads [q0, q0 + count) of nr rows (1 or 2) of a (k values each, lda bytes
// apart) into xw: per quad the rows' (a0 - zp, a1 - zp) and (a2 - zp,
// a3 - zp) halfword pairs, row after row; then kSentinel. Reads no byte
// past a row's k.
void widen_pairs(uint32_t nr, const int8_t* a, size_t lda, uint32_t k, uint32_t q0, uint32_t count,
                 int32_t minus_zp, uint32_t* xw) {
  const uint32_t full = k / 4 > q0 ? (k / 4 - q0 < count ? k / 4 - q0 : count) : 0;
  const auto put = [&](uint32_t x, uint32_t* out) {
    const uint32_t e = even_plus(minus_zp, x), o = odd_plus(minus_zp, x);
    out[0] = bottoms(e, o);
    out[1] = tops(e, o);
  };
  for (uint32_t r = 0; r < nr; ++r) {
    const int8_t* p = a + size_t{r} * lda + size_t{q0} * 4;
    uint32_t* out = xw + 2 * r;
    for (uint32_t i = 0; i < full; ++i, p += 4, out += 2 * nr) put(load_quad(p), out);
    if (full < count) put(load_partial_quad(p, k % 4), out);  // the row's last, partial quad
  }
  xw[2 * nr * count] = kSentinel;
}

// One pair word w against the activation pair x: s += x . w (A + 256 B),
// then w = SXTB16(w) and a += x . w (A).
#define EDGEAE_PAIR(s, a, x, w)   \
  "smlad " s ", " x ", " w ", " s \
  "\n\t"                          \
  "sxtb16 " w ", " w              \
  "\n\t"                          \
  "smlad " a ", " x ", " w ", " a "\n\t"

// A pair's sums from its raw S and even A: A for column c0 (sum[0]),
// B = (S - A) / 256 for c1 (sum[1]).
inline void put_pair(int32_t raw, int32_t even, int32_t* sum) {
  sum[0] = even;
  sum[1] = static_cast<int32_t>(static_cast<uint32_t>(raw) - static_cast<uint32_t>(even)) >>
           8;  // |B| < 2^23: exact
}

// sum[0..5] = one panel's dot products (kPanel columns: 24 contiguous
// bytes per quad) with `quads` quads of one widened row.
__attribute__((noinline)) void tile_1x6(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        int32_t* sum) {
  int32_t s0 = 0, a0 = 0, s1 = 0, a1 = 0, s2 = 0, a2 = 0;
  // LDM fills registers in ascending order: pin the three weight words.
  register uint32_t w0 __asm__("r0") = quads;  // the count, read before the first LDM
  register uint32_t w1 __asm__("r1");
  register uint32_t w2 __asm__("r2");
  uint32_t x0, x1;
#define EDGEAE_QUAD_1X6                                                                           \
  "ldm %[b]!, {r0, r1, r2}\n\t" EDGEAE_PAIR("%[s0]", "%[a0]", "%[x0]", "r0")                      \
      EDGEAE_PAIR("%[s0]", "%[a0]", "%[x1]", "r1")                                                \
          EDGEAE_PAIR("%[s1]", "%[a1]", "%[x0]", "r2") "ldm %[b]!, {r0, r1, r2}\n\t" EDGEAE_PAIR( \
              "%[s1]", "%[a1]", "%[x1]", "r0") EDGEAE_PAIR("%[s2]", "%[a2]", "%[x0]", "r1")       \
              EDGEAE_PAIR("%[s2]", "%[a2]", "%[x1]", "r2") "ldrd %[x0], %[x1], [%[x]], #8\n\t"
  // Four quads per iteration (the loop's CMP + BNE per 96 MACs), the next
  // quad's activations loaded ahead; a count of 4i + j enters at quad 4 - j.
  __asm__ volatile(
      "ldrd %[x0], %[x1], [%[x]], #8\n\t"
      "lsls r0, r0, #31\n\t"  // count bit 0 to N (here Z), bit 1 to C
      "beq 3f\n\t"            // even
      "bcs 2f\n\t"            // 4i + 3
      "b 4f\n\t"              // 4i + 1
      "3:\n\t"
      "bcs 3f\n\t"  // 4i + 2
      "1:\n\t" EDGEAE_QUAD_1X6 "2:\n\t" EDGEAE_QUAD_1X6 "3:\n\t" EDGEAE_QUAD_1X6
      "4:\n\t" EDGEAE_QUAD_1X6
      "cmp %[x0], #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [a0] "+&r"(a0), [s1] "+&r"(s1), [a1] "+&r"(a1),
        [s2] "+&r"(s2), [a2] "+&r"(a2), [x0] "=&r"(x0), [x1] "=&r"(x1), "+&r"(w0), "=&r"(w1),
        "=&r"(w2)
      :
      : "cc", "memory");
#undef EDGEAE_QUAD_1X6
  put_pair(s0, a0, sum);
  put_pair(s1, a1, sum + 2);
  put_pair(s2, a2, sum + 4);
}

// The same for two pairs (sum[0..3]; `step`: the block's quad row minus the
// 16 bytes read): per quad 1 LDRD, 1 LDM, 12 SMLAD/SXTB16, 1 pointer step
// for 16 MACs, plus the loop: 1.0 instructions per MAC.
__attribute__((noinline)) void tile_1x4(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t step, int32_t* sum) {
  int32_t s0 = 0, a0 = 0, s1 = 0, a1 = 0;
  register uint32_t w0 __asm__("r0") = quads;  // the count, read before the first LDM
  register uint32_t w1 __asm__("r1");
  register uint32_t w2 __asm__("r2");
  register uint32_t w3 __asm__("r3");
  uint32_t x0, x1;
#define EDGEAE_QUAD_1X4 \
  "ldm %[b]!, {r0, r1, r2, r3}\n\t" EDGEAE_PAIR("%[s0]", "%[a0]", "%[x0]", "r0") \
      EDGEAE_PAIR("%[s0]", "%[a0]", "%[x1]", "r1")                           \
          EDGEAE_PAIR("%[s1]", "%[a1]", "%[x0]", "r2")                       \
              EDGEAE_PAIR("%[s1]", "%[a1]", "%[x1]", "r3")                   \
  "add %[b], %[b], %[step]\n\t"                                              \
  "ldrd %[x0], %[x1], [%[x]], #8\n\t"
  __asm__ volatile(
      "ldrd %[x0], %[x1], [%[x]], #8\n\t"
      "tst r0, #1\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_QUAD_1X4 "2:\n\t" EDGEAE_QUAD_1X4
      "cmp %[x0], #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [a0] "+&r"(a0), [s1] "+&r"(s1), [a1] "+&r"(a1),
        [x0] "=&r"(x0), [x1] "=&r"(x1), "+&r"(w0), "=&r"(w1), "=&r"(w2), "=&r"(w3)
      : [step] "r"(step)
      : "cc", "memory");
#undef EDGEAE_QUAD_1X4
  put_pair(s0, a0, sum);
  put_pair(s1, a1, sum + 2);
}

// sum[0..1] (row 0) and sum[kGroup..kGroup + 1] (row 1) = one pair's dot
// products with `quads` quads of two widened rows (interleaved per quad).
__attribute__((noinline)) void tile_2x2(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* sum) {
  int32_t s0 = 0, a0 = 0, s1 = 0, a1 = 0;
  // LDM fills registers in ascending order: pin the four activation words.
  register uint32_t x00 __asm__("r0");
  register uint32_t x01 __asm__("r1");
  register uint32_t x10 __asm__("r2");
  register uint32_t x11 __asm__("r3");
  uint32_t w0, w1, t = quads;
#define EDGEAE_QUAD_2X2               \
  "ldrd %[w0], %[w1], [%[b]]\n\t"     \
  "add %[b], %[b], %[row]\n\t"        \
  "smlad %[s0], r0, %[w0], %[s0]\n\t" \
  "smlad %[s1], r2, %[w0], %[s1]\n\t" \
  "sxtb16 %[w0], %[w0]\n\t"           \
  "smlad %[a0], r0, %[w0], %[a0]\n\t" \
  "smlad %[a1], r2, %[w0], %[a1]\n\t" \
  "smlad %[s0], r1, %[w1], %[s0]\n\t" \
  "smlad %[s1], r3, %[w1], %[s1]\n\t" \
  "sxtb16 %[w1], %[w1]\n\t"           \
  "smlad %[a0], r1, %[w1], %[a0]\n\t" \
  "smlad %[a1], r3, %[w1], %[a1]\n\t" \
  "ldm %[x]!, {r0, r1, r2, r3}\n\t"
  __asm__ volatile(
      "ldm %[x]!, {r0, r1, r2, r3}\n\t"
      "tst %[t], #1\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_QUAD_2X2 "2:\n\t" EDGEAE_QUAD_2X2
      "cmp r0, #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [a0] "+&r"(a0), [s1] "+&r"(s1), [a1] "+&r"(a1),
        "=&r"(x00), "=&r"(x01), "=&r"(x10), "=&r"(x11), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "+&r"(t)
      : [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_QUAD_2X2
  put_pair(s0, a0, sum);
  put_pair(s1, a1, sum + kGroup);
}

// The same for one pair (sum[0..1]): per quad 1 LDRD of the activations, 1
// LDRD of the pair's words, 1 pointer step, 6 SMLAD/SXTB16 for 8 MACs, plus
// the loop: 1.25 instructions per MAC (a block's last pair at M = 1).
__attribute__((noinline)) void tile_1x2(const uint32_t* xw, uint32_t quads, const int8_t* b,
                                        size_t row, int32_t* sum) {
  int32_t s0 = 0, a0 = 0;
  uint32_t x0, x1, w0, w1, t = quads;
#define EDGEAE_QUAD_1X2                                                        \
  "ldrd %[w0], %[w1], [%[b]]\n\t"                                              \
  "add %[b], %[b], %[row]\n\t" EDGEAE_PAIR("%[s0]", "%[a0]", "%[x0]", "%[w0]") \
      EDGEAE_PAIR("%[s0]", "%[a0]", "%[x1]", "%[w1]") "ldrd %[x0], %[x1], [%[x]], #8\n\t"
  __asm__ volatile(
      "ldrd %[x0], %[x1], [%[x]], #8\n\t"
      "tst %[t], #1\n\t"
      "bne 2f\n\t"
      "1:\n\t" EDGEAE_QUAD_1X2 "2:\n\t" EDGEAE_QUAD_1X2
      "cmp %[x0], #0x01000100\n\t"  // kSentinel
      "bne 1b"
      : [x] "+&r"(xw), [b] "+&r"(b), [s0] "+&r"(s0), [a0] "+&r"(a0), [x0] "=&r"(x0), [x1] "=&r"(x1),
        [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "+&r"(t)
      : [row] "r"(row)
      : "cc", "memory");
#undef EDGEAE_QUAD_1X2
#undef EDGEAE_PAIR
  put_pair(s0, a0, sum);
}

// A block's unpaired last column (a plain quad) and nr widened rows:
// sum[r * kGroup] = its dot products.
void tile_rx1(uint32_t nr, const uint32_t* xw, uint32_t quads, const int8_t* b, size_t row,
              int32_t* sum) {
  for (uint32_t r = 0; r < nr; ++r) {
    const uint32_t* x = xw + 2 * r;
    const int8_t* w = b;
    int32_t dot = 0;
    for (uint32_t i = 0; i < quads; ++i, x += 2 * nr, w += row) {
      const uint32_t quad = load_quad(w);
      // (a0, a1), (a2, a3) -> (a0, a2), (a1, a3), SXTB16's order.
      dot = smlad(tops(x[0], x[1]), odd(quad), smlad(bottoms(x[0], x[1]), even(quad), dot));
    }
    sum[r * kGroup] = dot;
  }
}

// Where a column's weights are: B's column blocks of `block` (format::
// paired_dense_offset), K padded to kp.
struct Columns {
  const int8_t* b;
  uint32_t n, block;
  size_t kp;
};

// Columns [g, g + count) of a group: their dot products over the chunk
// [q0, q0 + quads) of nr widened rows in sum[r * kGroup + (c - g)]. Block by
// block, the widest tile each position allows: one row, a whole panel
// (1 x 6), two pairs (1 x 4) or a pair (1 x 2); two rows, a pair (2 x 2); a
// block's unpaired last column in C.
void multiply_group(uint32_t nr, const uint32_t* xw, uint32_t quads, uint32_t q0,
                    const Columns& cols, uint32_t g, uint32_t count, int32_t* sum) {
  const uint32_t end = g + count;
  for (uint32_t nb = g / cols.block * cols.block; nb < end; nb += cols.block) {
    const uint32_t width = cols.n - nb < cols.block ? cols.n - nb : cols.block;
    const size_t row = 4 * width;
    const int8_t* b = cols.b + nb * cols.kp + q0 * row;
    // Whole pairs of this block inside the group: [c, paired_end).
    uint32_t c = nb > g ? nb : g;
    const uint32_t block_end = nb + width < end ? nb + width : end;
    const uint32_t paired_end = nb + (width & ~1u) < block_end ? nb + (width & ~1u) : block_end;
    if (nr == 2) {
      for (; c < paired_end; c += 2) tile_2x2(xw, quads, b + (c - nb) * 4, row, sum + (c - g));
    } else {
      if (row == 4 * kPanel && paired_end - c == kPanel) {
        tile_1x6(xw, quads, b, sum + (c - g));
        c += kPanel;
      }
      for (; c + 4 <= paired_end; c += 4)
        tile_1x4(xw, quads, b + (c - nb) * 4, row - 16, sum + (c - g));
      if (c < paired_end) {
        tile_1x2(xw, quads, b + (c - nb) * 4, row, sum + (c - g));
        c += 2;
      }
    }
    if (c < block_end) tile_rx1(nr, xw, quads, b + (c - nb) * 4, row, sum + (c - g));
  }
}

// quant::requantize_fast to int8, out of line: the rare outputs whose
// channel's parameters are outside requant_fast's range.
__attribute__((noinline)) int32_t requantize_slow(int32_t sum, int32_t multiplier, int32_t shift,
                                                  int32_t zp) {
  return quant::requantize_fast(sum, multiplier, shift, zp, -128, 127);
}

// One output's requantization before the activation clamp: requant_fast
// where its channel's parameters allow (not slow_channel: the quantizer's always
// do; tested here per output, about 4 instructions, rather than over every
// channel per call), else requantize_slow.
__attribute__((always_inline)) inline int32_t requantize(int32_t sum, int32_t multiplier,
                                                         int32_t shift, int32_t twice_zp_plus_one,
                                                         int32_t zp) {
  if (__builtin_expect(slow_channel(multiplier, shift), 0))
    return requantize_slow(sum, multiplier, shift, zp);
  return requant_fast(sum, channel_quant(multiplier, shift, twice_zp_plus_one));
}

// Rows [m, m + nr) and columns [n, n + count) of y from their dot products
// (sum[r * kGroup + j]) plus the bias, row by row: four outputs clamped as
// packed bytes and stored as a word.
__attribute__((noinline)) void store_group(uint32_t nr, const Output& o, uint32_t m, uint32_t n,
                                           uint32_t count, const int32_t* sum) {
  static const int32_t kNoBias = 0;
  const size_t bias_step = o.bias != nullptr ? o.bias_stride_n : 0;
  const size_t step = o.channel_step;
  const int32_t twice_zp_plus_one = o.twice_zp_plus_one, zp = o.q->out_zp;
  const uint32_t lo4 = o.lo4, hi4 = o.hi4;
  for (uint32_t r = 0; r < nr; ++r, sum += kGroup) {
    const int32_t* bias =
        o.bias != nullptr ? o.bias + (m + r) * o.bias_stride_m + n * bias_step : &kNoBias;
    const int32_t* multiplier = o.q->multiplier + n * step;
    const int32_t* shift = o.q->shift + n * step;
    int8_t* out = o.y + (m + r) * o.n + n;
    uint32_t j = 0;
    for (; j + 4 <= count; j += 4) {
      int32_t v[4];
#pragma GCC unroll 4
      for (int w = 0; w < 4; ++w, multiplier += step, shift += step, bias += bias_step)
        v[w] = requantize(sum[j + w] + *bias, *multiplier, *shift, twice_zp_plus_one, zp);
      const uint32_t bytes = clamp_bytes(pack4(v), lo4, hi4);
      memcpy(out + j, &bytes, 4);  // STR: Armv7-M stores words at any alignment
    }
    for (; j < count; ++j, multiplier += step, shift += step, bias += bias_step) {
      const int32_t v = requantize(sum[j] + *bias, *multiplier, *shift, twice_zp_plus_one, zp);
      out[j] = static_cast<int8_t>(clamp_bytes(static_cast<uint32_t>(v), lo4, hi4));
    }
  }
}

// Rows [m, m + nr) of y (nr 1 or 2), from the rows at am, lda bytes apart.
// Columns go in groups whose sums wait between chunks of K: five whole
// panels, or (other blocks) up to kGroup columns of one block, which end on
// a pair.
void rows(uint32_t nr, const ref::DenseShape& s, const Output& original, const int8_t* am,
          size_t lda, const int8_t* b, int32_t minus_zp, uint32_t m) {
  const Output o = original;  // a local copy: int8 stores could alias anything else
  // The widened chunk, its sentinel and room for the tiles' last loads past it.
  alignas(8) uint32_t xw[2 * 2 * kChunkQuads + 4];
  const uint32_t quads = (s.k + 3) / 4;
  const bool one_chunk = quads <= kChunkQuads;
  if (one_chunk) widen_pairs(nr, am, lda, s.k, 0, quads, minus_zp, xw);
  const Columns cols{b, s.n, s.b_block != 0 ? s.b_block : s.n, size_t{quads} * 4};
  for (uint32_t g = 0, count = 0; g < s.n; g += count) {
    const uint32_t block_end = g / cols.block * cols.block + cols.block;
    const uint32_t end = cols.block == kPanel     ? g + kPanelGroup
                         : block_end < g + kGroup ? block_end
                                                  : g + kGroup;
    count = (end < s.n ? end : s.n) - g;
    // The first chunk's dot products, then the others' added (K > 256).
    int32_t sum[2 * kGroup], part[2 * kGroup];
    for (uint32_t q0 = 0; q0 < quads; q0 += kChunkQuads) {
      const uint32_t chunk = quads - q0 < kChunkQuads ? quads - q0 : kChunkQuads;
      if (!one_chunk) widen_pairs(nr, am, lda, s.k, q0, chunk, minus_zp, xw);
      multiply_group(nr, xw, chunk, q0, cols, g, count, q0 == 0 ? sum : part);
      if (q0 != 0)
        for (uint32_t r = 0; r < nr; ++r)
          for (uint32_t j = 0; j < count; ++j) sum[r * kGroup + j] += part[r * kGroup + j];
    }
    store_group(nr, o, m, g, count, sum);
  }
}

void one_row(const ref::DenseShape& s, const Output& o, const int8_t* a, size_t lda,
             const int8_t* b, int32_t minus_zp, uint32_t m) {
  rows(1, s, o, a, lda, b, minus_zp, m);
}
void two_rows(const ref::DenseShape& s, const Output& o, const int8_t* a, size_t lda,
              const int8_t* b, int32_t minus_zp, uint32_t m) {
  rows(2, s, o, a, lda, b, minus_zp, m);
}

}  // namespace

void dense_s8_dsp_pairs(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                        const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  // LDRD and LDM need word alignment (the loader aligns tensors to 16 bytes).
  const int32_t minus_zp = minus_zp_pair(q.in_zp);
  const Output o = output_of(s, q, bias, y, false);  // store_group tests each output
  uint32_t m = 0;
  for (; m < s.m; m += 2)
    rows(s.m - m >= 2 ? 2 : 1, s, o, a + size_t{m} * s.k, s.k, b, minus_zp, m);
}

bool conv_s8_dsp_pairs(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                       const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t*,
                       int8_t* scratch, int8_t* y) {
  return conv_in_place(s, transposed, q, x, w, bias, scratch, y, one_row, two_rows, false);
}

}  // namespace edgeae::cortexm

#endif  // __ARM_FEATURE_DSP
