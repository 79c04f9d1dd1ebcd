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
// as zero, gathers stop at the last quad row. K <= 64 (a contiguous or no
// bias, column blocks at least four wide) takes short_rows instead, which
// computes and requantizes four columns per loop pass.
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
#include <stddef.h>

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

// Short rows (K <= 64, S = ceil(K / 16) steps of 16 k) with a contiguous
// (or no) bias: sums and output stage in one loop over groups of four
// columns, so there is no buffer of sums and no set-up per chunk of columns
// or per row (all rows of a column block are one call).
// Per group: each step loads its 16 activations (from a zero-padded copy
// of the row) and gathers the four columns' quads (one vector of
// addresses, the column's offset as immediate), four VMLADAV(A)s into four
// scalars, which come back as one vector through memory, and the output
// stage of requantize_row with the right shift taken from the shift's sign
// (no vector of zeros: every vector register is in use). S = 4: 64
// instructions for 256 MACs. Quad rows past K are not read: their lanes
// stay on an earlier quad row (zero activations there). A width not a
// multiple of four ends with one more group at the last four columns
// (those outputs written twice, the same bytes). In assembly: gcc 12
// cannot keep the scalars in the even registers VMLADAV wants without
// spilling, and spills around an asm statement that takes every register.

// The four gathers and VMLADAV(A)s of one step (`acc`: "a" for VMLADAVA;
// `wb`: "!" for the last gather to step the address vector by 16 bytes).
#define EDGEAE_MVE_GATHER4(addr, acc, wb) \
  "vldrw.u32 q1, [" addr                  \
  ", #4]\n\t"                             \
  "vmladav" acc                           \
  ".s8 %[s0], q0, q1\n\t"                 \
  "vldrw.u32 q1, [" addr                  \
  ", #8]\n\t"                             \
  "vmladav" acc                           \
  ".s8 %[s1], q0, q1\n\t"                 \
  "vldrw.u32 q1, [" addr                  \
  ", #12]\n\t"                            \
  "vmladav" acc                           \
  ".s8 %[s2], q0, q1\n\t"                 \
  "vldrw.u32 q1, [" addr ", #16]" wb      \
  "\n\t"                                  \
  "vmladav" acc ".s8 %[s3], q0, q1\n\t"

// Step `st` (1 .. 3, when S > st): its address vector from the previous
// one (the last step: lanes past K stay on the previous step's quad row,
// in bounds; their activations are zero); the first step taken (st 1)
// starts the sums.
#define EDGEAE_MVE_STEP_N(st, from) \
  ".if " #st " < %c[steps]\n\t"                                          \
  ".if " #st " == %c[steps] - 1\n\t"                                     \
  "vadd.i32 q3, " from ", q6\n\t"                                        \
  ".else\n\t"                                                            \
  "vadd.i32 q3, " from ", %[step]\n\t"                                   \
  ".endif\n\t"                                                           \
  "vldrb.u8 q0, [%[r], #16*" #st "]\n\t"                                 \
  ".if " #st " == 1\n\t" EDGEAE_MVE_GATHER4("q3", "", "")       \
  ".else\n\t" EDGEAE_MVE_GATHER4("q3", "a", "")                 \
  ".endif\n\t"                                                           \
  ".endif\n\t"

// The widest column block short_rows takes with per-tensor requantization
// (its multiplier and shift repeated per column on the stack).
constexpr uint32_t kTensorColumns = 32;

// The operands of short_rows, in memory: the assembly loads them itself
// and derives its vectors (around an asm statement that takes every
// register, gcc spills and reloads).
struct ShortRows {
  int8_t act[64];              // the row, zero past K
  int32_t sums[4];             // a group's four sums
  uint32x4_t addr;             // the block's first column minus 4, per quad row
  const int32_t* bias;         // the row's, at the block's first column (no bias: the column sums)
  const int32_t* column_sums;  // at the block's first column
  const int32_t* multiplier;
  const int32_t* shift;
  int8_t* y;            // the row's output at the block's first column
  uint32_t step;        // bytes per step: four quad rows
  uint32_t groups;      // whole groups of four columns (>= 1)
  uint32_t back;        // a last partial group: 4 * (columns back), else 0
  const int8_t* block;  // the column block
  int32_t minus_zp;     // minus the input zero point (one less without bias)
  const int8_t* a;      // the row's activations
  uint32_t k;           // bytes per row of activations
  uint32_t rows;        // left, >= 1
  uint32_t bias_step;   // bytes from one row's bias to the next (0: shared)
  uint32_t ldy;         // bytes per output row
  uint32_t last_bytes;  // activations in the last step
  uint32_t pending;     // the partial group still to do
  uint32_t quads;       // quad rows (ceil(K / 4))
  uint32_t last_quads;  // quad rows in the last step
  int32_t low, high;    // the clamp bounds minus the output zero point
  int32_t out_zp;
};
static_assert(offsetof(ShortRows, addr) == 80 && offsetof(ShortRows, bias) == 96 &&
                  offsetof(ShortRows, block) == 128 && offsetof(ShortRows, pending) == 160 &&
                  offsetof(ShortRows, out_zp) == 180,
              "the offsets short_rows' assembly reads");

// Copies step `st` of the row (s0: its activations) into the buffer; the
// last one (S - 1) zero past K.
#define EDGEAE_MVE_COPY(st)       \
  ".if " #st                      \
  " < %c[steps] - 1\n\t"          \
  "vldrb.u8 q0, [%[s0], #16*" #st \
  "]\n\t"                         \
  "vstrb.8 q0, [%[r], #16*" #st   \
  "]\n\t"                         \
  ".endif\n\t"

template <int S>
__attribute__((noinline)) void short_rows(ShortRows& r) {
  int32_t s0, s1, s2, s3, minus_zp, out_zp;
  const int32_t *bias, *cs, *mult, *shift;
  int8_t* y;
  uint32_t step;
  __asm__ volatile(
      // The constants: the clamp bounds and zero point, the block's
      // address vectors.
      "ldrd %[s0], %[s1], [%[r], #172]\n\t"
      "vdup.32 q4, %[s0]\n\t"
      "vdup.32 q5, %[s1]\n\t"
      "ldr %[out_zp], [%[r], #180]\n\t"
      "movs %[s0], #0\n\t"
      "vmov.i32 q6, #0\n\t"
      "vidup.u32 q7, %[s0], #1\n\t"
      "ldrd %[s0], %[s1], [%[r], #164]\n\t"  // quads, last_quads
      "vctp.32 %[s0]\n\t"
      "vpsel q7, q7, q6\n\t"         // quad rows past K: row 0 (one step)
      "ldr %[s0], [%[r], #116]\n\t"  // step
      "vctp.32 %[s1]\n\t"
      "vpst\n\t"
      "vdupt.32 q6, %[s0]\n\t"     // to the last step (past K: stay)
      "lsrs %[s0], %[s0], #2\n\t"  // row
      "vmul.i32 q7, q7, %[s0]\n\t"
      "ldr %[s0], [%[r], #128]\n\t"  // block
      "subs %[s0], %[s0], #4\n\t"
      "vadd.i32 q7, q7, %[s0]\n\t"
      "vstrw.32 q7, [%[r], #80]\n"
      "0:\n\t"  // a row: its activations
      "ldr %[s0], [%[r], #136]\n\t" EDGEAE_MVE_COPY(0) EDGEAE_MVE_COPY(1) EDGEAE_MVE_COPY(2)  //
      "ldr %[s1], [%[r], #156]\n\t"
      "vctp.8 %[s1]\n\t"
      "vpst\n\t"
      "vldrbt.u8 q0, [%[s0], #16*(%c[steps]-1)]\n\t"
      "vstrb.8 q0, [%[r], #16*(%c[steps]-1)]\n\t"
      "ldr %[s1], [%[r], #140]\n\t"
      "add %[s0], %[s0], %[s1]\n\t"
      "str %[s0], [%[r], #136]\n\t"
      // its operands
      "ldr %[minus_zp], [%[r], #132]\n\t"
      "ldrd %[bias], %[cs], [%[r], #96]\n\t"
      "ldrd %[mult], %[shift], [%[r], #104]\n\t"
      "ldrd %[y], %[step], [%[r], #112]\n\t"
      "ldrd %[s0], %[s1], [%[r], #120]\n\t"  // groups, back
      "str %[s1], [%[r], #160]\n\t"
      "dls lr, %[s0]\n\t"
      "vldrw.u32 q7, [%[r], #80]\n"
      "1:\n\t"                    //
      EDGEAE_MVE_STEP_N(1, "q7")  //
      EDGEAE_MVE_STEP_N(2, "q3")  //
      EDGEAE_MVE_STEP_N(3, "q3")  //
      "vldrb.u8 q0, [%[r]]\n\t"
      ".if %c[steps] == 1\n\t" EDGEAE_MVE_GATHER4("q7", "", "!")  //
      ".else\n\t" EDGEAE_MVE_GATHER4("q7", "a", "!")              //
      ".endif\n\t"
      // Through memory: the two-lane VMOV's lane order is read both ways
      // by assemblers and emulators.
      "strd %[s0], %[s1], [%[r], #64]\n\t"
      "strd %[s2], %[s3], [%[r], #72]\n\t"
      "vldrw.u32 q1, [%[r], #64]\n\t"
      "vldrw.u32 q2, [%[bias]], #16\n\t"
      "vadd.i32 q1, q1, q2\n\t"
      "vldrw.u32 q2, [%[cs]], #16\n\t"
      "vmla.s32 q1, q2, %[minus_zp]\n\t"
      // q0: the right shift (<= 0), q2: the left shift (>= 0).
      "vldrw.u32 q2, [%[shift]], #16\n\t"
      "vshr.s32 q0, q2, #31\n\t"
      "vand q0, q0, q2\n\t"
      "vsub.i32 q2, q2, q0\n\t"
      "vqshl.s32 q1, q1, q2\n\t"
      "vldrw.u32 q2, [%[mult]], #16\n\t"
      "vqrdmulh.s32 q1, q1, q2\n\t"
      "vand q2, q1, q0\n\t"
      "vshr.s32 q2, q2, #31\n\t"
      "vqadd.s32 q1, q1, q2\n\t"
      "vrshl.s32 q1, q1, q0\n\t"
      "vmax.s32 q1, q1, q4\n\t"
      "vmin.s32 q1, q1, q5\n\t"
      "vadd.i32 q1, q1, %[out_zp]\n\t"
      "vstrb.32 q1, [%[y]], #4\n\t"
      "le lr, 1b\n\t"
      // A last partial group: once more at the last four columns.
      "ldr %[s0], [%[r], #160]\n\t"
      "cmp %[s0], #0\n\t"
      "beq 2f\n\t"
      "sub %[bias], %[bias], %[s0]\n\t"
      "sub %[cs], %[cs], %[s0]\n\t"
      "sub %[shift], %[shift], %[s0]\n\t"
      "sub %[mult], %[mult], %[s0]\n\t"
      "sub %[y], %[y], %[s0], lsr #2\n\t"
      "vsub.i32 q7, q7, %[s0]\n\t"
      "movs %[s0], #0\n\t"
      "str %[s0], [%[r], #160]\n\t"
      "movs %[s0], #1\n\t"
      "dls lr, %[s0]\n\t"
      "b 1b\n"
      "2:\n\t"  // the next row
      "ldr %[s0], [%[r], #144]\n\t"
      "subs %[s0], %[s0], #1\n\t"
      "beq 3f\n\t"
      "str %[s0], [%[r], #144]\n\t"
      "ldr %[s0], [%[r], #96]\n\t"
      "ldr %[s1], [%[r], #148]\n\t"
      "add %[s0], %[s0], %[s1]\n\t"
      "str %[s0], [%[r], #96]\n\t"
      "ldr %[s0], [%[r], #112]\n\t"
      "ldr %[s1], [%[r], #152]\n\t"
      "add %[s0], %[s0], %[s1]\n\t"
      "str %[s0], [%[r], #112]\n\t"
      "b 0b\n"
      "3:"
      : [s0] "=&Te"(s0), [s1] "=&Te"(s1), [s2] "=&Te"(s2), [s3] "=&Te"(s3), [bias] "=&r"(bias),
        [cs] "=&r"(cs), [mult] "=&r"(mult), [shift] "=&r"(shift), [y] "=&l"(y), [step] "=&r"(step),
        [minus_zp] "=&r"(minus_zp), [out_zp] "=&r"(out_zp)
      : [r] "r"(&r), [steps] "i"(S)
      : "lr", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "memory", "cc");
}
#undef EDGEAE_MVE_COPY

// Dense with K <= 64, every column block at least four wide.
inline __attribute__((always_inline)) void short_dense(const ref::DenseShape& s,
                                                       const ref::LayerQuant& q, const int8_t* a,
                                                       const int8_t* b, const int32_t* bias,
                                                       const int32_t* column_sums, int8_t* y) {
  static constexpr void (*kRows[4])(ShortRows&) = {short_rows<1>, short_rows<2>, short_rows<3>,
                                                   short_rows<4>};
  const uint32_t k = s.k, quads = (k + 3) / 4, steps = (k + 15) / 16;
  const auto rows_of = kRows[steps - 1];
  ShortRows r;
  r.low = q.out.act_min - q.out.out_zp;
  r.high = q.out.act_max - q.out.out_zp;
  r.out_zp = q.out.out_zp;
  // No bias: the column sums once more, with a multiplier one less.
  r.minus_zp = bias != nullptr ? -q.in_zp : -q.in_zp - 1;
  r.k = k;
  r.quads = quads;
  r.last_quads = quads - 4 * (steps - 1);
  r.last_bytes = k - 16 * (steps - 1);
  r.bias_step = bias != nullptr ? 4 * s.bias_stride_m : 0;
  r.ldy = s.n;
  const int32_t* const bias_or_sums = bias != nullptr ? bias : column_sums;
  // Per-tensor requantization: its multiplier and shift for every column of
  // a block (at most kTensorColumns wide).
  const bool per_channel = q.out.count > 1;
  const uint32_t block_width = s.b_block != 0 ? s.b_block : s.n;
  int32_t tensor_requant[2][kTensorColumns];
  if (!per_channel) {
    const int32x4_t multiplier = vdupq_n_s32(q.out.multiplier[0]),
                    shift = vdupq_n_s32(q.out.shift[0]);
    const uint32_t columns = block_width < s.n ? block_width : s.n;  // <= kTensorColumns
    for (uint32_t c = 0; c < columns; c += 4) {
      vst1q_s32(tensor_requant[0] + c, multiplier);
      vst1q_s32(tensor_requant[1] + c, shift);
    }
  }
  for (uint32_t nb = 0; nb < s.n; nb += block_width) {
    const uint32_t width = s.n - nb < block_width ? s.n - nb : block_width;
    r.block = b + size_t{nb} * (4 * quads);
    r.step = 16 * width;
    r.groups = width / 4;
    r.back = width % 4 == 0 ? 0 : 4 * (4 - width % 4);
    r.a = a;
    r.rows = s.m;
    r.bias = bias_or_sums + nb;
    r.column_sums = column_sums + nb;
    r.multiplier = per_channel ? q.out.multiplier + nb : tensor_requant[0];
    r.shift = per_channel ? q.out.shift + nb : tensor_requant[1];
    r.y = y + nb;
    rows_of(r);
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

// Dense by R x C tiles into chunks of sums, then their output stage.
inline __attribute__((always_inline)) void general_path(const ref::DenseShape& s,
                                                        const ref::LayerQuant& q, const int8_t* a,
                                                        const int8_t* b, const int32_t* bias,
                                                        const int32_t* column_sums, int8_t* y) {
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
    for (; m + 2 <= s.m; m += 2) rows_of_block<2, 3>(rq, a, block, quad_rows, row, nb, ne, m, y);
    if (m < s.m) rows_of_block<1, 6>(rq, a, block, quad_rows, row, nb, ne, m, y);
  });
}

}  // namespace

void dense_s8_mve(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y) {
  if (column_sums == nullptr) {
    dense_s8_dsp(s, q, a, b, bias, column_sums, y);
    return;
  }
  // K from 1 to 64: the fused rows (at least one row; a contiguous or no
  // bias; column blocks at least four wide, per-tensor requantization at
  // most kTensorColumns).
  const uint32_t block = s.b_block == 0 || s.b_block > s.n ? s.n : s.b_block;
  if (s.k - 1 < 64 && s.m != 0 && (bias == nullptr || s.bias_stride_n == 1) && block >= 4 &&
      (block == s.n || s.n % block == 0 || s.n % block >= 4) &&
      (q.out.count > 1 || block <= kTensorColumns)) {
    short_dense(s, q, a, b, bias, column_sums, y);
    return;
  }
  general_path(s, q, a, b, bias, column_sums, y);
}

}  // namespace edgeae::cortexm

namespace edgeae::kernels {

// (int16 Dense: the DSP extension's kernels, which every MVE core has.)
extern const KernelSet kArmMve =
    reference_float_set("arm-mve", cortexm::dense_s8_mve, cortexm::add_s8_mve, cortexm::conv_s8_mve,
                        cortexm::dense_s16_dsp, cortexm::dense_s16x16_dsp,
                        // DSP pairs (a blob converted for M4/M7): the DSP kernels, as the
                        // static build (static_kernels.hpp)
                        cortexm::dense_s8_dsp_pairs, cortexm::conv_s8_dsp_pairs);

}  // namespace edgeae::kernels

#endif  // __ARM_FEATURE_MVE
