// 2-D int8 Conv and one-output-channel ConvTranspose for AVX-512 VNNI:
// vpdpbusd on (x + 128) as u8 times the int8 weights, corrected by (zp + 128)
// times the weight sums, as in the VNNI Dense (s8_dense.hpp).
#include <immintrin.h>
#include <string.h>

#include "kernels/simd/s8_avx512_common.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {
namespace {

constexpr int32_t kFlipQuad = static_cast<int32_t>(0x80808080u);

// ---------------------------------------------------------------------------
// Conv, 2-D, undilated along W. Output pixel (n, oh, ow) reads KH runs of
// KW * Cin contiguous input bytes (one per kernel row, rows ih = oh * sh -
// ph + kh * dh, from column ow * sw - pw), which are the packed weights'
// rows kh * KW * Cin ... in order. Each run is read as Lq = ceil(KW * Cin / 4)
// quads; when KW * Cin is not a multiple of 4 the weights are re-packed with
// every kernel row padded to whole quads (zero weights), so the few bytes
// read past a run add nothing. Pixels whose runs reach the padding get theirs
// built in a stack buffer (zero points outside the input).

// Weights re-packed on the stack: at most this many bytes (16 columns of
// the largest built pixel).
constexpr uint32_t kMaxRepacked = 16384;
// A built pixel (KH * Lq quads) is at most this many bytes.
constexpr uint32_t kMaxBuiltPixel = 1024;  // a multiple of 64

// acc[r * kTiles + t] += the dot product of pixel r's KH runs (run kh at
// src[r] + kh * step[r]) with kTiles x 16 weight columns from n0.
template <int kRows, int kTiles, bool kMasked>
void run_dot_tiles(const int8_t* const* src, const size_t* step, uint32_t kh_count, uint32_t lq,
                   const int8_t* b, size_t row, uint32_t n0, uint32_t n, __m512i* out) {
  __m512i acc[kRows * kTiles];
  __mmask16 mask[kTiles];
#pragma GCC unroll 16
  for (int t = 0; t < kTiles; ++t) {
    const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
    const uint32_t live = first >= n ? 0 : (n - first >= 16 ? 16 : n - first);
    mask[t] = static_cast<__mmask16>((1u << live) - 1u);
  }
#pragma GCC unroll 16
  for (int i = 0; i < kRows * kTiles; ++i) acc[i] = _mm512_setzero_si512();
  const int8_t* bq = b + size_t{n0} * 4;
  for (uint32_t kh = 0; kh < kh_count; ++kh) {
    const int8_t* run[kRows];
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) run[r] = src[r] + kh * step[r];
    for (uint32_t j = 0; j < lq; ++j, bq += row) {
      __m512i w[kTiles];
#pragma GCC unroll 16
      for (int t = 0; t < kTiles; ++t)
        w[t] = kMasked ? _mm512_maskz_loadu_epi32(mask[t], bq + 64 * t)
                       : _mm512_loadu_si512(bq + 64 * t);
#pragma GCC unroll 16
      for (int r = 0; r < kRows; ++r) {
        int32_t quad;
        memcpy(&quad, run[r] + j * 4, 4);
        const __m512i av = _mm512_set1_epi32(quad ^ kFlipQuad);
#pragma GCC unroll 16
        for (int t = 0; t < kTiles; ++t)
          acc[r * kTiles + t] = _mm512_dpbusd_epi32(acc[r * kTiles + t], av, w[t]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < kRows * kTiles; ++i) out[i] = acc[i];
}

void run_dot_any(int rows, int tiles, bool masked, const int8_t* const* src, const size_t* step,
                 uint32_t kh_count, uint32_t lq, const int8_t* b, size_t row, uint32_t n0,
                 uint32_t n, __m512i* acc) {
  switch (rows * 100 + tiles * 2 + (masked ? 1 : 0)) {
#define EDGEAE_RUN_CASE(r, t)                                                       \
  case r * 100 + 2 * t:                                                             \
    return run_dot_tiles<r, t, false>(src, step, kh_count, lq, b, row, n0, n, acc); \
  case r * 100 + 2 * t + 1:                                                         \
    return run_dot_tiles<r, t, true>(src, step, kh_count, lq, b, row, n0, n, acc);
    EDGEAE_RUN_CASE(1, 1)
    EDGEAE_RUN_CASE(1, 2)
    EDGEAE_RUN_CASE(1, 3)
    EDGEAE_RUN_CASE(1, 4)
    EDGEAE_RUN_CASE(4, 1)
    EDGEAE_RUN_CASE(4, 2)
    EDGEAE_RUN_CASE(4, 3)
    EDGEAE_RUN_CASE(4, 4)
    EDGEAE_RUN_CASE(8, 1)
    EDGEAE_RUN_CASE(8, 2)
#undef EDGEAE_RUN_CASE
    default:
      return;
  }
}

}  // namespace

bool conv2d_rows_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q, const int8_t* x,
                            const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                            int8_t* y) {
  const format::ConvParams& p = s.p;
  if (p.dilation[1] != 1) return false;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t run = kw_count * s.in_c, lq = (run + 3) / 4;
  const uint32_t built = kh_count * lq * 4;
  if (built > kMaxBuiltPixel) return false;
  const size_t x_bytes = size_t{s.batch} * s.in_h * s.in_w * s.in_c;
  const size_t row_bytes = size_t{s.in_w} * s.in_c;
  const size_t pixels = size_t{s.batch} * s.out_h * s.out_w;
  alignas(64) int8_t edge[8][kMaxBuiltPixel];
  // Pixel (n, oh, ow)'s first run and the step between its runs: in place, or
  // built into `buffer`.
  auto locate = [&](size_t n, uint32_t oh, uint32_t ow, int8_t* buffer, const int8_t** src,
                    size_t* step) {
    const int64_t ih0 = int64_t{oh} * p.stride[0] - p.pad_begin[0];
    const int64_t ih_last = ih0 + int64_t{kh_count - 1} * p.dilation[0];
    const int64_t iw0 = int64_t{ow} * p.stride[1] - p.pad_begin[1];
    if (ih0 >= 0 && ih_last < int64_t{s.in_h} && iw0 >= 0 && iw0 + kw_count <= s.in_w) {
      const size_t first = (n * s.in_h + size_t(ih0)) * row_bytes + size_t(iw0) * s.in_c;
      const size_t stride = size_t(p.dilation[0]) * row_bytes;
      // The quads of the last run may read up to 3 bytes past it.
      if (first + (kh_count - 1) * stride + lq * 4 <= x_bytes) {
        *src = x + first;
        *step = stride;
        return;
      }
    }
    // 64-byte stores: a memset here compiles to rep stos, slow to start.
    const __m512i zp = _mm512_set1_epi8(static_cast<char>(q.in_zp));
    for (uint32_t i = 0; i < built; i += 64) _mm512_store_si512(buffer + i, zp);
    for (uint32_t kh = 0; kh < kh_count; ++kh) {
      const int64_t ih = ih0 + int64_t{kh} * p.dilation[0];
      if (ih < 0 || ih >= int64_t{s.in_h}) continue;
      const int64_t lo = iw0 < 0 ? -iw0 : 0;
      const int64_t hi = int64_t{s.in_w} - iw0 < kw_count ? int64_t{s.in_w} - iw0 : kw_count;
      if (lo >= hi) continue;
      memcpy(buffer + size_t{kh} * lq * 4 + size_t(lo) * s.in_c,
             x + (n * s.in_h + size_t(ih)) * row_bytes + size_t(iw0 + lo) * s.in_c,
             size_t(hi - lo) * s.in_c);
    }
    *src = buffer;
    *step = lq * 4;
  };
  // Columns [nb, ne) of weights `block` ([KH * Lq][ne - nb][4]): 64 at a time.
  auto columns = [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t n0 = nb; n0 < ne; n0 += 64) {
      const uint32_t left = ne - n0;
      const int tiles = left >= 64 ? 4 : static_cast<int>((left + 15) / 16);
      const bool masked = left % 16 != 0 && left < 64;
      OutputTile out_tiles[4];
      const OutputClamp clamp = output_clamp(q.out);
      const int stored = output_tiles(n0, tiles, ne, bias, true, column_sums, q, out_tiles);
      size_t n = 0;  // pixel's coordinates, advanced with it (no divisions)
      uint32_t oh = 0, ow = 0;
      for (size_t pixel = 0; pixel < pixels;) {
        const int rows = rows_for(tiles, pixels - pixel);
        const int8_t* src[8];
        size_t step[8];
        for (int r = 0; r < rows; ++r) {
          locate(n, oh, ow, edge[r], &src[r], &step[r]);
          if (++ow == s.out_w) {
            ow = 0;
            if (++oh == s.out_h) {
              oh = 0;
              ++n;
            }
          }
        }
        __m512i acc[16];
        run_dot_any(rows, tiles, masked, src, step, kh_count, lq, block, row, n0 - nb, ne - nb,
                    acc);
        for (int r = 0; r < rows; ++r)
          for (int t = 0; t < stored; ++t)
            store_tile(out_tiles[t], clamp, acc[r * tiles + t], q,
                       y + (pixel + size_t(r)) * s.out_c);
        pixel += size_t(rows);
      }
    }
  };
  ref::DenseShape blocks;  // the packed weights' column blocks
  blocks.n = s.out_c;
  blocks.k = kh_count * run;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  if (run % 4 == 0) {
    for_each_column_block(blocks, w, columns);  // kernel row kh's quads already at kh * Lq
    return true;
  }
  // Re-packed with every kernel row padded to whole quads, a few columns at
  // a time (addresses by shifts, not packed_dense_offset's divisions: this
  // runs on every call).
  alignas(64) int8_t repacked[kMaxRepacked];
  const uint32_t chunk = kMaxRepacked / built >= 64 ? 64 : kMaxRepacked / built / 16 * 16;
  for_each_column_block(blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t c0 = nb; c0 < ne; c0 += chunk) {
      const uint32_t width = ne - c0 < chunk ? ne - c0 : chunk;
      memset(repacked, 0, size_t{built} * width);
      for (uint32_t kh = 0; kh < kh_count; ++kh)
        for (uint32_t i = 0; i < run; ++i) {
          const uint32_t from = kh * run + i, to = kh * lq * 4 + i;
          const int8_t* src = block + size_t{from / 4} * row + size_t{c0 - nb} * 4 + from % 4;
          int8_t* dst = repacked + size_t{to / 4} * width * 4 + to % 4;
          for (uint32_t c = 0; c < width; ++c) dst[size_t{c} * 4] = src[size_t{c} * 4];
        }
      columns(repacked, size_t{width} * 4, c0, c0 + width);
    }
  });
  return true;
}

// ---------------------------------------------------------------------------
// ConvTranspose, Cin % 4 == 0, any Cout. Input pixel (ih, iw) tap (kh, kw)
// adds z = sum_c (x - zp) * w[kh][kw][c][:] to output pixel (ih * sh - ph +
// kh * dh, iw * sw - pw + kw * dw). Per output row and column chunk: for each
// kernel row with a source row and each kw, the taps' weights times up to 8
// consecutive input pixels (read in place: rows of a Dense) are added into
// an int32 row of accumulators; the row is then requantized. Each tap's
// correction (zp + 128) * sum_c w is computed once per column chunk.

// int32 accumulators of one segment of an output row (8 KiB: a long row in
// one piece would push the weights out of L1).
constexpr uint32_t kSegmentAccumulators = 2048;

bool conv_transpose_rows_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                    const int8_t* x, const int8_t* w, const int32_t* bias,
                                    const int32_t* column_sums, int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t taps = kh_count * kw_count, quads = s.in_c / 4;
  if (s.in_c % 4 != 0 || taps > kMaxIndirectTaps) return false;
  const uint32_t chunk = 64;  // columns per pass
  alignas(64) int32_t acc[kSegmentAccumulators];
  __m512i correction[kMaxIndirectTaps][4];
  const int8_t* sources[8];
  const size_t unused_step[8] = {};
  const auto sw = static_cast<int64_t>(p.stride[1]);
  ref::DenseShape blocks;  // the packed weights' column blocks
  blocks.n = s.out_c;
  blocks.k = taps * s.in_c;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  for_each_column_block(blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
    for (uint32_t n0 = nb; n0 < ne; n0 += chunk) {
      const uint32_t left = ne - n0;
      const int tiles = static_cast<int>(((left < chunk ? left : chunk) + 15) / 16);
      const bool masked = left % 16 != 0 && left < chunk;
      const uint32_t width = 16u * static_cast<uint32_t>(tiles);  // accumulators per pixel
      const __m512i zp_bytes = _mm512_set1_epi8(static_cast<char>(q.in_zp + 128));
      for (uint32_t tap = 0; tap < taps; ++tap)
        for (int t = 0; t < tiles; ++t) {
          __m512i c = _mm512_setzero_si512();
          const int8_t* bq = block + size_t{tap} * quads * row + size_t{n0 - nb} * 4 + 64 * t;
          const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
          const auto lanes =
              static_cast<__mmask16>(ne - first >= 16 ? 0xFFFF : (1u << (ne - first)) - 1u);
          for (uint32_t j = 0; j < quads; ++j, bq += row)
            c = _mm512_dpbusd_epi32(c, zp_bytes, _mm512_maskz_loadu_epi32(lanes, bq));
          correction[tap][t] = c;
        }
      // The epilogue adds the bias alone: z is already corrected.
      OutputTile out_tiles[4];
      const OutputClamp clamp = output_clamp(q.out);
      const int stored = output_tiles(n0, tiles, ne, bias, true, column_sums, q, out_tiles);
      for (int t = 0; t < stored; ++t)
        out_tiles[t].offset = bias != nullptr ? _mm512_maskz_loadu_epi32(out_tiles[t].lanes,
                                                                         bias + out_tiles[t].first)
                                              : _mm512_setzero_si512();
      const int rows = rows_for(tiles, 8);
      const uint32_t segment = kSegmentAccumulators / width;  // output pixels
      for (size_t n = 0; n < s.batch; ++n)
        for (uint32_t oh = 0; oh < s.out_h; ++oh)
          for (uint32_t ow0 = 0; ow0 < s.out_w; ow0 += segment) {
            const uint32_t ow1 = s.out_w - ow0 < segment ? s.out_w : ow0 + segment;
            for (size_t i = 0; i < size_t{ow1 - ow0} * width; i += 16)
              _mm512_store_si512(acc + i, _mm512_setzero_si512());
            for (uint32_t kh = 0; kh < kh_count; ++kh) {
              const int64_t th = int64_t{oh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0];
              if (th < 0 || th % p.stride[0] != 0 || th / p.stride[0] >= int64_t{s.in_h}) continue;
              const int8_t* x_row = x + (n * s.in_h + size_t(th / p.stride[0])) * s.in_w * s.in_c;
              for (uint32_t kw = 0; kw < kw_count; ++kw) {
                const uint32_t tap = kh * kw_count + kw;
                // Input pixel iw lands on output iw * sw + d: those in [ow0, ow1).
                const int64_t d = int64_t{kw} * p.dilation[1] - p.pad_begin[1];
                const int64_t from = int64_t{ow0} - d, to = int64_t{ow1} - 1 - d;
                const int64_t lo = from <= 0 ? 0 : (from + sw - 1) / sw;
                const int64_t hi_out = to < 0 ? 0 : to / sw + 1;
                const int64_t hi = hi_out < int64_t{s.in_w} ? hi_out : int64_t{s.in_w};
                const int8_t* tap_weights = block + size_t{tap} * quads * row;
                for (int64_t iw0 = lo; iw0 < hi; iw0 += rows) {
                  // Rows past the last pixel repeat it; their sums are dropped.
                  for (int r = 0; r < rows; ++r)
                    sources[r] = x_row + size_t(iw0 + r < hi ? iw0 + r : hi - 1) * s.in_c;
                  __m512i z[16];
                  run_dot_any(rows, tiles, masked, sources, unused_step, 1, quads, tap_weights, row,
                              n0 - nb, ne - nb, z);
                  const int64_t count = hi - iw0 < rows ? hi - iw0 : rows;
                  for (int64_t r = 0; r < count; ++r) {
                    int32_t* dst = acc + size_t((iw0 + r) * sw + d - ow0) * width;
                    for (int t = 0; t < tiles; ++t) {
                      const __m512i sum = _mm512_sub_epi32(z[r * tiles + t], correction[tap][t]);
                      _mm512_store_si512(dst + 16 * t,
                                         _mm512_add_epi32(_mm512_load_si512(dst + 16 * t), sum));
                    }
                  }
                }
              }
            }
            int8_t* y_row = y + ((n * s.out_h + oh) * s.out_w + ow0) * s.out_c;
            for (uint32_t ow = 0; ow < ow1 - ow0; ++ow)
              for (int t = 0; t < stored; ++t)
                store_tile(out_tiles[t], clamp,
                           _mm512_load_si512(acc + size_t{ow} * width + 16 * t), q,
                           y_row + size_t{ow} * s.out_c);
          }
    }
  });
  return true;
}

// ---------------------------------------------------------------------------
// ConvTranspose with one output channel. Input pixel (ih, iw) tap (kh, kw)
// adds z = sum_c (x - zp) * w[kh][kw][c] to output (ih * sh - ph + kh * dh,
// iw * sw - pw + kw * dw). So per output row, for each kernel row kh with a
// source row ih, and each kw, the z of 16 consecutive input pixels (lanes
// along W, vpdpbusd over the quads of Cin) land on 16 outputs of one position
// class modulo sw, consecutive within it: one masked add into a class-major
// int32 row. The row is then interleaved, requantized and stored. Every (ih,
// kh, kw) is multiplied once; the input rows are transposed (quad-major, +128)
// once into a small cache.

constexpr size_t kMaxTransposedBytes = 16384;  // the transposed-row cache
constexpr uint32_t kMaxClassRow = 4096;        // int32 accumulators of one output row
constexpr uint32_t kMaxTapQuads = 2048;        // weight quads (taps x ceil(Cin / 4))

namespace {

// Row ih of batch item n, quad-major: quad j of pixel iw at [j * in_w + iw],
// each byte + 128 (as u8); bytes past Cin read 128 against zero weights.
void transpose_row(const ref::ConvShape& s, const int8_t* x, size_t n, size_t ih, int32_t* out) {
  const uint32_t full = s.in_c / 4, tail = s.in_c % 4;
  const int8_t* src = x + (n * s.in_h + ih) * s.in_w * s.in_c;
  for (uint32_t iw = 0; iw < s.in_w; ++iw, src += s.in_c) {
    for (uint32_t j = 0; j < full; ++j) {
      int32_t quad;
      memcpy(&quad, src + j * 4, 4);  // constant size: one load, no byte loop
      out[size_t{j} * s.in_w + iw] = quad ^ kFlipQuad;
    }
    if (tail != 0) {
      uint32_t quad = 0;
      for (uint32_t i = 0; i < tail; ++i)
        quad |= uint32_t{static_cast<uint8_t>(src[full * 4 + i])} << (8 * i);
      out[size_t{full} * s.in_w + iw] = static_cast<int32_t>(quad) ^ kFlipQuad;
    }
  }
}

}  // namespace

bool conv_transpose_one_channel_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                           const int8_t* x, const int8_t* w, const int32_t* bias,
                                           int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kh_count = static_cast<uint32_t>(p.kernel[0]);
  const auto kw_count = static_cast<uint32_t>(p.kernel[1]);
  const auto sh = static_cast<uint32_t>(p.stride[0]), sw = static_cast<uint32_t>(p.stride[1]);
  const uint32_t taps = kh_count * kw_count, quads = (s.in_c + 3) / 4;
  const uint32_t class_len = (s.out_w + sw - 1) / sw;             // the longest class
  const uint32_t class_stride = (class_len + 15) / 16 * 16 + 16;  // room for whole vectors
  const size_t transposed_row = size_t{quads} * s.in_w * 4;
  if (taps > kMaxIndirectTaps || size_t{taps} * quads > kMaxTapQuads ||
      size_t{class_stride} * sw > kMaxClassRow || transposed_row > kMaxTransposedBytes)
    return false;
  // Weight quads per tap (the packed weights of one column are the rows in
  // order, r = tap * Cin + c), and each tap's correction (zp + 128) * sum w.
  alignas(64) int32_t weight_quads[kMaxTapQuads];
  int32_t correction[kMaxIndirectTaps];
  for (uint32_t t = 0; t < taps; ++t) {
    int32_t sum = 0;
    for (uint32_t j = 0; j < quads; ++j) {
      int32_t quad = 0;
      const uint32_t live = s.in_c - j * 4 >= 4 ? 4 : s.in_c - j * 4;
      memcpy(&quad, w + size_t{t} * s.in_c + j * 4, live);
      weight_quads[t * quads + j] = quad;
      for (uint32_t i = 0; i < live; ++i) sum += w[size_t{t} * s.in_c + j * 4 + i];
    }
    correction[t] =
        static_cast<int32_t>(static_cast<uint32_t>(q.in_zp + 128) * static_cast<uint32_t>(sum));
  }
  // Transposed rows cached by (n, ih), direct-mapped.
  alignas(64) int32_t cache[kMaxTransposedBytes / 4];
  const size_t slots = kMaxTransposedBytes / transposed_row;
  int64_t cached[64];
  const size_t slot_count = slots < 64 ? slots : 64;
  for (size_t i = 0; i < slot_count; ++i) cached[i] = -1;
  auto source_row = [&](size_t n, size_t ih) -> const int32_t* {
    const size_t key = n * s.in_h + ih, slot = key % slot_count;
    int32_t* rows = cache + slot * (transposed_row / 4);
    if (cached[slot] != static_cast<int64_t>(key)) {
      transpose_row(s, x, n, ih, rows);
      cached[slot] = static_cast<int64_t>(key);
    }
    return rows;
  };
  alignas(64) int32_t acc[kMaxClassRow];
  const __m512i start = _mm512_set1_epi32(bias != nullptr ? bias[0] : 0);
  const __m512i mult = _mm512_set1_epi32(q.out.multiplier[0]);
  const __m512i shift = _mm512_set1_epi32(q.out.shift[0]);
  // Lane i of an interleaved pair of classes (sw == 2): class i % 2, entry i / 2.
  const __m512i pair_lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  for (size_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t i = 0; i < class_stride * sw; i += 16) _mm512_store_si512(acc + i, start);
      for (uint32_t kh = 0; kh < kh_count; ++kh) {
        const int64_t t = int64_t{oh} + p.pad_begin[0] - int64_t{kh} * p.dilation[0];
        if (t < 0 || t % sh != 0 || t / sh >= int64_t{s.in_h}) continue;
        const int32_t* xt = source_row(n, size_t(t / sh));
        for (uint32_t kw = 0; kw < kw_count; ++kw) {
          const uint32_t tap = kh * kw_count + kw;
          // Input pixel iw lands on output iw * sw + d: class rw, entry iw + off.
          const int64_t d = int64_t{kw} * p.dilation[1] - p.pad_begin[1];
          const auto rw = static_cast<uint32_t>(positive_mod(d, sw));
          if (rw >= s.out_w) continue;
          const int64_t off = (d - rw) / sw;
          const int64_t len = (s.out_w - rw + sw - 1) / sw;
          const int64_t lo = off < 0 ? -off : 0;
          const int64_t hi = len - off < int64_t{s.in_w} ? len - off : int64_t{s.in_w};
          int32_t* row = acc + size_t{rw} * class_stride;
          const __m512i corr = _mm512_set1_epi32(correction[tap]);
          for (int64_t iw = lo; iw < hi; iw += 16) {
            const auto lanes =
                static_cast<__mmask16>(hi - iw >= 16 ? 0xFFFF : (1u << (hi - iw)) - 1u);
            __m512i z = _mm512_sub_epi32(_mm512_setzero_si512(), corr);
            for (uint32_t j = 0; j < quads; ++j)
              z = _mm512_dpbusd_epi32(z, _mm512_maskz_loadu_epi32(lanes, xt + j * s.in_w + iw),
                                      _mm512_set1_epi32(weight_quads[tap * quads + j]));
            int32_t* dst = row + (iw + off);
            _mm512_mask_storeu_epi32(dst, lanes,
                                     _mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, dst), z));
          }
        }
      }
      int8_t* y_row = y + (n * s.out_h + oh) * s.out_w;
      for (uint32_t o = 0; o < s.out_w; o += 16) {
        __m512i sums;
        if (sw == 1) {
          sums = _mm512_load_si512(acc + o);
        } else if (sw == 2) {
          sums = _mm512_permutex2var_epi32(_mm512_loadu_si512(acc + o / 2), pair_lo,
                                           _mm512_loadu_si512(acc + class_stride + o / 2));
        } else {
          alignas(64) int32_t gathered[16];
          for (uint32_t i = 0; i < 16; ++i)
            gathered[i] = acc[size_t{(o + i) % sw} * class_stride + (o + i) / sw];
          sums = _mm512_load_si512(gathered);
        }
        const uint32_t live = s.out_w - o >= 16 ? 16 : s.out_w - o;
        store_bytes16(y_row + o, static_cast<__mmask16>((1u << live) - 1u),
                      requantize16(sums, mult, shift, q.out));
      }
    }
  return true;
}

}  // namespace edgeae::simd
