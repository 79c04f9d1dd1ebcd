// The integer kernel tester on the board (tests/kernels/int/simd_int_test.cpp's
// Dense cases, without doctest, heap or <random>): every kernel set this
// build holds (the reference and, with -mcpu flags enabling them, the
// Cortex-M sets) runs, for random shapes, bit for bit against the reference:
//   int8 Dense on packed weights (quads, then DSP pairs: dense_s8 and
//     dense_s8_pairs) vs ref::dense_s8 on the plain ones: K
//     off and on the quad size and the sets' unroll and chunk lengths, N off
//     and on every tile width, batches of 1 to 5 rows, extreme operands (a
//     and zero points at both ends of int8, weights at +-127), per-tensor and
//     per-channel requantization with multipliers and shifts inside and
//     outside the usual range, activation bounds narrow and of one sign,
//     biases near the int32 bounds, column blocks;
//   int16 Dense, 16x8 (ref::dense_s16) and 16x16 (ref::dense_s16x16): K odd
//     and even, past the int32 partial chunk, N off the tile widths,
//     extreme activations and weights (sums beyond int32), per-row biases.
//   int8 Conv/ConvTranspose of the sets with a direct kernel (conv_s8,
//     conv_s8_pairs) vs ref::conv_s8 / ref::conv_transpose_s8, through the
//     packed weights (quads, DSP pairs)
//     (test_conv_s8);
//   int8 Add/Sub vs ref::add_s8 (test_add_s8);
//   the portable int8 PRelu tables vs ref::prelu_s8 (test_prelu_s8), and
//   Concat tables vs ref::concat_s8 (test_concat_s8).
// Then the kernels' instruction counts (KCOUNT lines, tools/firmware_icount.sh).
// Returns 0 only when every case matches (QEMU passes the status to ctest).
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "edgeae/kernel_sets.hpp"
#include "icount.hpp"
#include "kernels/kernel_set.hpp"
#include "kernels/portable/portable_kernels.hpp"

namespace {

using namespace edgeae;

constexpr uint32_t kMaxM = 5, kMaxK = 785, kMaxN = 256;
constexpr uint32_t kMaxKp = (kMaxK + 3) / 4 * 4;

// Static buffers: no heap on the board (about 400 KB of RAM). The int16
// weights share the packed buffer (16-bit Dense shapes stay within it).
int8_t a[kMaxM * kMaxK];
int8_t b[kMaxK * kMaxN];
alignas(16) int8_t packed_storage[kMaxKp * kMaxN];
int8_t* const packed_aligned = packed_storage;
int16_t* const b16 = reinterpret_cast<int16_t*>(packed_storage);
constexpr uint32_t kMaxB16 = kMaxKp * kMaxN / 2;
int16_t a16[kMaxM * kMaxK];
int32_t column_sums[kMaxN];
int32_t bias[kMaxM * kMaxN];
int64_t bias64[kMaxM * kMaxN];
int32_t mult[kMaxN];
int32_t shift[kMaxN];
int8_t want[kMaxM * kMaxN];
int8_t got[kMaxM * kMaxN];
int16_t want16[kMaxM * kMaxN];
int16_t got16[kMaxM * kMaxN];
// Conv cases: input and plain weights share b, packed weights packed_storage.
constexpr uint32_t kMaxConvX = 16384, kMaxConvOut = 8192, kConvGuard = 64;
int8_t conv_want[kMaxConvOut];
int8_t conv_got[kMaxConvOut + kConvGuard];
int8_t conv_scratch[512];

// xorshift32: a small deterministic generator.
struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  int32_t between(int32_t lo, int32_t hi) {  // inclusive
    return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1));
  }
  template <size_t N>
  uint32_t pick(const uint32_t (&values)[N]) {
    return values[next() % N];
  }
};

// " m=M k=K n=N" of a Dense shape.
void write_shape(const ref::DenseShape& s) {
  board_write(" m=");
  console_uint(s.m);
  board_write(" k=");
  console_uint(s.k);
  board_write(" n=");
  console_uint(s.n);
}

struct Tally {
  uint32_t cases = 0, failures = 0;
  void check(bool same, const char* op, const KernelSet* set, const ref::DenseShape& s) {
    ++cases;
    if (same) return;
    ++failures;
    board_write("MISMATCH: ");
    board_write(op);
    board_write(" ");
    board_write(set->name);
    board_write(" block=");
    console_uint(s.b_block);
    write_shape(s);
    board_write("\n");
  }
};

// Multipliers and shifts of `count` channels: mostly the usual Q0.31 range
// and negative shifts, sometimes outside it (small multipliers, shifts of 0,
// positive or very negative: the kernels' slower paths).
void fill_requant(Rng& rng, uint32_t count, bool unusual, int32_t shift_lo, int32_t shift_hi) {
  for (uint32_t c = 0; c < count; ++c) {
    mult[c] = rng.between(1 << 30, 0x7FFFFFFF);
    shift[c] = rng.between(shift_lo, shift_hi);
    if (unusual && rng.between(0, 3) == 0) {
      const int32_t shifts[] = {0, 1, 3, -21, -25};
      shift[c] = shifts[rng.between(0, 4)];
      if (rng.between(0, 1)) mult[c] = rng.between(1, (1 << 30) - 1);
    }
  }
}

// Plain row-major int8 weights [rows, cols] packed as `packing` (1 quads,
// 2 DSP pairs) in column blocks of `block`, zero past rows; their column sums.
void pack_weights(const int8_t* plain, uint32_t rows, uint32_t cols, uint32_t block,
                  int32_t packing, int8_t* packed) {
  const uint32_t rp = (rows + 3) / 4 * 4;
  memset(packed, 0, size_t{rp} * cols);
  memset(column_sums, 0, sizeof column_sums);
  const uint32_t bw = block != 0 ? block : cols;
  for (uint32_t c = 0; c < cols; ++c)
    for (uint32_t r = 0; r < rows; ++r) {
      const int8_t v = plain[r * cols + c];
      column_sums[c] += v;
      if (packing == 1) {
        packed[format::packed_dense_offset(r, c, rp, cols, block)] = v;
        continue;
      }
      // The odd column of a pair borrows its partner's sign (written first).
      const size_t at = format::paired_dense_offset(r, c, rp, cols, block);
      packed[at] = static_cast<int8_t>((c % bw) % 2 == 1 && packed[at - 1] < 0 ? v - 1 : v);
    }
}

// n random int8 values, from `lowest` (-128 for data, -127 for weights) to
// 127, or only those two ends when `extreme`.
void fill_int8(Rng& rng, int8_t* dst, size_t n, bool extreme, int32_t lowest) {
  for (size_t i = 0; i < n; ++i)
    dst[i] = static_cast<int8_t>(extreme ? (rng.between(0, 1) ? 127 : lowest)
                                         : rng.between(lowest, 127));
}

// An int8 layer's quantization for trial `trial` of a random test: count
// (1 or the channels) multipliers and shifts in mult/shift (unusual ones one
// trial in three), the input zero point (at an end of int8 when
// `extreme`), the output zero point and clamp (the zero point, 100, or
// narrow bounds of one sign for the packed clamps).
ref::LayerQuant random_layer_quant(Rng& rng, int trial, bool extreme, uint32_t count) {
  fill_requant(rng, count, trial % 3 == 0, -14, -4);
  ref::LayerQuant q;
  q.in_zp = extreme ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127);
  q.out.multiplier = mult;
  q.out.shift = shift;
  q.out.count = count;
  q.out.out_zp = rng.between(-20, 20);
  q.out.act_min = trial % 4 == 0 ? q.out.out_zp : -128;
  q.out.act_max = trial % 6 == 0 ? 100 : 127;
  if (trial % 10 == 7 || trial % 10 == 9) {  // narrow bounds of one sign (packed clamps)
    q.out.act_min = trial % 10 == 7 ? -60 : 20;
    q.out.act_max = trial % 10 == 7 ? -20 : 50;
  }
  return q;
}

// One int8 Dense case of shape s (m, k, n) on every kernel set: `trial`
// picks the data's extremes, the bias kind, the requantization and clamp
// variants; block < 0: a column block picked at random.
void dense_s8_case(Rng& rng, Tally& tally, ref::DenseShape s, int trial, bool per_channel,
                   int block) {
  const bool extreme = trial % 5 == 0;
  fill_int8(rng, a, size_t{s.m} * s.k, extreme, -128);
  fill_int8(rng, b, size_t{s.k} * s.n, extreme, -127);
  // Biases near the int32 bounds (the sum of products stays below 2^25)
  // reach the requantization's large-sum cases.
  const int32_t bias_range = trial % 7 == 0 ? 2100000000 : 100000;
  for (uint32_t i = 0; i < s.m * s.n; ++i) bias[i] = rng.between(-bias_range, bias_range);
  const int bias_kind = trial % 4;  // none, per column, per row and column, scalar
  s.bias_stride_n = bias_kind == 1 || bias_kind == 2 ? 1 : 0;
  s.bias_stride_m = bias_kind == 2 ? s.n : 0;
  const ref::LayerQuant q = random_layer_quant(rng, trial, extreme, per_channel ? s.n : 1);
  const int32_t* bias_ptr = bias_kind != 0 ? bias : nullptr;
  ref::dense_s8(s, q, a, b, bias_ptr, want);
  // Column blocks: none, narrower than every tile, the converter's (128
  // quads, 6 DSP pairs), odd.
  const uint32_t blocks[] = {0, 4, 16, 128, 40, 6, 6, 5};
  s.b_block = block < 0 ? rng.pick(blocks) : static_cast<uint32_t>(block);
  int8_t* const packed = packed_storage;                // blob constants are 16-byte aligned
  for (int32_t packing = 1; packing <= 2; ++packing) {  // quads, DSP pairs
    pack_weights(b, s.k, s.n, s.b_block, packing, packed);
    s.b_packing = packing;
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      memset(got, 0x55, sizeof got);
      (packing == 1 ? set->dense_s8 : set->dense_s8_pairs)(s, q, a, packed, bias_ptr, column_sums,
                                                           got);
      tally.check(memcmp(got, want, size_t{s.m} * s.n) == 0,
                  packing == 1 ? "dense_s8" : "dense_s8_pairs", set, s);
    }
  }
}

void test_dense_s8(Rng& rng, Tally& tally) {
  const uint32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 31, 40, 48, 64, 97, 256, 257, 260, 785};
  const uint32_t ns[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129, 256};
  for (int trial = 0; trial < 400; ++trial) {
    ref::DenseShape s;
    s.m = static_cast<uint32_t>(rng.between(1, kMaxM));
    s.k = rng.pick(ks);
    s.n = rng.pick(ns);
    dense_s8_case(rng, tally, s, trial, trial % 2 == 0, -1);
  }
  // Every K up to 64 with per-channel requantization (the kernels' short
  // paths, e.g. arm-mve's groups of four columns): widths with every
  // remainder mod 4, one to three rows, blocks of four, six (the DSP-pair
  // panels), eight or none.
  const uint32_t widths[] = {4, 5, 6, 7, 9, 12};
  const int sweep_blocks[] = {0, 4, 8, 6};
  int trial = 0;
  for (uint32_t k = 1; k <= 64; ++k)
    for (const uint32_t n : widths) {
      ref::DenseShape s;
      s.m = 1 + (k + n) % 3;
      s.k = k;
      s.n = n;
      dense_s8_case(rng, tally, s, trial, true, sweep_blocks[trial % 4]);
      ++trial;
    }
}

void test_dense_s16(Rng& rng, Tally& tally) {
  const uint32_t ks[] = {1,  2,  3,   4,   5,   7,   8,   13,  16, 31,
                         64, 97, 255, 256, 257, 300, 513, 600, 785};
  const uint32_t ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 31, 63, 64, 65, 100, 128};
  for (int trial = 0; trial < 200; ++trial) {
    const bool wide = trial % 2 == 1;  // 16x16
    ref::DenseShape s;
    s.m = static_cast<uint32_t>(rng.between(1, 3));
    s.k = rng.pick(ks);
    s.n = rng.pick(ns);
    if (wide && s.k * s.n > kMaxB16) s.n = kMaxB16 / s.k;
    // Extremes of random sign, or all at the negative end: then every
    // product is the largest positive one and the sums pass int32 (16x8:
    // 2^22 per product) for K >= 512.
    const bool extreme = trial % 5 < 2, aligned = trial % 5 == 0;
    auto end_value = [&](int32_t hi, int32_t lo) { return aligned || rng.between(0, 1) ? lo : hi; };
    for (uint32_t i = 0; i < s.m * s.k; ++i)
      a16[i] =
          static_cast<int16_t>(extreme ? end_value(32767, -32768) : rng.between(-32768, 32767));
    for (uint32_t i = 0; i < s.k * s.n; ++i) {
      if (wide)
        b16[i] =
            static_cast<int16_t>(extreme ? end_value(32767, -32767) : rng.between(-32767, 32767));
      else
        b[i] = static_cast<int8_t>(extreme ? end_value(127, -128) : rng.between(-128, 127));
    }
    for (uint32_t i = 0; i < s.m * s.n; ++i)
      bias64[i] = int64_t{rng.between(-1000000, 1000000)} * rng.between(1, 1000000);
    const int bias_kind = trial % 4;
    s.bias_stride_n = bias_kind == 1 || bias_kind == 2 ? 1 : 0;
    s.bias_stride_m = bias_kind == 2 ? s.n : 0;
    const uint32_t count = trial % 3 != 0 ? s.n : 1;
    // Sums of 16x16 products reach 2^40: shifts down to -30 bring them back.
    fill_requant(rng, count, false, wide ? -30 : -22, wide ? -12 : -6);
    ref::RequantParams q;
    q.multiplier = mult;
    q.shift = shift;
    q.count = count;
    q.out_zp = 0;
    q.act_min = trial % 4 == 0 ? 0 : -32768;
    q.act_max = 32767;
    const int64_t* bias_ptr = bias_kind != 0 ? bias64 : nullptr;
    if (wide)
      ref::dense_s16x16(s, q, a16, b16, bias_ptr, want16);
    else
      ref::dense_s16(s, q, a16, b, bias_ptr, want16);
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      memset(got16, 0x55, sizeof got16);
      if (wide)
        set->dense_s16x16(s, q, a16, b16, bias_ptr, got16);
      else
        set->dense_s16(s, q, a16, b, bias_ptr, got16);
      tally.check(memcmp(got16, want16, size_t{s.m} * s.n * 2) == 0,
                  wide ? "dense_s16x16" : "dense_s16", set, s);
    }
  }
}

// The output size of a Conv/ConvTranspose along axis `axis` (<= 0: none).
int64_t conv_out_size(const format::ConvParams& p, bool transposed, uint32_t in, int axis) {
  const int64_t span = int64_t{p.dilation[axis]} * (p.kernel[axis] - 1) + 1;
  if (transposed)
    return (int64_t{in} - 1) * p.stride[axis] + span - p.pad_begin[axis] - p.pad_end[axis];
  const int64_t padded = int64_t{in} + p.pad_begin[axis] + p.pad_end[axis];
  return padded < span ? 0 : (padded - span) / p.stride[axis] + 1;
}

// int8 Conv/ConvTranspose (groups 1) of each set with a conv_s8 kernel, on
// the quad-packed weights, against ref::conv_s8 / ref::conv_transpose_s8 on
// the plain ones: mostly 1-D (the shapes the Cortex-M kernels take: Cin 1..32,
// Cout 1..33, K = KW * Cin up to 64 and past it), strides 1..3, padding at
// either end up to the kernel's extent, inputs shorter than the kernel,
// sometimes dilated, 2-D, batched, with rows of padding (KH = 1, pad_h 1).
// A kernel may decline a shape (false); each
// set must take some, and never write past the output.
void test_conv_s8(Rng& rng, Tally& tally) {
  uint32_t taken[2][8] = {};  // per packing (quads, DSP pairs) and set
  for (int trial = 0; trial < 300; ++trial) {
    const bool transposed = trial % 4 == 3;
    const bool two_d = trial % 6 == 0;
    ref::ConvShape s;
    format::ConvParams& p = s.p;
    p.groups = 1;
    p.w_packing = 1;
    s.batch = trial % 5 == 0 ? 2 : 1;
    s.in_c = static_cast<uint32_t>(rng.between(1, 32));
    s.out_c = static_cast<uint32_t>(rng.between(1, 33));
    const int32_t kw_most =
        trial % 8 == 1 ? 7 : (64 / s.in_c < 7 ? 64 / static_cast<int32_t>(s.in_c) : 7);
    p.kernel[0] = two_d ? rng.between(1, 2) : 1;
    p.kernel[1] = rng.between(1, kw_most < 1 ? 1 : kw_most);
    p.stride[0] = two_d ? rng.between(1, 2) : 1;
    p.stride[1] = rng.between(1, 3);
    p.dilation[0] = 1;
    p.dilation[1] = trial % 7 == 2 ? 2 : 1;
    for (int axis = 0; axis < 2; ++axis) {
      const int32_t extent = p.dilation[axis] * (p.kernel[axis] - 1);
      // KH = 1 with pad_h 1: rows whose every tap is padding.
      const int32_t most = axis == 0 && two_d && extent == 0 ? 1 : extent;
      p.pad_begin[axis] = rng.between(0, most);
      p.pad_end[axis] = rng.between(0, most);
    }
    p.output_padding[0] = p.output_padding[1] = 0;
    const uint32_t blocks[] = {0, 4, 16, 128, 6, 6, 5};  // 6: the DSP-pair panels
    p.w_block = static_cast<int32_t>(rng.pick(blocks));
    s.in_h = two_d ? static_cast<uint32_t>(rng.between(1, 3)) : 1;
    s.in_w = static_cast<uint32_t>(rng.between(1, transposed ? 20 : 40));
    const int64_t oh = conv_out_size(p, transposed, s.in_h, 0);
    const int64_t ow = conv_out_size(p, transposed, s.in_w, 1);
    if (oh <= 0 || ow <= 0) continue;
    s.out_h = static_cast<uint32_t>(oh);
    s.out_w = static_cast<uint32_t>(ow);
    const size_t x_bytes = size_t{s.batch} * s.in_h * s.in_w * s.in_c;
    const size_t out_bytes = size_t{s.batch} * s.out_h * s.out_w * s.out_c;
    const uint32_t rows = static_cast<uint32_t>(p.kernel[0] * p.kernel[1]) * s.in_c;
    if (x_bytes > kMaxConvX || out_bytes > kMaxConvOut || rows > sizeof conv_scratch) continue;
    const bool extreme = trial % 9 == 4;
    int8_t* const x = b;
    int8_t* const plain = b + kMaxConvX;
    fill_int8(rng, x, x_bytes, extreme, -128);
    fill_int8(rng, plain, size_t{rows} * s.out_c, extreme, -127);
    for (uint32_t c = 0; c < s.out_c; ++c) bias[c] = rng.between(-100000, 100000);
    const bool per_channel = trial % 2 == 0;
    const ref::LayerQuant q = random_layer_quant(rng, trial, extreme, per_channel ? s.out_c : 1);
    const int32_t* bias_ptr = trial % 5 == 3 ? nullptr : bias;
    p.w_packing = 0;
    (transposed ? ref::conv_transpose_s8 : ref::conv_s8)(s, q, x, plain, bias_ptr, conv_want);
    int8_t* const packed = packed_storage;
    for (int32_t packing = 1; packing <= 2; ++packing)  // quads, DSP pairs
      for (size_t i = 0; i < kernel_set_count() && i < 8; ++i) {
        const KernelSet* set = kernel_set(i);
        const auto conv_s8 = packing == 1 ? set->conv_s8 : set->conv_s8_pairs;
        if (conv_s8 == nullptr) continue;
        if (p.w_packing != packing) {
          pack_weights(plain, rows, s.out_c, static_cast<uint32_t>(p.w_block), packing, packed);
          p.w_packing = packing;
        }
        memset(conv_got, 0x55, out_bytes + kConvGuard);
        if (!conv_s8(s, transposed, q, x, packed, bias_ptr, column_sums, conv_scratch, conv_got))
          continue;
        ++taken[packing - 1][i];
        bool same = memcmp(conv_got, conv_want, out_bytes) == 0;
        for (size_t g = 0; g < kConvGuard; ++g) same &= conv_got[out_bytes + g] == 0x55;
        if (!same) {
          board_write(transposed ? "conv_transpose_s8 in_w=" : "conv_s8 in_w=");
          console_uint(s.in_w);
          board_write(" cin=");
          console_uint(s.in_c);
          board_write(" kw=");
          console_uint(static_cast<uint32_t>(p.kernel[1]));
          board_write(" stride=");
          console_uint(static_cast<uint32_t>(p.stride[1]));
          board_write(" ");
        }
        ref::DenseShape d;  // for the report: pixels x K x Cout
        d.m = s.batch * s.out_h * s.out_w;
        d.k = rows;
        d.n = s.out_c;
        d.b_block = static_cast<uint32_t>(p.w_block);
        tally.check(same,
                    packing == 2 ? "conv_s8_pairs"
                    : transposed ? "conv_transpose_s8"
                                 : "conv_s8",
                    set, d);
      }
  }
  for (int32_t packing = 1; packing <= 2; ++packing)
    for (size_t i = 0; i < kernel_set_count() && i < 8; ++i) {
      const KernelSet* set = kernel_set(i);
      if ((packing == 1 ? set->conv_s8 : set->conv_s8_pairs) == nullptr) continue;
      board_write(packing == 1 ? "conv_s8 of " : "conv_s8_pairs of ");
      board_write(set->name);
      board_write(" took ");
      console_uint(taken[packing - 1][i]);
      board_write(" shapes\n");
      ref::DenseShape none;
      tally.check(taken[packing - 1][i] >= 100, "conv_s8 took too few shapes", set, none);
    }
}

// int8 Add/Sub of every set vs ref::add_s8: element counts off and on the
// vector width, same shapes and broadcasts (the tables' path), operand and
// output scales inside what the loader accepts and at its edges (shifts of
// 0 and positive output shifts), clamps at the zero point.
void test_add_s8(Rng& rng, Tally& tally) {
  for (int trial = 0; trial < 200; ++trial) {
    ref::BinaryShapes s;
    const uint32_t rows = static_cast<uint32_t>(rng.between(1, 3));
    const uint32_t cols = static_cast<uint32_t>(rng.between(1, 230));
    s.out.rank = s.a.rank = s.b.rank = 2;
    s.out.dims[0] = s.a.dims[0] = s.b.dims[0] = rows;
    s.out.dims[1] = s.a.dims[1] = s.b.dims[1] = cols;
    if (trial % 7 == 0) s.b.dims[1] = 1;  // a broadcast
    const uint32_t count = rows * cols;
    for (uint32_t i = 0; i < count; ++i) {
      a[i] = static_cast<int8_t>(rng.between(-128, 127));
      b[i] = static_cast<int8_t>(rng.between(-128, 127));
    }
    ref::AddQuant q;
    q.left_shift = 20;
    q.a_zp = rng.between(-128, 127);
    q.b_zp = rng.between(-128, 127);
    q.a_multiplier = rng.between(1 << 30, 0x7FFFFFFF);
    q.b_multiplier = rng.between(1 << 30, 0x7FFFFFFF);
    q.a_shift = trial % 5 == 1 ? 0 : rng.between(-8, 0);
    q.b_shift = rng.between(-8, 0);
    q.out_multiplier = rng.between(1 << 30, 0x7FFFFFFF);
    q.out_shift = trial % 5 == 2 ? rng.between(0, 3) : rng.between(-25, -1);
    q.out_zp = rng.between(-128, 127);
    q.act_min = trial % 3 == 0 ? q.out_zp : -128;
    q.act_max = trial % 4 == 0 && q.act_min < 100 ? 100 : 127;  // never below act_min
    const auto op = trial % 2 ? ref::BinaryOp::kSub : ref::BinaryOp::kAdd;
    ref::add_s8(op, s, q, a, b, conv_want);
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      memset(conv_got, 0x55, count + kConvGuard);
      set->add_s8(op, s, q, a, b, conv_got);
      bool same = memcmp(conv_got, conv_want, count) == 0;
      for (size_t g = 0; g < kConvGuard; ++g) same &= conv_got[count + g] == 0x55;
      ref::DenseShape d;  // for the report: rows x 1 x columns
      d.m = rows;
      d.k = 1;
      d.n = cols;
      tally.check(same, op == ref::BinaryOp::kSub ? "sub_s8" : "add_s8", set, d);
    }
  }
}

// portable::prelu_s8_tables (every set's int8 PRelu/LeakyRelu) vs
// ref::prelu_s8: one slope and per-channel slopes, counts below and above
// the tables' threshold, slopes of both signs and zero, extreme zero points,
// narrow activation bounds.
void test_prelu_s8(Rng& rng, Tally& tally) {
  const KernelSet* const reference_set = kernel_set(0);
  for (int trial = 0; trial < 120; ++trial) {
    const uint32_t channels = static_cast<uint32_t>(rng.between(1, 12));
    const uint32_t pixels =
        static_cast<uint32_t>(trial % 3 == 0 ? rng.between(1, 60) : rng.between(40, 600));
    const uint32_t count = channels * pixels;
    if (count > kMaxConvOut) continue;
    const uint32_t slopes = trial % 2 == 0 ? channels : 1;
    for (uint32_t c = 0; c < slopes; ++c) {
      const int32_t kind = rng.between(0, 5);
      mult[c] = kind == 0 ? 0 : rng.between(1 << 30, 0x7FFFFFFF) * (kind == 1 ? -1 : 1);
      shift[c] = rng.between(-12, 2);
    }
    const bool extreme = trial % 5 == 0;
    ref::PReluQuant q;
    q.in_zp = extreme ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127);
    q.pos_multiplier = rng.between(1 << 30, 0x7FFFFFFF);
    q.pos_shift = rng.between(-8, 3);
    q.neg_multiplier = mult;
    q.neg_shift = shift;
    q.neg_count = slopes;
    q.out_zp = extreme ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127);
    q.act_min = trial % 4 == 0 ? q.out_zp : -128;
    q.act_max = trial % 6 == 1 && q.act_min < 90 ? 90 : 127;
    for (uint32_t i = 0; i < count; ++i) b[i] = static_cast<int8_t>(rng.between(-128, 127));
    ref::prelu_s8(q, count, channels, b, conv_want);
    memset(conv_got, 0x55, count + kConvGuard);
    portable::prelu_s8_tables(q, count, channels, b, conv_got);
    bool same = memcmp(conv_got, conv_want, count) == 0;
    for (size_t g = 0; g < kConvGuard; ++g) same &= conv_got[count + g] == 0x55;
    ref::DenseShape d;  // for the report: pixels x 1 x channels
    d.m = pixels;
    d.k = 1;
    d.n = channels;
    tally.check(same, slopes > 1 ? "portable prelu_s8 per channel" : "portable prelu_s8",
                reference_set, d);
  }
}

// portable::concat_s8_tables (every set's int8 Concat) vs ref::concat_s8:
// two or three [rows, cols_t] inputs along either axis, copied or
// requantized, sizes below and above the tables' threshold.
void test_concat_s8(Rng& rng, Tally& tally) {
  const KernelSet* const reference_set = kernel_set(0);
  for (int trial = 0; trial < 120; ++trial) {
    const uint32_t axis = static_cast<uint32_t>(rng.between(0, 1));
    const uint32_t inputs = static_cast<uint32_t>(rng.between(2, 3));
    const uint32_t rows =
        static_cast<uint32_t>(trial % 3 == 0 ? rng.between(1, 8) : rng.between(8, 200));
    ref::Shape shapes[3];
    ref::ConcatInputQuant iq[3];
    const int8_t* data[3];
    size_t count = 0;
    for (uint32_t t = 0; t < inputs; ++t) {
      shapes[t].rank = 2;
      shapes[t].dims[0] = axis == 0 ? static_cast<uint32_t>(rng.between(1, 200)) : rows;
      shapes[t].dims[1] = axis == 1 ? static_cast<uint32_t>(rng.between(1, 12)) : 8;
      data[t] = b + count;
      count += size_t{shapes[t].dims[0]} * shapes[t].dims[1];
      iq[t].same_as_output = rng.between(0, 3) == 0 ? 1 : 0;
      iq[t].zp = trial % 5 == 0 ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127);
      iq[t].multiplier = rng.between(1 << 30, 0x7FFFFFFF);
      iq[t].shift = rng.between(-10, 2);
    }
    if (count > kMaxConvOut) continue;
    for (size_t i = 0; i < count; ++i) b[i] = static_cast<int8_t>(rng.between(-128, 127));
    const ref::ConcatQuant q{iq, rng.between(-128, 127)};
    ref::concat_s8(inputs, shapes, data, q, axis, conv_want);
    memset(conv_got, 0x55, count + kConvGuard);
    portable::concat_s8_tables(inputs, shapes, data, q, axis, conv_got);
    bool same = memcmp(conv_got, conv_want, count) == 0;
    for (size_t g = 0; g < kConvGuard; ++g) same &= conv_got[count + g] == 0x55;
    ref::DenseShape d;  // for the report: inputs x axis x elements
    d.m = inputs;
    d.k = axis;
    d.n = static_cast<uint32_t>(count);
    tally.check(same, "portable concat_s8", reference_set, d);
  }
}

// The kernels' own cost: instructions per MAC of each set's Dense on a few
// shapes (M = 1: a Dense layer at batch 1; M > 1: tiles of gathered Conv
// pixels), requantization included (meaningful only under qemu -icount
// shift=0; tools/firmware_icount.sh).
void count_instructions() {
  edgeae_fw::Ticks::start_counter();
  const uint32_t per_tick_x1000 = edgeae_fw::instructions_per_tick_x1000();
  // Per-channel requantization in the usual range.
  for (uint32_t c = 0; c < kMaxN; ++c) {
    mult[c] = 0x40000000 + static_cast<int32_t>(c * 4099u);
    shift[c] = -7 - static_cast<int32_t>(c % 4);
  }
  // The last three with {1, 64, 32}: the digits denoiser's Dense layers.
  const uint32_t shapes[][3] = {{1, 256, 64}, {1, 64, 32}, {4, 96, 32}, {8, 256, 64},
                                {16, 48, 16}, {1, 32, 16}, {1, 16, 32}, {1, 32, 64}};
  const char* const ops[] = {"int8", "int16x8", "int16x16", "int8-pairs"};
  for (int op_index = 0; op_index < 4; ++op_index) {
    const char* const op = ops[op_index];
    for (const auto& shape : shapes) {
      ref::DenseShape s;
      s.m = shape[0];
      s.k = shape[1];
      s.n = shape[2];
      s.b_block = op_index == 3 ? 6 : 128;  // the converter's blocks for each layout
      s.bias_stride_n = 1;
      ref::LayerQuant q;
      q.in_zp = -3;
      q.out.multiplier = mult;
      q.out.shift = shift;
      q.out.count = s.n;
      q.out.out_zp = 0;
      const bool int8 = op_index == 0 || op_index == 3;
      s.b_packing = op_index == 3 ? 2 : 1;
      q.out.act_min = int8 ? -128 : -32768;
      q.out.act_max = int8 ? 127 : 32767;
      for (size_t i = 0; i < kernel_set_count(); ++i) {
        const KernelSet* set = kernel_set(i);
        // Repeated calls: one SysTick tick is some 31 instructions, too
        // coarse for the small shapes.
        const uint32_t repeats = i == 0 ? 1 : 16;  // set 0: the reference
        const edgeae_fw::Ticks t = edgeae_fw::Ticks::begin();
        for (uint32_t r = 0; r < repeats; ++r) {
          if (op_index == 0)
            set->dense_s8(s, q, a, packed_aligned, bias, column_sums, got);
          else if (op_index == 3)  // any weight bytes: only the count matters here
            set->dense_s8_pairs(s, q, a, packed_aligned, bias, column_sums, got);
          else if (op_index == 2)
            set->dense_s16x16(s, q.out, a16, b16, bias64, got16);
          else
            set->dense_s16(s, q.out, a16, b, bias64, got16);
        }
        const uint64_t instructions =
            uint64_t{t.end()} * per_tick_x1000 / (1000u * uint64_t{repeats});
        board_write("KCOUNT op=");
        board_write(op);
        board_write(" set=");
        board_write(set->name);
        write_shape(s);
        board_write(" instructions=");
        console_uint(instructions);
        board_write(" macs=");
        console_uint(s.m * s.k * s.n);
        board_write("\n");
      }
    }
  }
}

}  // namespace

int main() {
  board_write("edgeae int kernel tests on " EDGEAE_BOARD_NAME ": kernel sets");
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    board_write(" ");
    board_write(kernel_set_name(kernel_set(i)));
  }
  board_write("\n");
  Rng rng{2026u};
  Tally tally;
  test_dense_s8(rng, tally);
  test_dense_s16(rng, tally);
  test_conv_s8(rng, tally);
  test_add_s8(rng, tally);
  test_prelu_s8(rng, tally);
  test_concat_s8(rng, tally);
  count_instructions();
  console_uint(tally.cases);
  board_write(
      " (kernel set, op, shape) cases of int8 and int16 Dense, int8 Conv, Add, PRelu and Concat, ");
  console_uint(tally.failures);
  board_write(tally.failures == 0 ? " mismatches\nPASS\n" : " mismatches\nFAIL\n");
  return tally.failures == 0 ? 0 : 1;
}
