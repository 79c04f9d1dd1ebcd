// int8 Dense for Cortex-M cores with Helium (integer MVE, __ARM_FEATURE_MVE:
// M55, M85), on quad-packed weights (ref::dense_s8_packed): the "arm-mve"
// kernel set, chosen at compile time (kernel_sets.cpp).
//
// MVE has no per-lane dot product (NEON's sdot), but VMLADAVA sums all 16
// int8 products of two vectors into a scalar int32: the dot product of 16
// consecutive k of one activation row and one weight column. In the packed
// layout a column's 16 k are four quads, one per quad row (`row` bytes
// apart); one word gather (VLDRW with a vector of the four quad rows'
// addresses and the column's byte offset as immediate) brings them into one
// vector, in k order. Per 16 k of an R x C tile: R activation loads, one
// address step, C gathers and R * C VMLADAVAs (2 x 4: 17 instructions for
// 128 MACs, loop included).
//
// VMLADAVA multiplies the raw int8 activations; the zero point comes back
// through the column sums: sum (a - zp) w = sum a w - zp sum w, exact mod
// 2^32, and the loader proved the true sum fits in int32. The tail of K
// (K % 16) is one more step with predicated loads: activations past K read
// as zero, gathers stop at the last quad row.
//
// The epilogue requantizes four outputs per vector, bit-exact with
// quant::requantize: VQSHL (the saturated left shift), VQRDMULH (gemmlowp's
// saturating rounding doubling high multiply is exactly it), and gemmlowp's
// rounding divide (ties away from zero) as VRSHL (ties up) of x - 1 for a
// negative x and a right shift.
//
// Gathers need word-aligned addresses: the weights are blob constants,
// 16-byte aligned (KernelSet::dense_s8). Calls without column sums take the
// arm-dsp kernel.
#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/simd/s8_dense.hpp"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>

namespace edgeae::cortexm {
namespace {

// Columns per pass: tiles write their sums into a buffer of this width, the
// output stage reads them four at a time.
constexpr uint32_t kChunk = 48;

// The per-call constants of the output stage.
struct Requant {
  const ref::DenseShape& s;
  const ref::LayerQuant& q;
  const int32_t* bias;
  const int32_t* column_sums;
  int32_t minus_zp;
  int32_t low, high;  // the clamp bounds minus the output zero point
};

// y[n] = requant(bias[n] + sums[n] - zp * column_sums[n]) for `width`
// columns of one row (all pointers at the first column; bias contiguous,
// read only when kBias), four per vector in a tail-predicated loop
// (DLSTP/LETP: no predicate set-up per vector; lanes past `width` neither
// load nor store). kPerChannel: multiplier and shift per column. In
// assembly: gcc 12 sets up a VCTP, a VPST and the address arithmetic for
// every predicated load, about twice this loop's 15 to 19 instructions.
template <bool kPerChannel, bool kBias>
__attribute__((noinline)) void requantize_row(const Requant& r, const int32_t* sums,
                                              const int32_t* bias, const int32_t* column_sums,
                                              const int32_t* multiplier, const int32_t* shift,
                                              uint32_t width, int8_t* y) {
  const int32x4_t zero = vdupq_n_s32(0), low = vdupq_n_s32(r.low), high = vdupq_n_s32(r.high);
  // Per-tensor: the multiplier and both shifts once (unused per channel).
  const int32x4_t mult = vdupq_n_s32(multiplier[0]);
  const int32x4_t left = vmaxq_s32(vdupq_n_s32(shift[0]), zero);
  int32x4_t acc, t, right = vminq_s32(vdupq_n_s32(shift[0]), zero);  // <= 0: a rounding right shift
  __asm__ volatile(
      "dlstp.32 lr, %[n]\n"
      "1:\n\t"
      "vldrw.u32 %q[acc], [%[sums]], #16\n\t"
      ".if %c[has_bias]\n\t"
      "vldrw.u32 %q[t], [%[bias]], #16\n\t"
      "vadd.i32 %q[acc], %q[acc], %q[t]\n\t"
      ".endif\n\t"
      "vldrw.u32 %q[t], [%[cs]], #16\n\t"
      "vmla.s32 %q[acc], %q[t], %[minus_zp]\n\t"
      ".if %c[per_channel]\n\t"
      "vldrw.u32 %q[t], [%[shift]], #16\n\t"
      "vmin.s32 %q[right], %q[t], %q[zero]\n\t"
      "vmax.s32 %q[t], %q[t], %q[zero]\n\t"
      "vqshl.s32 %q[acc], %q[acc], %q[t]\n\t"
      "vldrw.u32 %q[t], [%[mult]], #16\n\t"
      "vqrdmulh.s32 %q[acc], %q[acc], %q[t]\n\t"
      ".else\n\t"
      "vqshl.s32 %q[acc], %q[acc], %q[left]\n\t"
      "vqrdmulh.s32 %q[acc], %q[acc], %q[mult_v]\n\t"
      ".endif\n\t"
      // -1 where acc < 0 and a right shift follows (right's sign bit set).
      "vand %q[t], %q[acc], %q[right]\n\t"
      "vshr.s32 %q[t], %q[t], #31\n\t"
      "vqadd.s32 %q[acc], %q[acc], %q[t]\n\t"
      "vrshl.s32 %q[acc], %q[acc], %q[right]\n\t"
      "vmax.s32 %q[acc], %q[acc], %q[low]\n\t"
      "vmin.s32 %q[acc], %q[acc], %q[high]\n\t"
      "vadd.i32 %q[acc], %q[acc], %[out_zp]\n\t"
      "vstrb.32 %q[acc], [%[y]], #4\n\t"
      "letp lr, 1b"
      : [acc] "=&w"(acc), [t] "=&w"(t), [right] "+&w"(right), [sums] "+&r"(sums),
        [bias] "+&r"(bias), [cs] "+&r"(column_sums), [mult] "+&r"(multiplier), [shift] "+&r"(shift),
        [y] "+&r"(y)
      : [n] "r"(width), [minus_zp] "r"(r.minus_zp), [out_zp] "r"(r.q.out.out_zp), [zero] "w"(zero),
        [low] "w"(low), [high] "w"(high), [left] "w"(left), [mult_v] "w"(mult),
        [has_bias] "i"(kBias), [per_channel] "i"(kPerChannel)
      : "lr", "memory");
}

// Requantizes R rows of kChunk sums (acc) for the columns n0 .. n0 + width
// of rows m .. m + R.
template <int R>
inline void store_rows(const Requant& r, uint32_t m, uint32_t n0, uint32_t width,
                       const int32_t* acc, int8_t* y) {
  const ref::DenseShape& s = r.s;
  const ref::RequantParams& o = r.q.out;
  const bool per_channel = o.count > 1;
  const int32_t* multiplier = o.multiplier + (per_channel ? n0 : 0);
  const int32_t* shift = o.shift + (per_channel ? n0 : 0);
  for (int i = 0; i < R; ++i) {
    const int32_t* bias = nullptr;
    int32_t lanes[kChunk];
    if (r.bias != nullptr) {
      bias = r.bias + size_t{m + i} * s.bias_stride_m + size_t{n0} * s.bias_stride_n;
      if (s.bias_stride_n != 1) {  // a broadcast or strided bias: made contiguous
        for (uint32_t j = 0; j < width; ++j) lanes[j] = bias[size_t{j} * s.bias_stride_n];
        bias = lanes;
      }
    }
    int8_t* yr = y + size_t{m + i} * s.n + n0;
    const int32_t* sums = acc + i * kChunk;
    const int32_t* cs = r.column_sums + n0;
    if (per_channel) {
      if (bias != nullptr)
        requantize_row<true, true>(r, sums, bias, cs, multiplier, shift, width, yr);
      else
        requantize_row<true, false>(r, sums, bias, cs, multiplier, shift, width, yr);
    } else if (bias != nullptr) {
      requantize_row<false, true>(r, sums, bias, cs, multiplier, shift, width, yr);
    } else {
      requantize_row<false, false>(r, sums, bias, cs, multiplier, shift, width, yr);
    }
  }
}

// The R x C tiles: acc[r][c] = sum over k of a[r][k] * B[k][c] for R rows of
// a (lda apart) and C columns of a column block, b at the tile's first
// column, quad_rows = (0, 1, 2, 3) * row. gather_columns takes one step of
// 16 k (av: the rows' activations, addr: the four quad rows' addresses of
// the tile's first column); a column's offset is the gather's immediate.
template <int R, int C, int c = 0>
inline void gather_columns(const int8x16_t (&av)[R], uint32x4_t addr, int32_t (&acc)[R][C]) {
  if constexpr (c < C) {
    const int8x16_t w = vreinterpretq_s8_s32(vldrwq_gather_base_s32(addr, 4 * c));
    for (int r = 0; r < R; ++r) acc[r][c] = vmladavaq_s8(acc[r][c], av[r], w);
    gather_columns<R, C, c + 1>(av, addr, acc);
  }
}

template <int R, int C, int c = 0>
inline void gather_columns_z(const int8x16_t (&av)[R], uint32x4_t addr, mve_pred16_t pw,
                             int32_t (&acc)[R][C]) {
  if constexpr (c < C) {
    const int8x16_t w = vreinterpretq_s8_s32(vldrwq_gather_base_z_s32(addr, 4 * c, pw));
    for (int r = 0; r < R; ++r) acc[r][c] = vmladavaq_s8(acc[r][c], av[r], w);
    gather_columns_z<R, C, c + 1>(av, addr, pw, acc);
  }
}

// `steps` (> 0) steps of 16 k; ar and addr advance past them.
template <int R, int C>
struct FullSteps {
  static inline void run(const int8_t* (&ar)[R], uint32x4_t& addr, uint32_t step, uint32_t steps,
                         int32_t (&sums)[R][C]) {
    do {
      int8x16_t av[R];
      for (int r = 0; r < R; ++r) {
        av[r] = vldrbq_s8(ar[r]);
        ar[r] += 16;
      }
      gather_columns<R, C>(av, addr, sums);
      addr = vaddq_n_u32(addr, step);
    } while (--steps != 0);
  }
};

// One row by six columns, the batch-1 Dense tile, written in assembly: gcc 12
// stores the six sums to the stack on every step. VMLADAVA wants an even
// register ("Te"); the loop is a low-overhead loop (DLS/LE on lr). 16
// instructions per 96 MACs.
template <>
struct FullSteps<1, 6> {
  static inline void run(const int8_t* (&ar)[1], uint32x4_t& addr, uint32_t step, uint32_t steps,
                         int32_t (&sums)[1][6]) {
    int32_t s0 = sums[0][0], s1 = sums[0][1], s2 = sums[0][2], s3 = sums[0][3], s4 = sums[0][4],
            s5 = sums[0][5];
    int8x16_t av, w0, w1;
    __asm__ volatile(
        "dls lr, %[n]\n"
        "1:\n\t"
        "vldrb.8 %q[av], [%[a]], #16\n\t"
        "vldrw.u32 %q[w0], [%q[addr], #0]\n\t"
        "vldrw.u32 %q[w1], [%q[addr], #4]\n\t"
        "vmladava.s8 %[s0], %q[av], %q[w0]\n\t"
        "vldrw.u32 %q[w0], [%q[addr], #8]\n\t"
        "vmladava.s8 %[s1], %q[av], %q[w1]\n\t"
        "vldrw.u32 %q[w1], [%q[addr], #12]\n\t"
        "vmladava.s8 %[s2], %q[av], %q[w0]\n\t"
        "vldrw.u32 %q[w0], [%q[addr], #16]\n\t"
        "vmladava.s8 %[s3], %q[av], %q[w1]\n\t"
        "vldrw.u32 %q[w1], [%q[addr], #20]\n\t"
        "vmladava.s8 %[s4], %q[av], %q[w0]\n\t"
        "vadd.i32 %q[addr], %q[addr], %[step]\n\t"
        "vmladava.s8 %[s5], %q[av], %q[w1]\n\t"
        "le lr, 1b"
        : [a] "+&r"(ar[0]), [addr] "+&w"(addr), [s0] "+&Te"(s0), [s1] "+&Te"(s1), [s2] "+&Te"(s2),
          [s3] "+&Te"(s3), [s4] "+&Te"(s4), [s5] "+&Te"(s5), [av] "=&w"(av), [w0] "=&w"(w0),
          [w1] "=&w"(w1)
        : [n] "r"(steps), [step] "r"(step)
        : "lr", "memory");
    sums[0][0] = s0;
    sums[0][1] = s1;
    sums[0][2] = s2;
    sums[0][3] = s3;
    sums[0][4] = s4;
    sums[0][5] = s5;
  }
};

template <int R, int C>
__attribute__((noinline)) void dot_tile(const int8_t* a, size_t lda, const int8_t* b,
                                        uint32x4_t quad_rows, size_t row, uint32_t k,
                                        int32_t* acc) {
  // Local sums (acc may alias the activations for gcc: it keeps these in
  // registers only).
  int32_t sums[R][C];
  const int8_t* ar[R];
  for (int r = 0; r < R; ++r) {
    ar[r] = a + r * lda;
    for (int c = 0; c < C; ++c) sums[r][c] = 0;
  }
  uint32x4_t addr = vaddq_n_u32(quad_rows, reinterpret_cast<uintptr_t>(b));
  const auto step = static_cast<uint32_t>(4 * row);
  if (const uint32_t steps = k / 16; steps != 0) FullSteps<R, C>::run(ar, addr, step, steps, sums);
  if (const uint32_t rest = k % 16; rest != 0) {
    const mve_pred16_t pa = vctp8q(rest), pw = vctp32q((rest + 3) / 4);
    int8x16_t av[R];
    for (int r = 0; r < R; ++r) av[r] = vldrbq_z_s8(ar[r], pa);
    gather_columns_z<R, C>(av, addr, pw, sums);
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r * kChunk + c] = sums[r][c];
}

// Short rows (K <= 16 * S, S <= 4 for one row, 3 for two): the rows'
// activations stay in registers while one loop walks `width` columns (acc:
// R rows of kChunk sums), so there is no set-up per group of columns. One
// offset vector (the column's four quad rows) serves every step, each step
// with its own base address; only the last step's gather is predicated
// (when K is not a whole number of steps). Per column: S gathers, R * S
// VMLADAV(A)s, one offset step, R stores and the loop (R = 2, S = 3: 13
// instructions for 96 MACs). In assembly: gcc 12 keeps arrays of vectors on
// the stack; the assembler's .if picks the instructions of R, S and tail.
#define EDGEAE_MVE_STEP(st, w, b, a0, a1) \
  ".if " #st                              \
  " < %c[steps]\n\t"                      \
  ".if %c[tail] && " #st                  \
  " == %c[steps] - 1\n\t"                 \
  "vpst\n\t"                              \
  "vldrwt.u32 %q[" w "], [%[" b           \
  "], %q[offs]]\n\t"                      \
  ".else\n\t"                             \
  "vldrw.u32 %q[" w "], [%[" b            \
  "], %q[offs]]\n\t"                      \
  ".endif\n\t"                            \
  ".if " #st                              \
  " == 0\n\t"                             \
  "vmladav.s8 %[s0], %q[" a0 "], %q[" w   \
  "]\n\t"                                 \
  ".if %c[rows] == 2\n\t"                 \
  "vmladav.s8 %[s1], %q[" a1 "], %q[" w   \
  "]\n\t"                                 \
  ".endif\n\t"                            \
  ".else\n\t"                             \
  "vmladava.s8 %[s0], %q[" a0 "], %q[" w  \
  "]\n\t"                                 \
  ".if %c[rows] == 2\n\t"                 \
  "vmladava.s8 %[s1], %q[" a1 "], %q[" w  \
  "]\n\t"                                 \
  ".endif\n\t"                            \
  ".endif\n\t"                            \
  ".endif\n\t"

// The activations of step `st` of one row (`p`: the row) into register `a`;
// the last step's load predicated by the VCTP.8 of its byte count (zero
// past K).
#define EDGEAE_MVE_LOAD(st, a, p)            \
  ".if " #st                                 \
  " < %c[steps]\n\t"                         \
  ".if " #st                                 \
  " == %c[steps] - 1\n\t"                    \
  "vpst\n\t"                                 \
  "vldrbt.u8 %q[" a "], [%[" p "], #16*" #st \
  "]\n\t"                                    \
  ".else\n\t"                                \
  "vldrb.u8 %q[" a "], [%[" p "], #16*" #st  \
  "]\n\t"                                    \
  ".endif\n\t"                               \
  ".endif\n\t"

template <int R, int S, bool kTail>
__attribute__((noinline)) void resident_rows(const int8_t* a, size_t lda, const int8_t* b,
                                             uint32x4_t quad_rows, size_t row, uint32_t k,
                                             uint32_t width, int32_t* acc) {
  static_assert((R == 1 && S <= 4) || (R == 2 && S <= 3), "eight vector registers");
  const int8_t* base[4];
  for (int st = 0; st < 4; ++st) base[st] = b + 4 * row * (st < S ? st : 0);
  const mve_pred16_t last = vctp32q((k + 3) / 4 - 4 * (S - 1));
  const uint32_t last_bytes = k - 16 * (S - 1);  // of the last step's activations
  int32_t s0, s1;
  int8x16_t w0, w1, a0, a1, a2, a3, a4, a5;
  uint32x4_t offs = quad_rows;
  if constexpr (R == 1) {
    __asm__ volatile(
        "vctp.8 %[last_bytes]\n\t"      //
        EDGEAE_MVE_LOAD(0, "a0", "p0")  //
        EDGEAE_MVE_LOAD(1, "a1", "p0")  //
        EDGEAE_MVE_LOAD(2, "a2", "p0")  //
        EDGEAE_MVE_LOAD(3, "a3", "p0")  //
        "vmsr p0, %[last]\n\t"
        "dls lr, %[n]\n"
        "1:\n\t"                                    //
        EDGEAE_MVE_STEP(0, "w0", "b0", "a0", "a0")  //
        EDGEAE_MVE_STEP(1, "w1", "b1", "a1", "a1")  //
        EDGEAE_MVE_STEP(2, "w0", "b2", "a2", "a2")  //
        EDGEAE_MVE_STEP(3, "w1", "b3", "a3", "a3")  //
        "vadd.i32 %q[offs], %q[offs], %[four]\n\t"  //
        "str %[s0], [%[acc]], #4\n\t"
        "le lr, 1b"
        : [offs] "+&w"(offs), [acc] "+&r"(acc), [s0] "=&Te"(s0), [s1] "=&Te"(s1), [w0] "=&w"(w0),
          [w1] "=&w"(w1), [a0] "=&w"(a0), [a1] "=&w"(a1), [a2] "=&w"(a2), [a3] "=&w"(a3)
        : [p0] "r"(a), [b0] "r"(base[0]), [b1] "r"(base[1]), [b2] "r"(base[2]), [b3] "r"(base[3]),
          [n] "r"(width), [four] "r"(4), [last] "r"(last), [last_bytes] "r"(last_bytes),
          [steps] "i"(S), [rows] "i"(R), [tail] "i"(kTail)
        : "lr", "memory");
    (void)a4, (void)a5;
  } else {
    // Every vector register taken: one weight register.
    __asm__ volatile(
        "vctp.8 %[last_bytes]\n\t"      //
        EDGEAE_MVE_LOAD(0, "a0", "p0")  //
        EDGEAE_MVE_LOAD(1, "a1", "p0")  //
        EDGEAE_MVE_LOAD(2, "a2", "p0")  //
        EDGEAE_MVE_LOAD(0, "a3", "p1")  //
        EDGEAE_MVE_LOAD(1, "a4", "p1")  //
        EDGEAE_MVE_LOAD(2, "a5", "p1")  //
        "vmsr p0, %[last]\n\t"
        "dls lr, %[n]\n"
        "1:\n\t"                                    //
        EDGEAE_MVE_STEP(0, "w0", "b0", "a0", "a3")  //
        EDGEAE_MVE_STEP(1, "w0", "b1", "a1", "a4")  //
        EDGEAE_MVE_STEP(2, "w0", "b2", "a2", "a5")  //
        "vadd.i32 %q[offs], %q[offs], %[four]\n\t"  //
        "str %[s1], [%[acc], %[second]]\n\t"
        "str %[s0], [%[acc]], #4\n\t"
        "le lr, 1b"
        : [offs] "+&w"(offs), [acc] "+&r"(acc), [s0] "=&Te"(s0), [s1] "=&Te"(s1), [w0] "=&w"(w0),
          [a0] "=&w"(a0), [a1] "=&w"(a1), [a2] "=&w"(a2), [a3] "=&w"(a3), [a4] "=&w"(a4),
          [a5] "=&w"(a5)
        : [p0] "r"(a), [p1] "r"(a + lda), [b0] "r"(base[0]), [b1] "r"(base[1]), [b2] "r"(base[2]),
          [n] "r"(width), [four] "r"(4), [last] "r"(last), [last_bytes] "r"(last_bytes),
          [second] "I"(4 * kChunk), [steps] "i"(S), [rows] "i"(R), [tail] "i"(kTail)
        : "lr", "memory");
    (void)w1;
  }
}
#undef EDGEAE_MVE_LOAD
#undef EDGEAE_MVE_STEP

using ResidentRowsFn = void (*)(const int8_t*, size_t, const int8_t*, uint32x4_t, size_t, uint32_t,
                                uint32_t, int32_t*);

// resident_rows for K (<= 64) and R rows (1 or 2, and 1 only for K > 48).
ResidentRowsFn resident_rows_for(uint32_t k, int rows) {
  const bool tail = (k + 3) / 4 % 4 != 0;
  static constexpr ResidentRowsFn kOne[4][2] = {
      {resident_rows<1, 1, false>, resident_rows<1, 1, true>},
      {resident_rows<1, 2, false>, resident_rows<1, 2, true>},
      {resident_rows<1, 3, false>, resident_rows<1, 3, true>},
      {resident_rows<1, 4, false>, resident_rows<1, 4, true>}};
  static constexpr ResidentRowsFn kTwo[3][2] = {
      {resident_rows<2, 1, false>, resident_rows<2, 1, true>},
      {resident_rows<2, 2, false>, resident_rows<2, 2, true>},
      {resident_rows<2, 3, false>, resident_rows<2, 3, true>}};
  const uint32_t steps = (k + 15) / 16;
  return rows == 2 ? kTwo[steps - 1][tail] : kOne[steps - 1][tail];
}

// Rows [m, m + R) of a short-K Dense (K <= 64) for the columns [nb, ne) of
// one column block.
template <int R>
inline void short_rows_of_block(const Requant& rq, const int8_t* a, const int8_t* block,
                                uint32x4_t quad_rows, size_t row, uint32_t nb, uint32_t ne,
                                uint32_t m, int8_t* y) {
  const uint32_t k = rq.s.k;
  const ResidentRowsFn sums_of = resident_rows_for(k, R);
  for (uint32_t n0 = nb; n0 < ne; n0 += kChunk) {
    const uint32_t width = ne - n0 < kChunk ? ne - n0 : kChunk;
    int32_t acc[R * kChunk];
    sums_of(a + size_t{m} * k, k, block + size_t{n0 - nb} * 4, quad_rows, row, k, width, acc);
    store_rows<R>(rq, m, n0, width, acc, y);
  }
}

// Rows [m, m + R) of y for the columns [nb, ne) of one column block: the
// sums of kChunk columns at a time, from R x C tiles and single columns,
// then their output stage.
template <int R, int C>
inline void rows_of_block(const Requant& rq, const int8_t* a, const int8_t* block,
                          uint32x4_t quad_rows, size_t row, uint32_t nb, uint32_t ne, uint32_t m,
                          int8_t* y) {
  static_assert(kChunk % C == 0, "whole tiles per chunk");
  const uint32_t k = rq.s.k;
  const int8_t* am = a + size_t{m} * k;
  for (uint32_t n0 = nb; n0 < ne; n0 += kChunk) {
    const uint32_t width = ne - n0 < kChunk ? ne - n0 : kChunk;
    int32_t acc[R * kChunk];
    uint32_t j = 0;
    for (; j + C <= width; j += C)
      dot_tile<R, C>(am, k, block + size_t{n0 + j - nb} * 4, quad_rows, row, k, acc + j);
    for (; j < width; ++j)
      dot_tile<R, 1>(am, k, block + size_t{n0 + j - nb} * 4, quad_rows, row, k, acc + j);
    store_rows<R>(rq, m, n0, width, acc, y);
  }
}

}  // namespace

void dense_s8_mve(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y) {
  if (column_sums == nullptr) {
    dense_s8_dsp(s, q, a, b, bias, column_sums, y);
    return;
  }
  const Requant rq{s,
                   q,
                   bias,
                   column_sums,
                   -q.in_zp,
                   q.out.act_min - q.out.out_zp,
                   q.out.act_max - q.out.out_zp};
  simd::for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    const uint32x4_t quad_rows = vmulq_n_u32(vidupq_n_u32(0u, 1), static_cast<uint32_t>(row));
    uint32_t m = 0;
    if (s.k <= 64) {
      if (s.k <= 48)
        for (; m + 2 <= s.m; m += 2)
          short_rows_of_block<2>(rq, a, block, quad_rows, row, nb, ne, m, y);
      for (; m < s.m; ++m) short_rows_of_block<1>(rq, a, block, quad_rows, row, nb, ne, m, y);
      return;
    }
    for (; m + 2 <= s.m; m += 2) rows_of_block<2, 3>(rq, a, block, quad_rows, row, nb, ne, m, y);
    if (m < s.m) rows_of_block<1, 6>(rq, a, block, quad_rows, row, nb, ne, m, y);
  });
}

}  // namespace edgeae::cortexm

namespace edgeae::kernels {

// (int16 Dense: the DSP extension's kernels, which every MVE core has.)
extern const KernelSet kArmMve =
    reference_float_set("arm-mve", cortexm::dense_s8_mve, cortexm::add_s8_mve, cortexm::conv_s8_mve,
                        cortexm::dense_s16_dsp, cortexm::dense_s16x16_dsp);

}  // namespace edgeae::kernels

#endif  // __ARM_FEATURE_MVE
