// The integer kernel tester on the board (tests/kernels/int/simd_int_test.cpp's
// int8 Dense case, without doctest, heap or <random>): every kernel set this
// build holds (the reference and, with -mcpu flags enabling them, the
// Cortex-M sets) runs int8 Dense on quad-packed weights for random shapes,
// and each output is compared with ref::dense_s8 on the plain weights, bit for
// bit: K off and on the quad size, N off and on every tile width, batches,
// extreme operands (a and zero points at both ends of int8, weights at
// +-127), per-tensor and per-channel requantization, column blocks, weights
// off the word boundary. Returns
// 0 only when every case matches (QEMU passes the status to ctest).
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "edgeae/kernel_sets.hpp"
#include "icount.hpp"
#include "kernels/kernel_set.hpp"

namespace {

constexpr uint32_t kMaxM = 3, kMaxK = 785, kMaxN = 256;
constexpr uint32_t kMaxKp = (kMaxK + 3) / 4 * 4;

// Static buffers: no heap on the board (about 400 KB of RAM).
int8_t a[kMaxM * kMaxK];
int8_t b[kMaxK * kMaxN];
alignas(4) int8_t packed_storage[kMaxKp * kMaxN + 1];
int32_t column_sums[kMaxN];
int32_t bias[kMaxN];
int32_t mult[kMaxN];
int32_t shift[kMaxN];
int8_t want[kMaxM * kMaxN];
int8_t got[kMaxM * kMaxN];

// xorshift32: a small deterministic generator.
struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  int between(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(next() % static_cast<uint32_t>(hi - lo + 1));
  }
};

}  // namespace

int main() {
  using namespace edgeae;
  board_write("edgeae int kernel tests on " EDGEAE_BOARD_NAME ": kernel sets");
  for (size_t i = 0; i < kernel_set_count(); ++i) {
    board_write(" ");
    board_write(kernel_set_name(kernel_set(i)));
  }
  board_write("\n");
  Rng rng{2026u};
  uint32_t cases = 0, failures = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ref::DenseShape s;
    s.m = static_cast<uint32_t>(rng.between(1, 3));
    const uint32_t ks[] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 97, 256, 785};
    const uint32_t ns[] = {1, 3, 4, 7, 8, 15, 16, 17, 31, 63, 64, 65, 100, 129, 256};
    s.k = ks[rng.between(0, 13)];
    s.n = ns[rng.between(0, 14)];
    const bool extreme = trial % 5 == 0;
    const bool per_channel = trial % 2 == 0;
    for (uint32_t i = 0; i < s.m * s.k; ++i)
      a[i] =
          static_cast<int8_t>(extreme ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127));
    for (uint32_t i = 0; i < s.k * s.n; ++i)
      b[i] =
          static_cast<int8_t>(extreme ? (rng.between(0, 1) ? 127 : -127) : rng.between(-127, 127));
    for (uint32_t i = 0; i < s.n; ++i) bias[i] = rng.between(-100000, 100000);
    const bool with_bias = trial % 3 != 0;
    if (with_bias) s.bias_stride_n = 1;
    const uint32_t count = per_channel ? s.n : 1;
    for (uint32_t c = 0; c < count; ++c) {
      mult[c] = rng.between(1 << 30, 0x7FFFFFFF);
      shift[c] = rng.between(-14, -4);
    }
    ref::LayerQuant q;
    q.in_zp = extreme ? (rng.between(0, 1) ? 127 : -128) : rng.between(-128, 127);
    q.out.multiplier = mult;
    q.out.shift = shift;
    q.out.count = count;
    q.out.out_zp = rng.between(-20, 20);
    q.out.act_min = trial % 4 == 0 ? q.out.out_zp : -128;
    q.out.act_max = 127;
    const int32_t* bias_ptr = with_bias ? bias : nullptr;
    ref::dense_s8(s, q, a, b, bias_ptr, want);
    // Column blocks: none, narrower than every tile, the converter's, odd.
    const uint32_t blocks[] = {0, 4, 16, 128, 40};
    s.b_block = blocks[rng.between(0, 4)];
    // Weights off the word boundary now and then (kernels that need aligned
    // weights fall back).
    int8_t* const packed = packed_storage + (trial % 7 == 3 ? 1 : 0);
    const uint32_t kp = (s.k + 3) / 4 * 4;
    memset(packed, 0, size_t{kp} * s.n);
    memset(column_sums, 0, sizeof column_sums);
    for (uint32_t r = 0; r < s.k; ++r)
      for (uint32_t c = 0; c < s.n; ++c) {
        packed[format::packed_dense_offset(r, c, kp, s.n, s.b_block)] = b[r * s.n + c];
        column_sums[c] += b[r * s.n + c];
      }
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      memset(got, 0x55, sizeof got);
      set->dense_s8(s, q, a, packed, bias_ptr, column_sums, got);
      ++cases;
      if (memcmp(got, want, size_t{s.m} * s.n) == 0) continue;
      ++failures;
      board_write("MISMATCH: ");
      board_write(set->name);
      board_write(" block=");
      console_uint(s.b_block);
      board_write(" m=");
      console_uint(s.m);
      board_write(" k=");
      console_uint(s.k);
      board_write(" n=");
      console_uint(s.n);
      board_write("\n");
    }
  }
  // The kernel's own cost: instructions per MAC of each set's int8 Dense on
  // a few shapes (M = 1: a Dense layer at batch 1; M = 4, 8: tiles of
  // gathered Conv pixels), requantization included (meaningful only under
  // qemu -icount shift=0; tools/firmware_icount.sh).
  edgeae_fw::Ticks::start_counter();
  const uint32_t per_tick_x1000 = edgeae_fw::instructions_per_tick_x1000();
  const int8_t* const packed = packed_storage;
  const uint32_t shapes[][3] = {{1, 256, 64}, {1, 64, 32}, {4, 96, 32}, {8, 256, 64}};
  for (const auto& shape : shapes) {
    ref::DenseShape s;
    s.m = shape[0];
    s.k = shape[1];
    s.n = shape[2];
    s.b_block = 128;
    s.bias_stride_n = 1;
    ref::LayerQuant q;
    q.in_zp = -3;
    q.out.multiplier = mult;
    q.out.shift = shift;
    q.out.count = s.n;
    q.out.out_zp = 0;
    q.out.act_min = -128;
    q.out.act_max = 127;
    for (size_t i = 0; i < kernel_set_count(); ++i) {
      const KernelSet* set = kernel_set(i);
      const edgeae_fw::Ticks t = edgeae_fw::Ticks::begin();
      set->dense_s8(s, q, a, packed, bias, column_sums, got);
      const uint64_t instructions = uint64_t{t.end()} * per_tick_x1000 / 1000u;
      board_write("KCOUNT set=");
      board_write(set->name);
      board_write(" m=");
      console_uint(s.m);
      board_write(" k=");
      console_uint(s.k);
      board_write(" n=");
      console_uint(s.n);
      board_write(" instructions=");
      console_uint(static_cast<uint32_t>(instructions));
      board_write(" macs=");
      console_uint(s.m * s.k * s.n);
      board_write("\n");
    }
  }

  console_uint(cases);
  board_write(" (kernel set, shape) cases of int8 Dense, ");
  console_uint(failures);
  board_write(failures == 0 ? " mismatches\nPASS\n" : " mismatches\nFAIL\n");
  return failures == 0 ? 0 : 1;
}
