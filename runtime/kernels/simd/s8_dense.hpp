// Optimized int8 Dense kernels on quad-packed weights (B as
// [ceil(K/4)][N][4], ref::dense_s8_packed): each is bit-exact with the
// reference because it forms the same exact int32 sum, bias + sum (a - zp) *
// w, only in another order (integer addition is exact and associative mod
// 2^32, and the loader proved the true sum fits in int32), then requantizes
// it with the same scalar code.
//
//   avx2        sign-extends both operands to int16 and uses vpmaddwd
//               (products of at most 255 * 127, pair sums < 2^16: no
//               saturation; vpmaddubsw, whose int16 pair sums can saturate,
//               is never used)
//   avx512vnni  vpdpbusd on (a + 128) as u8 times w, then subtracts
//               (zp + 128) * column_sum
//   neon        widens to int16 and multiply-accumulates into int32 (vmlal)
//   neon_dot    sdot on a times w (both int8), then subtracts zp * column_sum
#pragma once

#include "kernels/kernel_set.hpp"

namespace edgeae::simd {

using DenseS8Fn = void (*)(const ref::DenseShape&, const ref::LayerQuant&, const int8_t* a,
                           const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                           int8_t* y);

void dense_s8_avx2(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                   const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y);
void dense_s8_avx512vnni(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                         const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                         int8_t* y);
// Indirect int8 Conv/ConvTranspose (groups 1, packed weights) for
// Cin % 4 == 0 and at most kMaxIndirectTaps taps: each output pixel reads
// its taps' input pixels in place (a row of zero points, written into
// zp_row (Cin bytes), stands for a tap that reaches no input), bit-exact with
// ref::conv_s8_packed / conv_transpose_s8_packed.
bool conv_s8_avx512vnni(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                        const int8_t* x, const int8_t* w, const int32_t* bias,
                        const int32_t* column_sums, int8_t* scratch, int8_t* y);
// Its parts in s8_x86_avx512vnni_conv.cpp, each false (nothing written) for
// a shape it does not take: a 2-D Conv undilated along W, any Cin, reading
// each kernel row's run of KW * Cin input bytes in place; a ConvTranspose
// with one output channel, any Cin; a ConvTranspose with Cin % 4 == 0 by
// input pixels (rows of a Dense per tap) added into output rows.
bool conv2d_rows_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q, const int8_t* x,
                            const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                            int8_t* y);
bool conv_transpose_rows_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                    const int8_t* x, const int8_t* w, const int32_t* bias,
                                    const int32_t* column_sums, int8_t* y);
// A 1-D Conv or ConvTranspose with Cin % 4 == 0 and Cout % 16 == 0, output
// pixels in the lanes (s8_x86_avx512vnni_lanes.cpp).
bool conv1d_lanes_avx512vnni(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                             const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y);
// The same for a stride-2 1-D Conv with one input channel (Cout % 16 == 0).
bool conv1d_lanes_one_input_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                       const int8_t* x, const int8_t* w, const int32_t* bias,
                                       int8_t* y);
// A 1-D ConvTranspose with one output channel, Cin % 4 == 0, by the lanes.
bool conv_transpose1d_lanes_single_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                              const int8_t* x, const int8_t* w, const int32_t* bias,
                                              int8_t* y);
bool conv_transpose_one_channel_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                           const int8_t* x, const int8_t* w, const int32_t* bias,
                                           int8_t* y);

// Same-shape int8 Add/Sub on AVX-512BW (broadcasts: the reference).
void add_s8_avx512(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                   const int8_t* a, const int8_t* b, int8_t* y);
void dense_s8_neon(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                   const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y);
void dense_s8_neon_dot(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                       const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y);

// Calls fn(block, row_bytes, n_begin, n_end) for each column block of a
// quad-packed B (format::DenseParams: b_block columns per block, each block
// [ceil(K/4)][width][4]; b_block 0: one block of all N columns).
template <typename Fn>
inline void for_each_column_block(const ref::DenseShape& s, const int8_t* b, Fn&& fn) {
  const uint32_t bw = s.b_block != 0 ? s.b_block : s.n;
  const size_t kp = (size_t{s.k} + 3) / 4 * 4;
  for (uint32_t nb = 0; nb < s.n; nb += bw) {
    const uint32_t width = s.n - nb < bw ? s.n - nb : bw;
    fn(b + size_t{nb} * kp, size_t{width} * 4, nb, nb + width);
  }
}

// The scalar tail shared by every kernel: y[n] = requant(bias + acc[n]).
inline void store_requantized(const ref::DenseShape& s, const ref::LayerQuant& q,
                              const int32_t* bias, uint32_t m, uint32_t n0, uint32_t count,
                              const int32_t* acc, int8_t* y) {
  for (uint32_t j = 0; j < count; ++j) {
    const uint32_t n = n0 + j;
    const int32_t b =
        bias != nullptr ? bias[size_t{m} * s.bias_stride_m + size_t{n} * s.bias_stride_n] : 0;
    // Wrapping add: the true sum fits in int32 (the loader's bound), so the
    // result is exact whatever order the parts were added in.
    const auto sum = static_cast<int32_t>(static_cast<uint32_t>(b) + static_cast<uint32_t>(acc[j]));
    const uint32_t c = q.out.count > 1 ? n : 0;
    y[size_t{m} * s.n + n] = static_cast<int8_t>(quant::requantize_fast(
        sum, q.out.multiplier[c], q.out.shift[c], q.out.out_zp, q.out.act_min, q.out.act_max));
  }
}

}  // namespace edgeae::simd
