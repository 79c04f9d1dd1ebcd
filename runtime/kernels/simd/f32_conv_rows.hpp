// 1-D convolutions (kernel height 1: every row on its own) whose channels are
// too few for f32_conv.hpp's channel-vectorized tiles: the first Conv of an
// encoder (one input channel) and the last ConvTranspose of a decoder (one
// output channel). Both run without bounds checks in the inner loops by
// first copying a chunk of the input row, zero-padded, to the stack.
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include <string.h>

#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"

namespace edgeae::simd {
namespace {

// Rows are independent: kernel height 1, no stride, padding or output
// padding along H (a 1-D layer as the converter writes it).
inline bool rows_independent(const ref::ConvShape& s) {
  const format::ConvParams& p = s.p;
  return p.kernel[0] == 1 && p.stride[0] == 1 && p.pad_begin[0] == 0 && s.out_h == s.in_h;
}

constexpr uint32_t kRowChunkFloats = 4096;  // stack copy of an input chunk (16 KiB)

// out = input columns [first, first + columns) of a row of `width` columns
// of `cin` floats, zeros where they fall outside it.
inline void copy_row_zero_padded(const float* row, uint32_t width, uint32_t cin, int64_t first,
                                 uint32_t columns, float* out) {
  const int64_t end = first + columns;
  const int64_t in_begin = first < 0 ? 0 : first;
  const int64_t in_end = end > int64_t(width) ? int64_t(width) : end;
  const size_t before = size_t((in_begin < end ? in_begin : end) - first) * cin;
  memset(out, 0, before * sizeof(float));
  size_t inside = 0;
  if (in_end > in_begin) {
    inside = size_t(in_end - in_begin) * cin;
    memcpy(out + before, row + size_t(in_begin) * cin, inside * sizeof(float));
  }
  memset(out + before + inside, 0, (size_t(columns) * cin - before - inside) * sizeof(float));
}

// Conv with few input channels: each output pixel's window of KW * Cin
// inputs is contiguous in the zero-padded copy, so an output pixel is
// sum_r x[r] * w[r] over R = KW * Cin weight rows of Cout floats. Tiles of
// P pixels by one vector of channels: P accumulators fed by one weight
// vector and P broadcasts per row.
template <class A>
bool conv_few_inputs_rows(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  constexpr uint32_t P = kVectorRegisters<A> >= 32 ? 14 : 6;
  constexpr uint32_t kChunkPixels = 128;  // output pixels per input copy
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c, kw_count = uint32_t(p.kernel[1]);
  const uint32_t stride = uint32_t(p.stride[1]), dilation = uint32_t(p.dilation[1]);
  const uint32_t rows_w = kw_count * cin;  // weight rows per output pixel
  if (c.cin_g != cin || !rows_independent(s) || s.out_c % L != 0 || cin > 4 || dilation != 1)
    return false;
  // Input floats one chunk of output pixels reads.
  const size_t span = (size_t(kChunkPixels - 1) * stride + kw_count) * cin;
  if (span > kRowChunkFloats) return false;
  alignas(64) float xs[kRowChunkFloats];
  const int64_t pad = p.pad_begin[1];
  for (uint32_t row = 0; row < s.batch * s.out_h; ++row) {
    const float* x_row = c.x + size_t(row) * s.in_w * cin;
    float* y_row = c.y + size_t(row) * s.out_w * s.out_c;
    for (uint32_t o0 = 0; o0 < s.out_w; o0 += kChunkPixels) {
      const uint32_t pixels = s.out_w - o0 < kChunkPixels ? s.out_w - o0 : kChunkPixels;
      // Input columns [first, first + columns) of this chunk (at least a
      // whole tile's), zero outside the row.
      const int64_t first = int64_t(o0) * stride - pad;
      const uint32_t columns = ((pixels > P ? pixels : P) - 1) * stride + kw_count;
      copy_row_zero_padded(x_row, s.in_w, cin, first, columns, xs);
      for (uint32_t oc = 0; oc < s.out_c; oc += L) {
        const B b0 = c.bias ? B::load_unaligned(c.bias + oc) : B(0.0f);
        for (uint32_t q0 = 0; q0 < pixels; q0 += P) {
          // The last tile recomputes pixels of the one before instead of
          // running short (same values, stored twice).
          const uint32_t q_first = pixels >= P && q0 + P > pixels ? pixels - P : q0;
          const uint32_t count = pixels < P ? pixels : P;
          B acc[P][1];
#pragma GCC unroll 16
          for (uint32_t q = 0; q < P; ++q) acc[q][0] = b0;
          const float* xq = xs + size_t(q_first) * stride * cin;
          const size_t x_step = size_t(stride) * cin;
          for (uint32_t r = 0; r < rows_w; ++r) {
            const B wv = B::load_unaligned(c.w + size_t(r) * s.out_c + oc);
#pragma GCC unroll 16
            for (uint32_t q = 0; q < P; ++q)
              acc[q][0] = xsimd::fma(B(xq[q * x_step + r]), wv, acc[q][0]);
          }
          activate_tile<A, int(P), 1>(c.act, acc, oc);
          for (uint32_t q = 0; q < count; ++q)
            acc[q][0].store_unaligned(y_row + size_t(o0 + q_first + q) * s.out_c + oc);
        }
      }
    }
  }
  return true;
}

#if defined(__AVX512F__)
// dst row i = column i of the 16 x 16 block whose rows are at src + r * src_stride.
inline void transpose_16x16(const float* src, size_t src_stride, float* dst, size_t dst_stride) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * src_stride);
  // 4 x 4 blocks within each 128-bit lane: afterwards lane j of r[4i + k]
  // holds rows 4i .. 4i + 3 of column 4j + k.
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  // Gather lane j of r[k], r[4 + k], r[8 + k], r[12 + k] into row 4j + k.
  for (int k = 0; k < 4; ++k) {
    const __m512 a = _mm512_shuffle_f32x4(r[k], r[4 + k], 0x44);
    const __m512 b = _mm512_shuffle_f32x4(r[k], r[4 + k], 0xEE);
    const __m512 c = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0x44);
    const __m512 d = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0xEE);
    _mm512_storeu_ps(dst + k * dst_stride, _mm512_shuffle_f32x4(a, c, 0x88));
    _mm512_storeu_ps(dst + (4 + k) * dst_stride, _mm512_shuffle_f32x4(a, c, 0xDD));
    _mm512_storeu_ps(dst + (8 + k) * dst_stride, _mm512_shuffle_f32x4(b, d, 0x88));
    _mm512_storeu_ps(dst + (12 + k) * dst_stride, _mm512_shuffle_f32x4(b, d, 0xDD));
  }
}
#endif

// out[ic * columns + u] = input column first + u, channel ic, of a row of
// `width` columns of `cin` floats (zero outside it), for u < columns.
template <class A>
void transpose_row_zero_padded(const float* row, uint32_t width, uint32_t cin, int64_t first,
                               uint32_t columns, float* out) {
  uint32_t u = 0;
#if defined(__AVX512F__)
  if (std::is_same_v<A, xsimd::avx512f>) {
    // Columns before the row and channels past the last multiple of 16 go
    // the scalar way below, whole 16 x 16 blocks inside the row this way.
    for (; u < columns && first + u < 0; ++u)
      for (uint32_t ic = 0; ic < cin; ++ic) out[size_t(ic) * columns + u] = 0.0f;
    for (; u + 16 <= columns && first + u + 16 <= int64_t(width); u += 16) {
      const float* src = row + size_t(first + u) * cin;
      uint32_t ic = 0;
      for (; ic + 16 <= cin; ic += 16)
        transpose_16x16(src + ic, cin, out + size_t(ic) * columns + u, columns);
      for (; ic < cin; ++ic)
        for (uint32_t l = 0; l < 16; ++l) out[size_t(ic) * columns + u + l] = src[l * cin + ic];
    }
  }
#endif
  for (; u < columns; ++u) {
    const int64_t iw = first + u;
    const bool in = iw >= 0 && iw < int64_t(width);
    for (uint32_t ic = 0; ic < cin; ++ic)
      out[size_t(ic) * columns + u] = in ? row[size_t(iw) * cin + ic] : 0.0f;
  }
}

// ConvTranspose with one output channel. Output column ow = r + stride * j
// (tap class r = ow mod stride) gathers, for each tap kw of its class,
// input column j + base(kw). Vectorized over j: a chunk of the input row is
// transposed to [Cin][columns] once, then every output vector is a sum of
// Cin * taps FMAs of a broadcast weight and an unaligned load (no
// horizontal sums, no scattered read-modify-writes).
template <class A>
bool conv_transpose_single_output_rows(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  // Accumulators per class: enough independent FMA chains to cover the
  // FMA latency.
  constexpr uint32_t V = kVectorRegisters<A> >= 32 ? 8 : 4;
  constexpr uint32_t J = V * L;  // class columns per chunk
  constexpr uint32_t kMaxStride = 8, kMaxKernel = 64;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c, kw_count = uint32_t(p.kernel[1]);
  const int32_t stride = p.stride[1];
  if (s.out_c != 1 || c.cin_g != cin || !rows_independent(s) || stride > int32_t(kMaxStride) ||
      kw_count > kMaxKernel)
    return false;
  // The taps of each class (tap_begin[r] .. tap_begin[r + 1]) and the input
  // column offset each reads; lo/hi: the smallest and largest offset.
  int32_t tap_kw[kMaxKernel], tap_base[kMaxKernel];
  uint32_t tap_begin[kMaxStride + 1], taps = 0;
  int32_t lo = 0, hi = 0;
  for (int32_t r = 0; r < stride; ++r) {
    tap_begin[r] = taps;
    for (int32_t kw = 0; kw < int32_t(kw_count); ++kw) {
      const int32_t t = r + p.pad_begin[1] - kw * p.dilation[1];
      const int32_t rem = ((t % stride) + stride) % stride;
      if (rem != 0) continue;
      const int32_t base = (t - rem) / stride;
      if (taps == 0 || base < lo) lo = base;
      if (taps == 0 || base > hi) hi = base;
      tap_kw[taps] = kw;
      tap_base[taps++] = base;
    }
  }
  tap_begin[stride] = taps;
  // Transposed chunk: Cin rows of `width` columns (input columns j0 + lo ...).
  const uint32_t width = (J + uint32_t(hi - lo) + L - 1) / L * L;
  if (size_t(cin) * width > kRowChunkFloats) return false;
  alignas(64) float xt[kRowChunkFloats];
  alignas(64) float yc[J];
  const float b0 = c.bias ? c.bias[0] : 0.0f;
  for (uint32_t row = 0; row < s.batch * s.out_h; ++row) {
    const float* x_row = c.x + size_t(row) * s.in_w * cin;
    float* y_row = c.y + size_t(row) * s.out_w;
    const uint32_t class_cols = (s.out_w + uint32_t(stride) - 1) / uint32_t(stride);
    for (uint32_t j0 = 0; j0 < class_cols; j0 += J) {
      transpose_row_zero_padded<A>(x_row, s.in_w, cin, int64_t(j0) + lo, width, xt);
      for (int32_t r = 0; r < stride; ++r) {
        // Output columns r + stride * j of this chunk.
        const uint32_t ow0 = uint32_t(r) + uint32_t(stride) * j0;
        if (ow0 >= s.out_w) continue;
        const uint32_t count_left = (s.out_w - ow0 + uint32_t(stride) - 1) / uint32_t(stride);
        const uint32_t count = count_left < J ? count_left : J;
        B acc[V];
#pragma GCC unroll 16
        for (uint32_t v = 0; v < V; ++v) acc[v] = B(b0);
        for (uint32_t t = tap_begin[r]; t < tap_begin[r + 1]; ++t) {
          const float* wk = c.w + size_t(tap_kw[t]) * cin;
          const float* xk = xt + (tap_base[t] - lo);
          for (uint32_t ic = 0; ic < cin; ++ic) {
            const B wb(wk[ic]);
            const float* xr = xk + size_t(ic) * width;
#pragma GCC unroll 16
            for (uint32_t v = 0; v < V; ++v)
              acc[v] = xsimd::fma(wb, B::load_unaligned(xr + v * L), acc[v]);
          }
        }
        if (stride == 1 && count == J) {
#pragma GCC unroll 16
          for (uint32_t v = 0; v < V; ++v)
            activate<A>(c.act, acc[v], 0).store_unaligned(y_row + ow0 + v * L);
          continue;
        }
#pragma GCC unroll 16
        for (uint32_t v = 0; v < V; ++v) activate<A>(c.act, acc[v], 0).store_aligned(yc + v * L);
        for (uint32_t j = 0; j < count; ++j) y_row[ow0 + uint32_t(stride) * j] = yc[j];
      }
    }
  }
  return true;
}

}  // namespace
}  // namespace edgeae::simd
