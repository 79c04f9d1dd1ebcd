// int8 Dense for AVX-512 VNNI: vpdpbusd on (a + 128) as u8 (s8_dense.hpp).
#include <immintrin.h>
#include <string.h>

#include "kernels/reference/conv_geometry.hpp"
#include "kernels/simd/s8_avx512_common.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

namespace {

// One pass over K for kRows rows of A and kTiles x 16 columns from n0:
// acc[r * kTiles + t] lane j is sum over k of (a[r][k] + 128) *
// B[k][n0 + 16t + j]. Each weight vector is loaded once for all rows, and the
// kRows * kTiles independent accumulators hide vpdpbusd's latency. kMasked:
// lanes past n are masked off (the last, partial tile).
template <int kRows, int kTiles, bool kMasked>
void dot_tiles(const int8_t* a, size_t a_stride, uint32_t k, const int8_t* b, size_t row,
               uint32_t n0, uint32_t n, __m512i* out) {
  // Local accumulators (copied out at the end): through `out` every step
  // would be a store, as the int8 loads may alias it. With few of them,
  // even and odd quads go to two banks, so twice as many vpdpbusd chains are
  // in flight (a one-row, narrow Dense is otherwise latency-bound).
  constexpr int kCount = kRows * kTiles;
  constexpr int kBanks = kCount <= 4 ? 2 : 1;
  __m512i acc[kBanks][kCount];
  __mmask16 mask[kTiles];
  for (int t = 0; t < kTiles; ++t) {
    const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
    const uint32_t live = first >= n ? 0 : (n - first >= 16 ? 16 : n - first);
    mask[t] = static_cast<__mmask16>((1u << live) - 1u);
  }
  for (int bank = 0; bank < kBanks; ++bank)
    for (int i = 0; i < kCount; ++i) acc[bank][i] = _mm512_setzero_si512();
  // (a + 128) as u8: for few tiles flipped in a vector register (vpxord
  // with a broadcast memory operand, one uop), not by a scalar xor and a
  // broadcast from a GPR (measured faster only where more tiles share it).
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(0x80808080u));
  auto step = [&](__m512i* bank, const int8_t* bq, const int32_t* quads) {
    __m512i w[kTiles];
    for (int t = 0; t < kTiles; ++t)
      w[t] = kMasked ? _mm512_maskz_loadu_epi32(mask[t], bq + 64 * t)
                     : _mm512_loadu_si512(bq + 64 * t);
    for (int r = 0; r < kRows; ++r) {
      const __m512i av = kTiles <= 2
                             ? _mm512_xor_si512(_mm512_set1_epi32(quads[r]), flip)
                             : _mm512_set1_epi32(quads[r] ^ static_cast<int32_t>(0x80808080u));
      for (int t = 0; t < kTiles; ++t)
        bank[r * kTiles + t] = _mm512_dpbusd_epi32(bank[r * kTiles + t], av, w[t]);
    }
  };
  const uint32_t full = k / 4;
  const int8_t* bq = b + size_t{n0} * 4;
  int32_t quads[kRows];
  uint32_t qd = 0;
  for (; qd + kBanks <= full; qd += kBanks)
    for (int bank = 0; bank < kBanks; ++bank, bq += row) {
      for (int r = 0; r < kRows; ++r)
        memcpy(&quads[r], a + r * a_stride + (qd + static_cast<uint32_t>(bank)) * 4, 4);
      step(acc[bank], bq, quads);
    }
  for (; qd < full; ++qd, bq += row) {
    for (int r = 0; r < kRows; ++r) memcpy(&quads[r], a + r * a_stride + qd * 4, 4);
    step(acc[0], bq, quads);
  }
  if (k % 4 != 0) {
    // Past K the weights are 0, so the padded a bytes add nothing.
    // A masked load (no fault past the end), not a memcpy of a run-time
    // length (a library call per row).
    const auto tail = static_cast<__mmask16>((1u << (k % 4)) - 1u);
    for (int r = 0; r < kRows; ++r)
      quads[r] = _mm_cvtsi128_si32(_mm_maskz_loadu_epi8(tail, a + r * a_stride + full * 4));
    step(acc[0], bq, quads);
  }
  for (int i = 0; i < kCount; ++i) {
    __m512i total = acc[0][i];
    for (int bank = 1; bank < kBanks; ++bank) total = _mm512_add_epi32(total, acc[bank][i]);
    out[i] = total;
  }
}

// dot_tiles for 1 row and 1..8 tiles, or 4 rows and 1..4 tiles, masked (a
// partial last tile) or not.
void dot_any(int rows, int tiles, bool masked, const int8_t* a, size_t a_stride, uint32_t k,
             const int8_t* b, size_t row, uint32_t n0, uint32_t n, __m512i* acc) {
  switch (rows * 100 + tiles * 2 + (masked ? 1 : 0)) {
#define EDGEAE_DOT_CASE(r, t)                                          \
  case r * 100 + 2 * t:                                                \
    return dot_tiles<r, t, false>(a, a_stride, k, b, row, n0, n, acc); \
  case r * 100 + 2 * t + 1:                                            \
    return dot_tiles<r, t, true>(a, a_stride, k, b, row, n0, n, acc);
    EDGEAE_DOT_CASE(1, 1)
    EDGEAE_DOT_CASE(1, 2)
    EDGEAE_DOT_CASE(1, 3)
    EDGEAE_DOT_CASE(1, 4)
    EDGEAE_DOT_CASE(1, 5)
    EDGEAE_DOT_CASE(1, 6)
    EDGEAE_DOT_CASE(1, 7)
    EDGEAE_DOT_CASE(1, 8)
    EDGEAE_DOT_CASE(4, 1)
    EDGEAE_DOT_CASE(4, 2)
    EDGEAE_DOT_CASE(4, 3)
    EDGEAE_DOT_CASE(4, 4)
    EDGEAE_DOT_CASE(8, 1)
    EDGEAE_DOT_CASE(8, 2)
#undef EDGEAE_DOT_CASE
    default:
      return;
  }
}

// Indirect convolution: rows are output pixels, each with one input pointer
// per tap (its input pixel, or a row of zero points where the tap reaches no
// input); the reduction runs over taps and then the quads of Cin (Cin % 4 ==
// 0), matching the packed weights' row order r = tap * Cin + ic.
template <int kRows, int kTiles, bool kMasked>
void conv_dot_tiles(const int8_t* const* taps_of_rows, const uint32_t* tap_ids, uint32_t taps,
                    uint32_t cin, const int8_t* b, size_t row, uint32_t n0, uint32_t n,
                    __m512i* out) {
  __m512i acc[kRows * kTiles];
  __mmask16 mask[kTiles];
  for (int t = 0; t < kTiles; ++t) {
    const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
    const uint32_t live = first >= n ? 0 : (n - first >= 16 ? 16 : n - first);
    mask[t] = static_cast<__mmask16>((1u << live) - 1u);
  }
  for (int i = 0; i < kRows * kTiles; ++i) acc[i] = _mm512_setzero_si512();
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(0x80808080u));
  const uint32_t quads = cin / 4;
  for (uint32_t tap = 0; tap < taps; ++tap) {
    // The listed tap's rows of the packed weights: r = tap_id * Cin + ic.
    const int8_t* bq = b + size_t{tap_ids[tap]} * quads * row + size_t{n0} * 4;
    const int8_t* src[kRows];
    for (int r = 0; r < kRows; ++r) src[r] = taps_of_rows[size_t(r) * taps + tap];
    for (uint32_t qd = 0; qd < quads; ++qd, bq += row) {
      __m512i w[kTiles];
      for (int t = 0; t < kTiles; ++t)
        w[t] = kMasked ? _mm512_maskz_loadu_epi32(mask[t], bq + 64 * t)
                       : _mm512_loadu_si512(bq + 64 * t);
      for (int r = 0; r < kRows; ++r) {
        int32_t quad;
        memcpy(&quad, src[r] + qd * 4, 4);
        // Flipped in a vector register, as in dot_tiles.
        const __m512i av = _mm512_xor_si512(_mm512_set1_epi32(quad), flip);
        for (int t = 0; t < kTiles; ++t)
          acc[r * kTiles + t] = _mm512_dpbusd_epi32(acc[r * kTiles + t], av, w[t]);
      }
    }
  }
  for (int i = 0; i < kRows * kTiles; ++i) out[i] = acc[i];
}

void conv_dot_any(int rows, int tiles, bool masked, const int8_t* const* taps_of_rows,
                  const uint32_t* tap_ids, uint32_t taps, uint32_t cin, const int8_t* b, size_t row,
                  uint32_t n0, uint32_t n, __m512i* acc) {
  switch (rows * 100 + tiles * 2 + (masked ? 1 : 0)) {
#define EDGEAE_CONV_CASE(r, t)                                                                \
  case r * 100 + 2 * t:                                                                       \
    return conv_dot_tiles<r, t, false>(taps_of_rows, tap_ids, taps, cin, b, row, n0, n, acc); \
  case r * 100 + 2 * t + 1:                                                                   \
    return conv_dot_tiles<r, t, true>(taps_of_rows, tap_ids, taps, cin, b, row, n0, n, acc);
    EDGEAE_CONV_CASE(1, 1)
    EDGEAE_CONV_CASE(1, 2)
    EDGEAE_CONV_CASE(1, 3)
    EDGEAE_CONV_CASE(1, 4)
    EDGEAE_CONV_CASE(4, 1)
    EDGEAE_CONV_CASE(4, 2)
    EDGEAE_CONV_CASE(4, 3)
    EDGEAE_CONV_CASE(4, 4)
    EDGEAE_CONV_CASE(8, 1)
    EDGEAE_CONV_CASE(8, 2)
#undef EDGEAE_CONV_CASE
    default:
      return;
  }
}

// The input pointer of each listed tap (id = kh * KW + kw) for `rows`
// output pixels of one output row: (n, oh, ow + r * row_step). Divisions
// only for the first pixel: the next pixel's source is `source_step` input
// pixels further (the stride for a Conv whose rows are adjacent outputs; 1
// for a ConvTranspose whose rows are one stride class apart).
template <bool kTransposed>
void tap_pointers(const ref::ConvShape& s, const int8_t* x, const int8_t* zp_row, uint32_t n,
                  uint32_t oh, uint32_t ow, int rows, int64_t source_step, const uint32_t* ids,
                  uint32_t count, const int8_t** out) {
  const format::ConvParams& p = s.p;
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t kh = ids[i] / kw_count, kw = ids[i] % kw_count;
    const int64_t ih =
        ref::conv_tap<kTransposed>(oh, kh, p.stride[0], p.pad_begin[0], p.dilation[0], s.in_h);
    // The first pixel's source column, in range or not (-1 from conv_tap
    // cannot tell "out of range" from a column, so recompute it).
    int64_t iw0;
    if (kTransposed) {
      iw0 = (int64_t{ow} + p.pad_begin[1] - int64_t{kw} * p.dilation[1]);
      iw0 = iw0 >= 0 ? iw0 / p.stride[1] : -((-iw0 + p.stride[1] - 1) / p.stride[1]);
    } else {
      iw0 = int64_t{ow} * p.stride[1] - p.pad_begin[1] + int64_t{kw} * p.dilation[1];
    }
    for (int r = 0; r < rows; ++r) {
      const int64_t iw = iw0 + r * source_step;
      out[size_t(r) * count + i] =
          (ih < 0 || iw < 0 || iw >= int64_t{s.in_w})
              ? zp_row
              : x + ((size_t{n} * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * s.in_c;
    }
  }
}

// Output pixels in groups of 4 along W share each weight load. A
// ConvTranspose of stride s splits its outputs into s_h * s_w classes by
// position modulo the stride: within a class the same taps have a source
// pixel (the others never do), so only those are multiplied; what the
// skipped taps would add had they read the zero point, (zp + 128) * their
// weights, is computed once per class and column tile and added, which keeps
// the column-sum correction exact.
template <bool kTransposed>
void conv_indirect(const ref::ConvShape& s, const ref::LayerQuant& q, const int8_t* x,
                   const int8_t* w, const int32_t* bias, const int32_t* column_sums, int8_t* zp_row,
                   int8_t* y) {
  memset(zp_row, static_cast<int8_t>(q.in_zp), s.in_c);
  const format::ConvParams& p = s.p;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t taps = kh_count * kw_count;
  const uint32_t class_h = kTransposed ? static_cast<uint32_t>(p.stride[0]) : 1;
  const uint32_t class_w = kTransposed ? static_cast<uint32_t>(p.stride[1]) : 1;
  uint32_t listed[kMaxIndirectTaps], skipped[kMaxIndirectTaps];
  const int8_t* zp_pointers[kMaxIndirectTaps];
  for (uint32_t t = 0; t < taps; ++t) zp_pointers[t] = zp_row;
  const int8_t* pointers[8 * kMaxIndirectTaps];
  ref::DenseShape blocks;  // the packed weights' column blocks
  blocks.n = s.out_c;
  blocks.k = taps * s.in_c;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  for (uint32_t rh = 0; rh < class_h && rh < s.out_h; ++rh)
    for (uint32_t rw = 0; rw < class_w && rw < s.out_w; ++rw) {
      uint32_t n_listed = 0, n_skipped = 0;
      for (uint32_t kh = 0; kh < kh_count; ++kh)
        for (uint32_t kw = 0; kw < kw_count; ++kw) {
          const bool reads =
              !kTransposed ||
              (positive_mod(int64_t{rh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0],
                            p.stride[0]) == 0 &&
               positive_mod(int64_t{rw} + p.pad_begin[1] - int64_t{kw} * p.dilation[1],
                            p.stride[1]) == 0);
          (reads ? listed[n_listed++] : skipped[n_skipped++]) = kh * kw_count + kw;
        }
      for_each_column_block(
          blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
            for (uint32_t n0 = nb; n0 < ne; n0 += 64) {
              const uint32_t left = ne - n0;
              const int tiles = left >= 64 ? 4 : static_cast<int>((left + 15) / 16);
              const bool masked = left % 16 != 0 && left < 64;
              __m512i skip[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(),
                                 _mm512_setzero_si512(), _mm512_setzero_si512()};
              if (n_skipped != 0)
                conv_dot_any(1, tiles, masked, zp_pointers, skipped, n_skipped, s.in_c, block, row,
                             n0 - nb, ne - nb, skip);
              // What the skipped taps add is the same for every output of the
              // class: part of the tile's offset.
              OutputTile out_tiles[4];
              const OutputClamp clamp = output_clamp(q.out);
              const int stored = output_tiles(n0, tiles, ne, bias, true, column_sums, q, out_tiles);
              for (int t = 0; t < stored; ++t)
                out_tiles[t].offset = _mm512_add_epi32(out_tiles[t].offset, skip[t]);
              for (uint32_t n = 0; n < s.batch; ++n)
                for (uint32_t oh = rh; oh < s.out_h; oh += class_h)
                  for (uint32_t ow = rw; ow < s.out_w;) {
                    const uint32_t remaining = (s.out_w - 1 - ow) / class_w + 1;
                    const int rows = rows_for(tiles, remaining);
                    tap_pointers<kTransposed>(s, x, zp_row, n, oh, ow, rows,
                                              kTransposed ? 1 : p.stride[1], listed, n_listed,
                                              pointers);
                    __m512i acc[16];
                    conv_dot_any(rows, tiles, masked, pointers, listed, n_listed, s.in_c, block,
                                 row, n0 - nb, ne - nb, acc);
                    for (int r = 0; r < rows; ++r) {
                      int8_t* y_row = y + ((size_t{n} * s.out_h + oh) * s.out_w + ow +
                                           static_cast<uint32_t>(r) * class_w) *
                                              s.out_c;
                      for (int t = 0; t < stored; ++t)
                        store_tile(out_tiles[t], clamp, acc[r * tiles + t], q, y_row);
                    }
                    ow += static_cast<uint32_t>(rows) * class_w;
                  }
            }
          });
    }
}

// An undilated 1-D Conv: the KW * Cin values output pixel ow reads are one
// contiguous window of the input, starting (ow * stride - pad) pixels in,
// in the packed weights' row order (r = kw * Cin + ic). So interior pixels
// are rows of a Dense read in place, 4 at a time, their row starts stride *
// Cin bytes apart; a pixel whose window crosses the padding gets its row
// built in scratch (zero points outside the input).
void conv1d_windowed(const ref::ConvShape& s, const ref::LayerQuant& q, const int8_t* x,
                     const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                     int8_t* scratch, int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kw = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t rows = kw * s.in_c;
  const size_t step = size_t(p.stride[1]) * s.in_c;
  ref::DenseShape blocks;
  blocks.n = s.out_c;
  blocks.k = rows;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  auto window = [&](uint32_t ow) { return int64_t{ow} * p.stride[1] - p.pad_begin[1]; };
  auto interior = [&](uint32_t ow) {
    return window(ow) >= 0 && window(ow) + int64_t{kw} <= int64_t{s.in_w};
  };
  for (uint32_t n = 0; n < s.batch; ++n) {
    const int8_t* xn = x + size_t{n} * s.in_w * s.in_c;
    int8_t* yn = y + size_t{n} * s.out_w * s.out_c;
    for_each_column_block(
        blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
          for (uint32_t n0 = nb; n0 < ne; n0 += 64) {
            const uint32_t left = ne - n0;
            const int tiles = left >= 64 ? 4 : static_cast<int>((left + 15) / 16);
            const bool masked = left % 16 != 0 && left < 64;
            OutputTile out_tiles[4];
            const OutputClamp clamp = output_clamp(q.out);
            const int stored = output_tiles(n0, tiles, ne, bias, true, column_sums, q, out_tiles);
            for (uint32_t ow = 0; ow < s.out_w;) {
              int count = 1;
              const int8_t* a;
              if (interior(ow)) {
                a = xn + size_t(window(ow)) * s.in_c;
                const int want = rows_for(tiles, s.out_w - ow);
                if (want > 1 && interior(ow + static_cast<uint32_t>(want) - 1)) count = want;
              } else {
                memset(scratch, static_cast<int8_t>(q.in_zp), rows);
                for (uint32_t k = 0; k < kw; ++k) {
                  const int64_t iw = window(ow) + k;
                  if (iw >= 0 && iw < int64_t{s.in_w})
                    memcpy(scratch + size_t{k} * s.in_c, xn + size_t(iw) * s.in_c, s.in_c);
                }
                a = scratch;
              }
              __m512i acc[16];
              dot_any(count, tiles, masked, a, step, rows, block, row, n0 - nb, ne - nb, acc);
              for (int r = 0; r < count; ++r)
                for (int t = 0; t < stored; ++t)
                  store_tile(out_tiles[t], clamp, acc[r * tiles + t], q,
                             yn + (size_t{ow} + static_cast<uint32_t>(r)) * s.out_c);
              ow += static_cast<uint32_t>(count);
            }
          }
        });
  }
}

// Longest class window (taps with a source pixel times Cin) the one-output-
// channel ConvTranspose path keeps on the stack.
constexpr uint32_t kMaxSingleWindow = 256;

// An undilated-along-W ConvTranspose with one output channel (the last layer
// of a decoder). Outputs of one position class modulo the stride have the
// same taps with a source pixel, and along W those taps (kw = first + j *
// stride) read consecutive input pixels (i0 - j). So an output is one dot
// product of, per kernel row with a source, a contiguous run of Lw * Cin
// input bytes with that row's class taps in reverse order; the lanes run
// along the window, and 16 outputs are requantized together. A 1-D layer
// reads its window in place; rows that reach the padding, and 2-D layers,
// copy it into a stack buffer first.
bool conv_transpose_single(const ref::ConvShape& s, const ref::LayerQuant& q, const int8_t* x,
                           const int8_t* w, const int32_t* bias, int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const auto sh = static_cast<uint32_t>(p.stride[0]), sw = static_cast<uint32_t>(p.stride[1]);
  const uint32_t cin = s.in_c;
  alignas(64) int8_t weights[kMaxSingleWindow];
  alignas(64) int8_t window[kMaxSingleWindow];
  uint32_t rows_h[kMaxIndirectTaps];
  for (uint32_t rh = 0; rh < sh && rh < s.out_h; ++rh)
    for (uint32_t rw = 0; rw < sw && rw < s.out_w; ++rw) {
      // The class's kernel rows with a source, and its first W tap.
      uint32_t lh = 0;
      for (uint32_t kh = 0; kh < kh_count; ++kh)
        if (positive_mod(int64_t{rh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0], sh) == 0)
          rows_h[lh++] = kh;
      const int64_t first_w = positive_mod(int64_t{rw} + p.pad_begin[1], sw);
      const uint32_t lw =
          first_w < kw_count ? static_cast<uint32_t>((kw_count - 1 - first_w) / sw + 1) : 0;
      const uint32_t run = lw * cin, length = lh * run;
      if (length > kMaxSingleWindow) return false;
      // Window position (a, t): kernel row rows_h[a], tap first_w + (lw - 1 - t) * sw.
      int32_t weight_sum = 0;
      for (uint32_t a = 0; a < lh; ++a)
        for (uint32_t t = 0; t < lw; ++t) {
          const auto kw = static_cast<uint32_t>(first_w) + (lw - 1 - t) * sw;
          const size_t r = (size_t{rows_h[a]} * kw_count + kw) * cin;  // packed row r at byte r
          for (uint32_t ic = 0; ic < cin; ++ic) {
            weights[(a * lw + t) * cin + ic] = w[r + ic];
            weight_sum += w[r + ic];
          }
        }
      const __m512i correction =
          _mm512_set1_epi32((q.in_zp + 128) * weight_sum - (bias != nullptr ? bias[0] : 0));
      const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
      for (uint32_t n = 0; n < s.batch; ++n)
        for (uint32_t oh = rh; oh < s.out_h; oh += sh) {
          int8_t* y_row = y + (size_t{n} * s.out_h + oh) * s.out_w;
          // Divisions once per output row: each class kernel row's source
          // row (-1: none), and the first pixel's window start (the class's
          // next pixel starts one input pixel later). Both are exact.
          int64_t source_row[kMaxIndirectTaps];
          for (uint32_t a = 0; a < lh; ++a) {
            const int64_t t = int64_t{oh} + p.pad_begin[0] - int64_t{rows_h[a]} * p.dilation[0];
            const int64_t ih = t / static_cast<int64_t>(sh);
            source_row[a] = t >= 0 && ih < int64_t{s.in_h} ? ih : -1;
          }
          int64_t last = (int64_t{rw} + p.pad_begin[1] - first_w - int64_t{lw - 1} * sw) /
                         static_cast<int64_t>(sw);
          for (uint32_t ow0 = rw; ow0 < s.out_w;) {
            alignas(64) int32_t sums[16];
            uint32_t outputs[16];
            int count = 0;
            for (; count < 16 && ow0 < s.out_w; ++count, ow0 += sw, ++last) {
              const bool inside_w = last >= 0 && last + lw <= s.in_w;
              const int8_t* src = window;
              if (lh == 1 && inside_w && s.in_h == 1) {
                src = x + (size_t{n} * s.in_w + size_t(last)) * cin;  // 1-D: in place
              } else {
                for (uint32_t a = 0; a < lh; ++a) {
                  int8_t* dst = window + size_t{a} * run;
                  const bool row_in = source_row[a] >= 0;
                  const int8_t* x_row =
                      x + (size_t{n} * s.in_h + size_t(row_in ? source_row[a] : 0)) * s.in_w * cin;
                  for (uint32_t t = 0; t < lw; ++t) {
                    const int64_t iw = last + t;
                    const bool in = row_in && iw >= 0 && iw < int64_t{s.in_w};
                    // Masked 64-byte moves instead of a libc call per tap.
                    for (uint32_t c0 = 0; c0 < cin; c0 += 64) {
                      const uint32_t live = cin - c0 >= 64 ? 64 : cin - c0;
                      const __mmask64 m = live == 64 ? ~__mmask64{0} : (__mmask64{1} << live) - 1;
                      const __m512i v =
                          in ? _mm512_maskz_loadu_epi8(m, x_row + size_t(iw) * cin + c0)
                             : _mm512_set1_epi8(static_cast<char>(q.in_zp));
                      _mm512_mask_storeu_epi8(dst + size_t{t} * cin + c0, m, v);
                    }
                  }
                }
              }
              __m512i acc = _mm512_setzero_si512();
              for (uint32_t k0 = 0; k0 < length; k0 += 64) {
                const uint32_t live = length - k0 >= 64 ? 64 : length - k0;
                const __mmask64 lanes = live == 64 ? ~__mmask64{0} : (__mmask64{1} << live) - 1;
                const __m512i xv = _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, src + k0), flip);
                acc = _mm512_dpbusd_epi32(acc, xv, _mm512_maskz_loadu_epi8(lanes, weights + k0));
              }
              // Masked-off bytes read 128 against a zero weight: nothing added.
              sums[count] = _mm512_reduce_add_epi32(acc);
              outputs[count] = ow0;
            }
            const auto lanes = static_cast<__mmask16>((1u << count) - 1u);
            const __m512i sum = _mm512_sub_epi32(_mm512_maskz_load_epi32(lanes, sums), correction);
            alignas(16) int8_t out[16];
            store_bytes16(out, lanes,
                          requantize16(sum, _mm512_set1_epi32(q.out.multiplier[0]),
                                       _mm512_set1_epi32(q.out.shift[0]), q.out));
            for (int k = 0; k < count; ++k) y_row[outputs[k]] = out[k];
          }
        }
    }
  return true;
}

}  // namespace

void dense_s8_avx512vnni(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                         const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                         int8_t* y) {
  if (s.n == 1) {
    // One output column (a Cout-1 conv's gathered rows): B is then K
    // contiguous weights, so the lanes run along K instead.
    for (uint32_t m = 0; m < s.m; ++m) {
      const int8_t* am = a + size_t{m} * s.k;
      __m512i acc = _mm512_setzero_si512();
      for (uint32_t k0 = 0; k0 < s.k; k0 += 64) {
        const uint32_t live = s.k - k0 >= 64 ? 64 : s.k - k0;
        const __mmask64 lanes = live == 64 ? ~__mmask64{0} : (__mmask64{1} << live) - 1;
        const __m512i av = _mm512_xor_si512(_mm512_maskz_loadu_epi8(lanes, am + k0),
                                            _mm512_set1_epi8(static_cast<char>(0x80)));
        acc = _mm512_dpbusd_epi32(acc, av, _mm512_maskz_loadu_epi8(lanes, b + k0));
      }
      // Masked-off bytes read 128 against a zero weight: nothing added.
      const auto total = static_cast<uint32_t>(_mm512_reduce_add_epi32(acc));
      const int32_t sum = static_cast<int32_t>(total - static_cast<uint32_t>(q.in_zp + 128) *
                                                           static_cast<uint32_t>(column_sums[0]));
      store_requantized(s, q, bias, m, 0, 1, &sum, y);
    }
    return;
  }
  // A bias that varies by row ([M, N]) needs its tiles per row; the usual
  // [N] bias shares them across rows.
  const bool bias_per_row = bias != nullptr && s.bias_stride_m != 0;
  auto bias_row = [&](uint32_t m) {
    return bias != nullptr ? bias + size_t{m} * s.bias_stride_m : nullptr;
  };
  for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t n0 = nb; n0 < ne;) {
      // Up to 8 tiles (128 columns) of one row, or up to 4 tiles of 4 rows.
      const uint32_t left = ne - n0;
      const int tiles = left >= 128 ? 8 : static_cast<int>((left + 15) / 16);
      const bool masked = left % 16 != 0 && left < 128;
      OutputTile out_tiles[8];
      const OutputClamp clamp = output_clamp(q.out);
      int stored =
          output_tiles(n0, tiles, ne, bias_row(0), s.bias_stride_n == 1, column_sums, q, out_tiles);
      for (uint32_t m = 0; m < s.m;) {
        const int rows = rows_for(tiles, s.m - m);
        __m512i acc[16];
        dot_any(rows, tiles, masked, a + size_t{m} * s.k, s.k, s.k, block, row, n0 - nb, ne - nb,
                acc);
        for (int r = 0; r < rows; ++r) {
          const uint32_t mr = m + static_cast<uint32_t>(r);
          if (bias_per_row)
            stored = output_tiles(n0, tiles, ne, bias_row(mr), s.bias_stride_n == 1, column_sums, q,
                                  out_tiles);
          for (int t = 0; t < stored; ++t)
            store_tile(out_tiles[t], clamp, acc[r * tiles + t], q, y + size_t{mr} * s.n);
        }
        m += static_cast<uint32_t>(rows);
      }
      n0 += 16u * static_cast<uint32_t>(tiles);
    }
  });
}

bool conv_s8_avx512vnni(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                        const int8_t* x, const int8_t* w, const int32_t* bias,
                        const int32_t* column_sums, int8_t* scratch, int8_t* y) {
  const bool one_d = s.in_h == 1 && s.out_h == 1 && s.p.kernel[0] == 1;
  // Output pixels in the lanes: every vpdpbusd full, whatever Cout is.
  if (one_d && conv1d_lanes_avx512vnni(s, transposed, q, x, w, bias, y)) return true;
  if (!transposed && conv1d_lanes_one_input_avx512vnni(s, q, x, w, bias, y)) return true;
  if (!transposed && one_d && s.p.dilation[1] == 1) {
    conv1d_windowed(s, q, x, w, bias, column_sums, scratch, y);
    return true;
  }
  if (transposed && s.out_c == 1 && conv_transpose1d_lanes_single_avx512vnni(s, q, x, w, bias, y))
    return true;
  if (transposed && s.out_c == 1 && conv_transpose_one_channel_avx512vnni(s, q, x, w, bias, y))
    return true;
  if (transposed && s.out_c == 1 && s.p.dilation[1] == 1 &&
      static_cast<uint32_t>(s.p.kernel[0]) <= kMaxIndirectTaps)
    return conv_transpose_single(s, q, x, w, bias, y);
  // (A 1-D ConvTranspose the lane kernel declines stays on the indirect
  // kernel: measured faster there than by rows, with few taps per output.)
  if (transposed && s.out_c > 1 && !one_d &&
      conv_transpose_rows_avx512vnni(s, q, x, w, bias, column_sums, y))
    return true;
  if (!transposed && !one_d && conv2d_rows_avx512vnni(s, q, x, w, bias, column_sums, y))
    return true;
  if (s.in_c % 4 != 0 || s.out_c == 1) return false;  // the gathered path does these better
  if (transposed)
    conv_indirect<true>(s, q, x, w, bias, column_sums, scratch, y);
  else
    conv_indirect<false>(s, q, x, w, bias, column_sums, scratch, y);
  return true;
}

}  // namespace edgeae::simd
