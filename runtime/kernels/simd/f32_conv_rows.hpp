// Convolutions whose channels are too few for f32_conv.hpp's
// channel-vectorized tiles: the first Conv of an encoder (one input channel)
// and the last ConvTranspose of a decoder (one output channel), 1-D or 2-D.
// Both run without bounds checks in the inner loops by first copying a band
// of input rows (a chunk of their columns), zero-padded, to the stack.
// Part of the float32 SIMD kernels; the same internal-linkage rules apply.
#pragma once

#include <string.h>

#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_conv.hpp"
#include "kernels/simd/f32_conv_transpose_s2.hpp"

namespace edgeae::simd {
namespace {

constexpr uint32_t kRowChunkFloats = 4096;  // stack copy of an input chunk (16 KiB)

// Copies input columns [first, first + columns) of rows of `width`
// columns of `cin` floats, zeros where they fall outside the row. The
// rows of a band all take the same split, so it is worked out once; a row
// is then a few vector stores (these rows are a few dozen floats, where
// libc calls per piece cost more than the copy). The zero fill rounds up to
// whole vectors: `out` needs kSlack floats of room past the row.
template <class A>
struct PaddedRowCopy {
  static constexpr size_t kSlack = Batch<A>::size;
  size_t before, inside, total;
  PaddedRowCopy(uint32_t width, uint32_t cin, int64_t first, uint32_t columns) {
    const int64_t end = first + columns;
    const int64_t in_begin = first < 0 ? 0 : first;
    const int64_t in_end = end > int64_t(width) ? int64_t(width) : end;
    before = size_t((in_begin < end ? in_begin : end) - first) * cin;
    inside = in_end > in_begin ? size_t(in_end - in_begin) * cin : 0;
    total = size_t(columns) * cin;
  }
  // out = the padded columns of a row whose column max(first, 0) is at
  // src (zeros only when src is null).
  void operator()(const float* src, float* out) const {
    using B = Batch<A>;
    constexpr size_t L = B::size;
    for (size_t i = 0; i < total; i += L) B(0.0f).store_unaligned(out + i);
    if (!src || inside == 0) return;
    float* dst = out + before;
    size_t i = 0;
    for (; i + L <= inside; i += L) B::load_unaligned(src + i).store_unaligned(dst + i);
#if defined(__AVX512F__)
    if constexpr (std::is_same_v<A, xsimd::avx512f>) {
      const __mmask16 tail = __mmask16((1u << (inside - i)) - 1);
      _mm512_mask_storeu_ps(dst + i, tail, _mm512_maskz_loadu_ps(tail, src + i));
      return;
    }
#endif
    for (; i < inside; ++i) dst[i] = src[i];
  }
};

// The activation (other than none and ReLU) on `pixels` stored vectors of
// channels oc.. at y, y + stride, ...: a separate pass so that the tiles
// keep their accumulators in registers instead of spilling them around the
// activation switch.
template <class A>
void activate_stored(const ActivationSpec& act, float* y, uint32_t pixels, size_t stride,
                     uint32_t oc) {
  using B = Batch<A>;
  for (uint32_t q = 0; q < pixels; ++q)
    activate<A>(act, B::load_unaligned(y + q * stride), oc).store_unaligned(y + q * stride);
}

// One tile of conv_few_inputs: P pixels (`count` of them stored) of one
// output row by one vector of channels from oc. kStep (input floats between
// two pixels) and kRows (weight rows per kernel row) when known at compile
// time, 0 otherwise: then the P broadcasts address constant offsets instead
// of P index registers, and a kernel row is one straight run of FMAs.
template <class A, uint32_t P, uint32_t kStep, uint32_t kRows>
void few_inputs_tile(const ConvCtx& c, const float* x_row, size_t x_step, size_t kh_floats,
                     uint32_t rows_w, uint32_t oc, uint32_t count, float* y) {
  using B = Batch<A>;
  const size_t step = kStep ? kStep : x_step;
  const uint32_t rows = kRows ? kRows : rows_w;
  const ref::ConvShape& s = c.s;
  const size_t w_step = s.out_c;
  const B b0 = c.bias ? B::load_unaligned(c.bias + oc) : B(0.0f);
  B acc[P];
#pragma GCC unroll 16
  for (uint32_t q = 0; q < P; ++q) acc[q] = b0;
  const uint32_t kh_count = uint32_t(s.p.kernel[0]);
  const float* wk = c.w + oc;
  for (uint32_t kh = 0; kh < kh_count; ++kh, x_row += kh_floats) {
#pragma GCC unroll 16
    for (uint32_t r = 0; r < rows; ++r, wk += w_step) {
      const B wv = B::load_unaligned(wk);
#pragma GCC unroll 16
      for (uint32_t q = 0; q < P; ++q) acc[q] = xsimd::fma(B(x_row[q * step + r]), wv, acc[q]);
    }
  }
  const Activation kind = c.act.kind;
  if (kind == Activation::kRelu) {
#pragma GCC unroll 16
    for (uint32_t q = 0; q < P; ++q) acc[q] = xsimd::max(acc[q], B(0.0f));
  }
  // Constant indices only (a loop to `count` would put acc in memory); the
  // stride in a local since the stores may alias anything.
  const size_t y_step = s.out_c;
#pragma GCC unroll 16
  for (uint32_t q = 0; q < P; ++q)
    if (q < count) acc[q].store_unaligned(y + q * y_step);
  if (kind != Activation::kRelu && kind != Activation::kNone)
    activate_stored<A>(c.act, y, count, y_step, oc);
}

// Conv with few input channels: for each kernel row kh, an output pixel's
// window of KW * Cin inputs is contiguous in a zero-padded copy of the input
// rows, so an output pixel is a sum over KH runs of R = KW * Cin weight rows
// of Cout floats. Tiles of P pixels of one output row by one vector of
// channels: P accumulators fed by one weight vector and P broadcasts per
// weight row.
template <class A>
bool conv_few_inputs(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  constexpr uint32_t P = kVectorRegisters<A> >= 32 ? 14 : 6;
  constexpr uint32_t kChunkPixels = 128;  // output pixels of a row per input copy
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c, kh_count = uint32_t(p.kernel[0]), kw_count = uint32_t(p.kernel[1]);
  const uint32_t stride_h = uint32_t(p.stride[0]), stride = uint32_t(p.stride[1]);
  const uint32_t dilation_h = uint32_t(p.dilation[0]);
  const uint32_t rows_w = kw_count * cin;  // weight rows per output pixel and kernel row
  if (c.cin_g != cin || s.out_c % L != 0 || cin > 4 || p.dilation[1] != 1) return false;
  // A chunk: output rows [oh0, oh0 + R), columns [o0, o0 + kChunkPixels);
  // row_floats: the input floats of one row such a chunk reads (at least a
  // whole tile's).
  const uint32_t chunk_cols = s.out_w < kChunkPixels ? s.out_w : kChunkPixels;
  const size_t row_floats =
      (size_t((chunk_cols > P ? chunk_cols : P) - 1) * stride + kw_count) * cin;
  const uint32_t window_h = (kh_count - 1) * dilation_h + 1;  // input rows of one output row
  if (window_h * row_floats > kRowChunkFloats) return false;
  const uint32_t fit = uint32_t((kRowChunkFloats / row_floats - window_h) / stride_h) + 1;
  const uint32_t R = fit < s.out_h ? fit : s.out_h;
  alignas(64) float xs[kRowChunkFloats + PaddedRowCopy<A>::kSlack];
  const int64_t pad_h = p.pad_begin[0], pad = p.pad_begin[1];
  const size_t x_step = size_t(stride) * cin, kh_floats = size_t(dilation_h) * row_floats;
  // The tile with its pixel step and row length known at compile time for
  // one input channel, KW 3, stride 1 or 2.
  auto tile = few_inputs_tile<A, P, 0, 0>;
  if (rows_w == 3 && x_step == 1) tile = few_inputs_tile<A, P, 1, 3>;
  if (rows_w == 3 && x_step == 2) tile = few_inputs_tile<A, P, 2, 3>;
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * cin;
    for (uint32_t oh0 = 0; oh0 < s.out_h; oh0 += R) {
      const uint32_t chunk_rows = s.out_h - oh0 < R ? s.out_h - oh0 : R;
      const uint32_t band_rows = (chunk_rows - 1) * stride_h + window_h;
      for (uint32_t o0 = 0; o0 < s.out_w; o0 += kChunkPixels) {
        const uint32_t pixels = s.out_w - o0 < kChunkPixels ? s.out_w - o0 : kChunkPixels;
        // Input columns [first, first + columns) of this chunk, zero
        // outside the input, for each input row of the band.
        const int64_t first = int64_t(o0) * stride - pad;
        const uint32_t columns = ((pixels > P ? pixels : P) - 1) * stride + kw_count;
        const PaddedRowCopy<A> copy(s.in_w, cin, first, columns);
        const float* x_first = x_image + (first > 0 ? size_t(first) * cin : 0);
        for (uint32_t r = 0; r < band_rows; ++r) {
          const int64_t ih = int64_t(oh0) * stride_h - pad_h + r;
          const bool inside = ih >= 0 && ih < int64_t(s.in_h);
          copy(inside ? x_first + size_t(ih) * s.in_w * cin : nullptr, xs + r * row_floats);
        }
        for (uint32_t row = 0; row < chunk_rows; ++row) {
          const float* x_row = xs + size_t(row) * stride_h * row_floats;
          float* y_row = c.y + ((size_t(n) * s.out_h + oh0 + row) * s.out_w + o0) * s.out_c;
          for (uint32_t oc = 0; oc < s.out_c; oc += L)
            for (uint32_t q0 = 0; q0 < pixels; q0 += P) {
              // The last tile recomputes pixels of the one before instead of
              // running short (same values, stored twice).
              const uint32_t q_first = pixels >= P && q0 + P > pixels ? pixels - P : q0;
              tile(c, x_row + q_first * x_step, x_step, kh_floats, rows_w, oc,
                   pixels < P ? pixels : P, y_row + size_t(q_first) * s.out_c + oc);
            }
        }
      }
    }
  }
  return true;
}

#if defined(__AVX512F__)
// dst row i = column i of the 16 x 16 block whose rows are at src + r * src_stride,
// of which rows skip .. rows - 1 are read (row skip at src) and the others
// taken as zeros.
inline void transpose_16x16(const float* src, size_t src_stride, uint32_t rows, float* dst,
                            size_t dst_stride, uint32_t skip = 0) {
  __m512 r[16], t[16];
  for (uint32_t i = 0; i < 16; ++i)
    r[i] = i >= skip && i < rows ? _mm512_loadu_ps(src + (i - skip) * src_stride)
                                 : _mm512_setzero_ps();
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
    // The last block may reach past the row: its missing columns are zeros.
    for (; u + 16 <= columns && first + u < int64_t(width); u += 16) {
      const float* src = row + size_t(first + u) * cin;
      const int64_t left = int64_t(width) - (first + u);
      const uint32_t valid = left < 16 ? uint32_t(left) : 16;
      uint32_t ic = 0;
      for (; ic + 16 <= cin; ic += 16)
        transpose_16x16(src + ic, cin, valid, out + size_t(ic) * columns + u, columns);
      for (; ic < cin; ++ic)
        for (uint32_t l = 0; l < 16; ++l)
          out[size_t(ic) * columns + u + l] = l < valid ? src[l * cin + ic] : 0.0f;
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

// The taps of a ConvTranspose along one axis by tap class r = output
// coordinate mod stride: class r has taps begin[r] .. begin[r + 1], and tap
// t (kernel index k[t]) makes class coordinate j read input coordinate
// j + base[t]; lo and hi are the smallest and largest base.
struct AxisTaps {
  static constexpr int32_t kMaxStride = 8, kMaxKernel = 64;
  int32_t k[kMaxKernel], base[kMaxKernel];
  uint32_t begin[kMaxStride + 1];
  int32_t lo, hi;
};

inline bool axis_taps(int32_t kernel, int32_t stride, int32_t pad, int32_t dilation, AxisTaps* a) {
  if (stride > AxisTaps::kMaxStride || kernel > AxisTaps::kMaxKernel) return false;
  uint32_t taps = 0;
  a->lo = a->hi = 0;
  for (int32_t r = 0; r < stride; ++r) {
    a->begin[r] = taps;
    for (int32_t k = 0; k < kernel; ++k) {
      const int32_t t = r + pad - k * dilation;
      const int32_t rem = ((t % stride) + stride) % stride;
      if (rem != 0) continue;
      const int32_t base = (t - rem) / stride;
      if (taps == 0 || base < a->lo) a->lo = base;
      if (taps == 0 || base > a->hi) a->hi = base;
      a->k[taps] = k;
      a->base[taps++] = base;
    }
  }
  a->begin[stride] = taps;
  return true;
}

// dst[2l] = even[l], dst[2l + 1] = odd[l]: the first `count` (<= 2L) floats.
template <class A>
inline void store_interleaved(Batch<A> even, Batch<A> odd, float* dst, uint32_t count) {
  constexpr uint32_t L = Batch<A>::size;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<A, xsimd::avx512f>) {
    // Element i of lo is even[i / 2] (i even) or odd[i / 2] (index 16 + i / 2).
    const __m512i lo_index =
        _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i hi_index =
        _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
    const __m512 lo = _mm512_permutex2var_ps(even, lo_index, odd);
    const __m512 hi = _mm512_permutex2var_ps(even, hi_index, odd);
    const uint32_t first = count < L ? count : L, second = count - first;
    _mm512_mask_storeu_ps(dst, __mmask16((1u << first) - 1), lo);
    _mm512_mask_storeu_ps(dst + L, __mmask16((1u << second) - 1), hi);
    return;
  } else
#endif
  {
    alignas(64) float e[L], o[L], pairs[2 * L];
    even.store_aligned(e);
    odd.store_aligned(o);
    for (uint32_t l = 0; l < L; ++l) {
      pairs[2 * l] = e[l];
      pairs[2 * l + 1] = o[l];
    }
    memcpy(dst, pairs, count * sizeof(float));
  }
}

// acc[0][v] += w0[ic] * x_v and acc[1][v] += w1[ic] * x_v over the input
// channels ic, x_v the vector at xk + ic * width + off[v]: one load feeds
// both (the two weight rows are the taps through which two column classes
// read the same input column; either may be absent).
template <class A, uint32_t V, bool kFirst, bool kSecond>
inline void accumulate_columns(Batch<A> (&acc)[2][V], const float* xk, const size_t (&off)[V],
                               const float* w0, const float* w1, uint32_t cin, uint32_t width) {
  using B = Batch<A>;
  for (uint32_t ic = 0; ic < cin; ++ic) {
    const float* xr = xk + size_t(ic) * width;
    const B wb0(kFirst ? w0[ic] : 0.0f), wb1(kSecond ? w1[ic] : 0.0f);
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) {
      const B xv = B::load_unaligned(xr + off[v]);
      if (kFirst) acc[0][v] = xsimd::fma(wb0, xv, acc[0][v]);
      if (kSecond) acc[1][v] = xsimd::fma(wb1, xv, acc[1][v]);
    }
  }
}

#if defined(__AVX512F__)
// Stores `v` (16 consecutive floats of an image whose rows of `period`
// floats hold `valid` output floats then padding; the first of them at
// row `row`, column `col`, both advanced past them) to output rows at
// y_first + row * row_step, rows < `rows`: one masked store per row the 16
// touch.
inline void store_padded_rows(__m512 v, uint32_t& row, uint32_t& col, uint32_t period,
                              uint32_t valid, uint32_t rows, float* y_first, size_t row_step) {
  uint32_t done = 0;
  while (done < 16) {
    const uint32_t run = period - col < 16 - done ? period - col : 16 - done;
    const uint32_t keep = col < valid ? (valid - col < run ? valid - col : run) : 0;
    if (keep > 0 && row < rows)
      _mm512_mask_storeu_ps(y_first + row * row_step + col - done,
                            __mmask16(((1u << keep) - 1) << done), v);
    done += run;
    col += run;
    if (col == period) col = 0, ++row;
  }
}

// 1 / (1 + e^-v) for the Sigmoid after the last layer, cheaper than the
// generic activation (its exp and division were a fifth of this layer):
// e^-v = 2^n e^r with n = round(-v / ln 2), r = -v - n ln 2 (ln 2 in two
// parts, so r is exact enough) in [-0.35, 0.35], e^r by its Taylor series
// to r^6 (relative error ~1e-7), 2^n by vscalefps, and the reciprocal
// refined by one Newton step. v is clamped at -87 so that 1 + e^-v stays
// finite: the result there is ~1e-38 instead of 0.
inline __m512 sigmoid_avx512(__m512 v) {
  const __m512 minus_v =
      _mm512_sub_ps(_mm512_setzero_ps(), _mm512_max_ps(v, _mm512_set1_ps(-87.0f)));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(minus_v, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0x1.62e4p-1f), minus_v);  // ln 2 to 16 bits
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.4286068203e-6f), r);           // the rest of ln 2
  __m512 e = _mm512_set1_ps(1.0f / 720);
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f / 120));
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f / 24));
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f / 6));
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(0.5f));
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f));
  e = _mm512_fmadd_ps(e, r, _mm512_set1_ps(1.0f));
  const __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), _mm512_scalef_ps(e, n));
  const __m512 y = _mm512_rcp14_ps(d);
  return _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f)));
}

// acc[0][v] += w0 * x_v, acc[1][v] += w1 * x_v over the input channels,
// x_v the 16 floats at x + ic * plane + 16 v + kShift (either weight row
// absent). kShift > 0: x is 64-byte aligned and x_v is put together from
// two aligned loads (valignd) instead of a load split across cache lines;
// kShift < 0: unaligned loads at x + shift.
template <uint32_t V, bool kFirst, bool kSecond, int kShift>
inline void accumulate_flat(__m512 (&acc)[2][V], const float* x, uint32_t shift, const float* w0,
                            const float* w1, uint32_t cin, size_t plane) {
  if (kShift < 0) x += shift;
  for (uint32_t ic = 0; ic < cin; ++ic, x += plane) {
    const __m512 wb0 = _mm512_set1_ps(kFirst ? w0[ic] : 0.0f);
    const __m512 wb1 = _mm512_set1_ps(kSecond ? w1[ic] : 0.0f);
    __m512 xv[V + 1];
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V + (kShift > 0); ++v)
      xv[v] = kShift >= 0 ? _mm512_load_ps(x + 16 * v) : _mm512_loadu_ps(x + 16 * v);
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) {
      __m512 xs = xv[v];
      if (kShift > 0)
        xs = _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(xv[v + 1]),
                                                     _mm512_castps_si512(xv[v]), kShift & 15));
      if (kFirst) acc[0][v] = _mm512_fmadd_ps(wb0, xs, acc[0][v]);
      if (kSecond) acc[1][v] = _mm512_fmadd_ps(wb1, xs, acc[1][v]);
    }
  }
}

template <uint32_t V, int kShift>
inline void accumulate_flat_pair(__m512 (&acc)[2][V], const float* x, uint32_t shift,
                                 const float* w0, const float* w1, uint32_t cin, size_t plane) {
  if (w0 && w1)
    accumulate_flat<V, true, true, kShift>(acc, x, shift, w0, w1, cin, plane);
  else if (w0)
    accumulate_flat<V, true, false, kShift>(acc, x, shift, w0, w1, cin, plane);
  else
    accumulate_flat<V, false, true, kShift>(acc, x, shift, w0, w1, cin, plane);
}

// The column taps of the usual decoder output layer (kernel 3, pad 1):
// shift 0 for both column classes (weights w_even, w_odd) and shift 1 for
// the odd one (w_odd_next), in one pass over the channels that shares the
// loads (accumulate_flat makes one pass per shift).
template <uint32_t V>
inline void accumulate_flat_k3(__m512 (&acc)[2][V], const float* x, const float* w_even,
                               const float* w_odd, const float* w_odd_next, uint32_t cin,
                               size_t plane) {
  for (uint32_t ic = 0; ic < cin; ++ic, x += plane) {
    const __m512 we = _mm512_set1_ps(w_even[ic]), wo = _mm512_set1_ps(w_odd[ic]);
    const __m512 wn = _mm512_set1_ps(w_odd_next[ic]);
    __m512 xv[V + 1];
#pragma GCC unroll 16
    for (uint32_t v = 0; v <= V; ++v) xv[v] = _mm512_load_ps(x + 16 * v);
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) {
      const __m512 next = _mm512_castsi512_ps(
          _mm512_alignr_epi32(_mm512_castps_si512(xv[v + 1]), _mm512_castps_si512(xv[v]), 1));
      acc[0][v] = _mm512_fmadd_ps(we, xv[v], acc[0][v]);
      acc[1][v] = _mm512_fmadd_ps(wo, xv[v], acc[1][v]);
      acc[1][v] = _mm512_fmadd_ps(wn, next, acc[1][v]);
    }
  }
}

// The ConvTranspose with one output channel, stride 2 x 2 and an output of
// exactly twice the input (the last layer of a 2-D decoder), all of one
// image's input on the stack, transposed to planes [Cin][rows][Wp]: Wp is
// the input width plus the zero columns the taps reach on either side
// (rounded up to 16 when that wastes little, so that the loads are
// aligned), so that a row of tap class (ph, pw) is Wp consecutive floats
// of a plane (those past the input width wasted) and a run of 16 class
// pixels may wrap from row to row: the vectors of class pixels cover the
// image with little waste even when rows are shorter than a vector. Both
// column classes in one pass (ColumnPair), their results interleaved into
// output rows. th: the row taps; groups: the column pairs; xt: a 64-byte
// aligned scratch of kRowChunkFloats floats (the caller's, whose stack frame
// this one is inlined into). Returns false for other shapes or when the
// planes don't fit.
inline bool conv_transpose_single_output_flat(const ConvCtx& c, const AxisTaps& th,
                                              const ColumnPair* groups, uint32_t group_count,
                                              float* xt) {
  constexpr uint32_t V = 7;  // vectors per tile: 14 accumulators
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c, kw_count = uint32_t(p.kernel[1]);
  if (s.out_c != 1 || c.cin_g != cin || cin % 16 != 0 || p.stride[0] != 2 || p.stride[1] != 2 ||
      s.out_h != 2 * s.in_h || s.out_w != 2 * s.in_w)
    return false;
  int32_t b_lo = 0, b_hi = 0;
  for (uint32_t g = 0; g < group_count; ++g) {
    b_lo = groups[g].b < b_lo ? groups[g].b : b_lo;
    b_hi = groups[g].b > b_hi ? groups[g].b : b_hi;
  }
  const int32_t lo_h = th.lo < 0 ? th.lo : 0, hi_h = th.hi > 0 ? th.hi : 0;
  // Plane row r, column u: input row r + lo_h, column u + b_lo (zero
  // outside the input). Class pixel (i, j) is at flat index i * Wp + j;
  // tap (bh, b) reads plane float flat + (bh - lo_h) * Wp + b - b_lo.
  const uint32_t wp_min = s.in_w + uint32_t(b_hi - b_lo), wp_16 = (wp_min + 15) / 16 * 16;
  const bool aligned = (wp_16 - wp_min) * 8 <= wp_16 && b_hi - b_lo <= 2;
  const uint32_t wp = aligned ? wp_16 : wp_min;
  const uint32_t vectors = (s.in_h * wp + 15) / 16;
  // Reads reach past the last vector by the row offset plus 16 floats
  // (aligned: the vector the shifted taps take from) or the column offset.
  const uint32_t reach = uint32_t(b_hi - b_lo) > 16 ? uint32_t(b_hi - b_lo) : 16;
  const size_t plane = (size_t(vectors) * 16 + size_t(hi_h - lo_h) * wp + reach + 15) / 16 * 16;
  const uint32_t blocks = (s.in_w + 15) / 16;  // 16 x 16 transposes per input row
  // Where the input rows begin and end in a plane (the last row's last
  // block writes zeros up to `written`).
  const size_t rows_begin = size_t(-lo_h) * wp, rows_end = size_t(s.in_h - lo_h) * wp;
  const size_t written = rows_end - wp + uint32_t(-b_lo) + 16 * blocks;
  if (vectors < V || size_t(cin) * (plane > written ? plane : written) > kRowChunkFloats)
    return false;
  // Zero columns between the rows' blocks: the whole planes need zeroing
  // first, otherwise only the rows above and below.
  const bool gaps = b_lo < 0 || uint32_t(-b_lo) + 16 * blocks < wp;
  const float b0 = c.bias ? c.bias[0] : 0.0f;
  const bool sigmoid = c.act.kind == Activation::kSigmoid;
  // accumulate_flat_k3's column taps?
  const ColumnPair *both = nullptr, *odd_next = nullptr;
  for (uint32_t g = 0; g < group_count; ++g) {
    const ColumnPair& cp = groups[g];
    if (cp.b == b_lo && cp.kw0 >= 0 && cp.kw1 >= 0) both = &cp;
    if (cp.b == b_lo + 1 && cp.kw0 < 0 && cp.kw1 >= 0) odd_next = &cp;
  }
  const bool k3 = aligned && group_count == 2 && both && odd_next;
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * cin;
    float* y_image = c.y + size_t(n) * s.out_h * s.out_w;
    // (Whole aligned vectors within the plane: the rows are written after.)
    for (uint32_t ic = 0; ic < cin; ++ic) {
      float* xp = xt + ic * plane;
      for (size_t i = 0; i < (gaps ? plane : rows_begin); i += 16)
        _mm512_store_ps(xp + i, _mm512_setzero_ps());
      if (!gaps)
        for (size_t i = rows_end / 16 * 16; i < plane; i += 16)
          _mm512_store_ps(xp + i, _mm512_setzero_ps());
    }
    // Rows in order: the zeros a row's last block writes past its end
    // land in the next row's columns before that row is written.
    for (uint32_t ih = 0; ih < s.in_h; ++ih)
      for (uint32_t blk = 0; blk < blocks; ++blk) {
        const uint32_t left = s.in_w - 16 * blk;
        const float* src = x_image + (size_t(ih) * s.in_w + 16 * blk) * cin;
        float* dst = xt + rows_begin + size_t(ih) * wp + uint32_t(-b_lo) + 16 * blk;
        for (uint32_t ic = 0; ic < cin; ic += 16)
          transpose_16x16(src + ic, cin, left < 16 ? left : 16, dst + ic * plane, plane);
      }
    const uint32_t tile = vectors < V ? vectors : V;
    for (uint32_t ph = 0; ph < 2; ++ph)
      for (uint32_t v0 = 0; v0 < vectors; v0 += tile) {
        // The last tile recomputes vectors of the one before instead of
        // running short.
        const uint32_t first = v0 + tile > vectors ? vectors - tile : v0;
        __m512 acc[2][V];
#pragma GCC unroll 16
        for (uint32_t v = 0; v < V; ++v) acc[0][v] = acc[1][v] = _mm512_set1_ps(b0);
        for (uint32_t a = th.begin[ph]; a < th.begin[ph + 1]; ++a) {
          const float* w_kh = c.w + size_t(th.k[a]) * kw_count * cin;
          const float* x = xt + size_t(th.base[a] - lo_h) * wp + size_t(first) * 16;
          if (k3) {
            accumulate_flat_k3<V>(acc, x, w_kh + size_t(both->kw0) * cin,
                                  w_kh + size_t(both->kw1) * cin,
                                  w_kh + size_t(odd_next->kw1) * cin, cin, plane);
            continue;
          }
          for (uint32_t g = 0; g < group_count; ++g) {
            const ColumnPair& cp = groups[g];
            const uint32_t shift = uint32_t(cp.b - b_lo);
            const float* w0 = cp.kw0 >= 0 ? w_kh + size_t(cp.kw0) * cin : nullptr;
            const float* w1 = cp.kw1 >= 0 ? w_kh + size_t(cp.kw1) * cin : nullptr;
            if (!aligned)
              accumulate_flat_pair<V, -1>(acc, x, shift, w0, w1, cin, plane);
            else if (shift == 0)
              accumulate_flat_pair<V, 0>(acc, x, shift, w0, w1, cin, plane);
            else if (shift == 1)
              accumulate_flat_pair<V, 1>(acc, x, shift, w0, w1, cin, plane);
            else
              accumulate_flat_pair<V, 2>(acc, x, shift, w0, w1, cin, plane);
          }
        }
        // Class pixels flat .. flat + 15 of both column classes are output
        // row ph + 2 (flat / Wp), from column 2 (flat % Wp): rows of
        // period 2 Wp in the interleaved results.
        const __m512i lo_index =
            _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
        const __m512i hi_index =
            _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
        float* y_first = y_image + size_t(ph) * s.out_w;
        uint32_t row = 16 * first / wp, col = 2 * (16 * first % wp);
#pragma GCC unroll 16
        for (uint32_t v = 0; v < V; ++v) {
          const __m512 even = sigmoid ? sigmoid_avx512(acc[0][v])
                                      : __m512(activate<xsimd::avx512f>(c.act, acc[0][v], 0));
          const __m512 odd = sigmoid ? sigmoid_avx512(acc[1][v])
                                     : __m512(activate<xsimd::avx512f>(c.act, acc[1][v], 0));
          const __m512 lo = _mm512_permutex2var_ps(even, lo_index, odd);
          const __m512 hi = _mm512_permutex2var_ps(even, hi_index, odd);
          if (aligned) {
            // Rows of a multiple of 32 floats: both halves in row `row`.
            if (row < s.in_h) {
              float* y = y_first + row * 2 * size_t(s.out_w) + col;
              const uint32_t left = s.out_w > col ? s.out_w - col : 0;
              _mm512_mask_storeu_ps(y, __mmask16(left >= 16 ? 0xFFFF : (1u << left) - 1), lo);
              const uint32_t rest = left > 16 ? left - 16 : 0;
              _mm512_mask_storeu_ps(y + 16, __mmask16(rest >= 16 ? 0xFFFF : (1u << rest) - 1), hi);
            }
            col += 32;
            if (col == 2 * wp) col = 0, ++row;
            continue;
          }
          store_padded_rows(lo, row, col, 2 * wp, s.out_w, s.in_h, y_first, 2 * size_t(s.out_w));
          store_padded_rows(hi, row, col, 2 * wp, s.out_w, s.in_h, y_first, 2 * size_t(s.out_w));
        }
      }
  }
  return true;
}
#endif

#if defined(__AVX512F__)
// A tap of a 1-D one-output stride-2 ConvTranspose: the output column class
// it feeds (0 even, 1 odd), how many columns right of the leftmost tap's
// input column it reads, and its weight row.
struct LineTap {
  uint32_t parity, shift;
  const float* w;
};

// The one-output stride-2 ConvTranspose of a 1-D decoder (a single row in
// and out, kernel height 1) with T taps. Class pixel j sums, over its taps
// t, z_t[j + shift_t], z_t[u] = w_t . (input column u + b_lo). The z of 16
// consecutive u come from aligned loads of channel planes (one load feeds
// all T taps) and are shifted into place once, after the sum over the
// channels: shifting the inputs instead (valignd or loads split across
// cache lines) cost as much as the FMAs, per tap and channel. The planes
// ([Cin][blocks of 16 columns], aligned) hold a chunk of the row at a time
// in xt (kRowChunkFloats floats); z is swept in tiles of V vectors, output
// vector u taking z vectors u and u + 1 of each tap, so the last z vector
// of a tile is carried to the next.
// z[t][1 + v] = the dot products of tap t's weights (w[ic * T + t]) with
// the 16 plane columns of block v, for V blocks from x: the channel loop
// of conv_transpose_line, out of line so that the shifts' constants don't
// take the registers its T V accumulators need.
template <uint32_t T, uint32_t V>
__attribute__((noinline)) void line_dots(const float* x, const float* w, uint32_t cin, size_t plane,
                                         float (*z)[V + 1][16]) {
  __m512 acc[T][V];
#pragma GCC unroll 16
  for (uint32_t t = 0; t < T; ++t)
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) acc[t][v] = _mm512_setzero_ps();
  for (uint32_t ic = 0; ic < cin; ++ic, x += plane, w += T) {
    __m512 xv[V];
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) xv[v] = _mm512_load_ps(x + 16 * v);
#pragma GCC unroll 16
    for (uint32_t t = 0; t < T; ++t) {
      const __m512 wb = _mm512_set1_ps(w[t]);
#pragma GCC unroll 16
      for (uint32_t v = 0; v < V; ++v) acc[t][v] = _mm512_fmadd_ps(wb, xv[v], acc[t][v]);
    }
  }
#pragma GCC unroll 16
  for (uint32_t t = 0; t < T; ++t)
#pragma GCC unroll 16
    for (uint32_t v = 0; v < V; ++v) _mm512_store_ps(z[t][1 + v], acc[t][v]);
}

// Planes [Cin][blocks of 16 columns] (plane floats apart) of the input
// columns from `first` of a row of `width` columns of Cin (a multiple of
// 16) channels, zeros outside the row: out of line so that the transposes
// have the registers to themselves.
__attribute__((noinline)) inline void line_planes(const float* row, uint32_t width, uint32_t cin,
                                                  int64_t first, uint32_t blocks, float* xt,
                                                  size_t plane) {
  for (uint32_t blk = 0; blk < blocks; ++blk) {
    // Input columns col .. col + 15, of which lo .. hi - 1 inside the row.
    const int64_t col = first + 16 * blk;
    const int64_t lo = col < 0 ? (-col < 16 ? -col : 16) : 0;
    const int64_t left = int64_t(width) - col;
    const int64_t hi = left < 16 ? (left > lo ? left : lo) : 16;
    const float* src = hi > lo ? row + size_t(col + lo) * cin : row;
    for (uint32_t ic = 0; ic < cin; ic += 16)
      transpose_16x16(src + ic, cin, uint32_t(hi), xt + ic * plane + 16 * blk, plane, uint32_t(lo));
  }
}

template <uint32_t T>
void conv_transpose_line(const ConvCtx& c, const LineTap* taps, int32_t b_lo, float* xt) {
  // T V accumulators, V inputs and a weight broadcast in 32 registers.
  constexpr uint32_t V = 28 / (T + 1) < 8 ? 28 / (T + 1) : 8;
  const ref::ConvShape& s = c.s;
  const uint32_t cin = s.in_c;
  const uint32_t class_vectors = ((s.out_w + 1) / 2 + 15) / 16;
  // z vectors 0 .. class_vectors in whole tiles (those past the row are of
  // zero columns).
  const uint32_t z_vectors = (class_vectors + V) / V * V;
  const uint32_t plane = kRowChunkFloats / cin / 16 * 16, chunk = plane / 16 / V * V;
  const float b0 = c.bias ? c.bias[0] : 0.0f;
  const bool sigmoid = c.act.kind == Activation::kSigmoid;
  // The weights channel by channel (the caller keeps Cin <= 32), the z
  // vectors of a tile after the one carried from the tile before.
  float w[32 * T];
  alignas(64) float z[T][V + 1][16];
  alignas(64) int32_t index[T][16];
  __mmask16 even_mask[T], odd_mask[T];
  for (uint32_t t = 0; t < T; ++t) {
    for (uint32_t ic = 0; ic < cin; ++ic) w[ic * T + t] = taps[t].w[ic];
    // Lanes shift .. shift + 15 of the pair (z vector u, z vector u + 1).
    for (uint32_t l = 0; l < 16; ++l) index[t][l] = int32_t(taps[t].shift + l);
    even_mask[t] = taps[t].parity == 0 ? 0xFFFF : 0;
    odd_mask[t] = taps[t].parity == 0 ? 0 : 0xFFFF;
  }
  const __m512i lo_index = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i hi_index =
      _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* x_image = c.x + size_t(n) * s.in_w * cin;
    float* y_image = c.y + size_t(n) * s.out_w;
    for (uint32_t u0 = 0; u0 < z_vectors; u0 += chunk) {
      const uint32_t blocks = z_vectors - u0 < chunk ? z_vectors - u0 : chunk;
      line_planes(x_image, s.in_w, cin, int64_t(16) * u0 + b_lo, blocks, xt, plane);
      for (uint32_t f = 0; f < blocks; f += V) {
        const uint32_t u = u0 + f;
        line_dots<T, V>(xt + 16 * f, w, cin, plane, z);
        // Output vectors u - 1 .. u + V - 2 (class pixels 16 (u - 1) ..,
        // output columns 32 (u - 1) ..) from z vectors u - 1 .. u + V - 1.
        for (uint32_t v = 0; v < V; ++v) {
          if (u + v == 0 || u + v - 1 >= class_vectors) continue;
          __m512 even = _mm512_set1_ps(b0), odd = even;
#pragma GCC unroll 16
          for (uint32_t t = 0; t < T; ++t) {
            const __m512 sum = _mm512_permutex2var_ps(
                _mm512_load_ps(z[t][v]), _mm512_load_si512(index[t]), _mm512_load_ps(z[t][v + 1]));
            even = _mm512_mask_add_ps(even, even_mask[t], even, sum);
            odd = _mm512_mask_add_ps(odd, odd_mask[t], odd, sum);
          }
          if (sigmoid) {
            even = sigmoid_avx512(even);
            odd = sigmoid_avx512(odd);
          } else {
            even = activate<xsimd::avx512f>(c.act, even, 0);
            odd = activate<xsimd::avx512f>(c.act, odd, 0);
          }
          const uint32_t col = 32 * (u + v - 1);
          const uint32_t left = s.out_w - col;  // class_vectors: col < out_w
          _mm512_mask_storeu_ps(y_image + col, __mmask16(left >= 16 ? 0xFFFF : (1u << left) - 1),
                                _mm512_permutex2var_ps(even, lo_index, odd));
          const uint32_t rest = left > 16 ? left - 16 : 0;
          _mm512_mask_storeu_ps(y_image + col + 16,
                                __mmask16(rest >= 16 ? 0xFFFF : (1u << rest) - 1),
                                _mm512_permutex2var_ps(even, hi_index, odd));
        }
        for (uint32_t t = 0; t < T; ++t) _mm512_store_ps(z[t][0], _mm512_load_ps(z[t][V]));
      }
    }
  }
}

// conv_transpose_line for the layers it takes: stride 2 along the row,
// 2 to 9 taps reaching at most 16 columns apart, Cin a multiple of 16 with
// planes of at least a tile. groups: the column pairs; xt: as there.
inline bool conv_transpose_single_output_line(const ConvCtx& c, const ColumnPair* groups,
                                              uint32_t group_count, float* xt) {
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c;
  if (s.out_c != 1 || c.cin_g != cin || cin % 16 != 0 || s.in_h != 1 || s.out_h != 1 ||
      p.kernel[0] != 1 || p.pad_begin[0] != 0 || p.stride[1] != 2 || group_count == 0 || cin > 32)
    return false;
  int32_t b_lo = groups[0].b, b_hi = groups[0].b;
  for (uint32_t g = 1; g < group_count; ++g) {
    b_lo = groups[g].b < b_lo ? groups[g].b : b_lo;
    b_hi = groups[g].b > b_hi ? groups[g].b : b_hi;
  }
  if (b_hi - b_lo > 16) return false;
  LineTap taps[9];
  uint32_t count = 0;
  for (uint32_t g = 0; g < group_count; ++g)
    for (uint32_t parity = 0; parity < 2; ++parity) {
      const int32_t kw = parity == 0 ? groups[g].kw0 : groups[g].kw1;
      if (kw < 0) continue;
      if (count == 9) return false;
      taps[count++] = LineTap{parity, uint32_t(groups[g].b - b_lo), c.w + size_t(kw) * cin};
    }
  return with_constant<2, 9>(
      count, [&](auto n) { conv_transpose_line<decltype(n)::value>(c, taps, b_lo, xt); });
}
#endif

// ConvTranspose with one output channel. Output pixel (ph + sh * i,
// pw + sw * j) (tap class (ph, pw)) gathers, for each tap (kh, kw) of its
// class, input pixel (i + base_h, j + base_w). Vectorized over j: a band of
// input rows (a chunk of their columns) is transposed to [row][Cin][column]
// once, then every output vector is a sum of Cin * taps FMAs of a broadcast
// weight and an unaligned load (no horizontal sums, no scattered
// read-modify-writes).
template <class A>
bool conv_transpose_single_output_planes(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  // Accumulators per tile: enough independent FMA chains to cover the
  // FMA latency.
  constexpr uint32_t V = kVectorRegisters<A> >= 32 ? 8 : 4;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = s.in_c, kw_count = uint32_t(p.kernel[1]);
  AxisTaps th, tw;
  if (s.out_c != 1 || c.cin_g != cin ||
      !axis_taps(p.kernel[0], p.stride[0], p.pad_begin[0], p.dilation[0], &th) ||
      !axis_taps(p.kernel[1], p.stride[1], p.pad_begin[1], p.dilation[1], &tw))
    return false;
  const uint32_t sh = uint32_t(p.stride[0]), sw = uint32_t(p.stride[1]);
  alignas(64) float xt[kRowChunkFloats];
  const bool paired = sw == 2;
  ColumnPair groups[AxisTaps::kMaxKernel];
  const uint32_t pair_count = paired ? column_pairs(p, groups) : 0;
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<A, xsimd::avx512f>)
    if (paired && (conv_transpose_single_output_line(c, groups, pair_count, xt) ||
                   (sh == 2 && conv_transpose_single_output_flat(c, th, groups, pair_count, xt))))
      return true;
#endif
  // Class 0 along an axis is the longest.
  const uint32_t class_rows = (s.out_h + sh - 1) / sh, class_cols = (s.out_w + sw - 1) / sw;
  // A chunk: class rows [i0, i0 + R) and columns [j0, j0 + J), J a
  // multiple of L; it reads input rows i0 + lo_h .. i0 + R - 1 + hi_h and
  // `width` columns from j0 + lo_w.
  const uint32_t col_vectors = (class_cols + L - 1) / L;
  const uint32_t J = (col_vectors < V ? col_vectors : V) * L;
  const uint32_t width = J + uint32_t(tw.hi - tw.lo), halo = uint32_t(th.hi - th.lo);
  const size_t row_floats = size_t(cin) * width;
  if ((1 + halo) * row_floats > kRowChunkFloats) return false;
  const uint32_t fit = uint32_t(kRowChunkFloats / row_floats) - halo;
  const uint32_t R = fit < class_rows ? fit : class_rows;
  alignas(64) float yc[L];
  const float b0 = c.bias ? c.bias[0] : 0.0f;
  for (uint32_t n = 0; n < s.batch; ++n) {
    const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * cin;
    float* y_image = c.y + size_t(n) * s.out_h * s.out_w;
    for (uint32_t i0 = 0; i0 < class_rows; i0 += R)
      for (uint32_t j0 = 0; j0 < class_cols; j0 += J) {
        for (uint32_t r = 0; r < R + halo; ++r) {
          const int64_t ih = int64_t(i0) + th.lo + r;
          float* band_row = xt + r * row_floats;
          if (ih >= 0 && ih < int64_t(s.in_h))
            transpose_row_zero_padded<A>(x_image + size_t(ih) * s.in_w * cin, s.in_w, cin,
                                         int64_t(j0) + tw.lo, width, band_row);
          else
            memset(band_row, 0, row_floats * sizeof(float));
        }
        for (uint32_t ph = 0; ph < sh && ph < s.out_h; ++ph) {
          const uint32_t rows_ph = (s.out_h - ph + sh - 1) / sh;
          if (i0 >= rows_ph) continue;
          const uint32_t chunk_rows = rows_ph - i0 < R ? rows_ph - i0 : R;
          // Stride 2 along W: both column classes in one pass (ColumnPair:
          // input column offsets with the tap of each class reading them),
          // stored interleaved. Otherwise one class at a time.
          for (uint32_t pw = 0; pw < sw && pw < s.out_w; pw += paired ? 2 : 1) {
            uint32_t group_count = pair_count;
            if (!paired) {
              group_count = 0;
              for (uint32_t b = tw.begin[pw]; b < tw.begin[pw + 1]; ++b)
                groups[group_count++] = ColumnPair{tw.base[b], tw.k[b], -1};
            }
            const uint32_t cols_pw = (s.out_w - pw + sw - 1) / sw;
            if (j0 >= cols_pw) continue;
            const uint32_t chunk_cols = cols_pw - j0 < J ? cols_pw - j0 : J;
            const uint32_t vectors = (chunk_cols + L - 1) / L;
            // Tiles of V output vectors (class row, vector of columns) in
            // row-major order, wrapping from row to row.
            const uint32_t total = chunk_rows * vectors;
            for (uint32_t first = 0; first < total; first += V) {
              const uint32_t count = total - first < V ? total - first : V;
              size_t off[V];
              uint32_t vi[V], vj[V];
              for (uint32_t v = 0; v < V; ++v) {
                const uint32_t at = first + (v < count ? v : 0);
                vi[v] = at / vectors;
                vj[v] = at % vectors * L;
                off[v] = vi[v] * row_floats + vj[v];
              }
              B acc[2][V];
#pragma GCC unroll 16
              for (uint32_t v = 0; v < V; ++v) acc[0][v] = acc[1][v] = B(b0);
              for (uint32_t a = th.begin[ph]; a < th.begin[ph + 1]; ++a) {
                const float* w_kh = c.w + size_t(th.k[a]) * kw_count * cin;
                const float* x_kh = xt + size_t(th.base[a] - th.lo) * row_floats;
                for (uint32_t g = 0; g < group_count; ++g) {
                  const ColumnPair& cp = groups[g];
                  const float* xk = x_kh + size_t(cp.b - tw.lo);
                  const float* w0 = cp.kw0 >= 0 ? w_kh + size_t(cp.kw0) * cin : nullptr;
                  const float* w1 = cp.kw1 >= 0 ? w_kh + size_t(cp.kw1) * cin : nullptr;
                  if (w0 && w1)
                    accumulate_columns<A, V, true, true>(acc, xk, off, w0, w1, cin, width);
                  else if (w0)
                    accumulate_columns<A, V, true, false>(acc, xk, off, w0, w1, cin, width);
                  else
                    accumulate_columns<A, V, false, true>(acc, xk, off, w0, w1, cin, width);
                }
              }
              for (uint32_t v = 0; v < count; ++v) {
                const uint32_t oh = ph + sh * (i0 + vi[v]), j = j0 + vj[v];
                float* y_row = y_image + size_t(oh) * s.out_w;
                const B out = activate<A>(c.act, acc[0][v], 0);
                if (paired) {
                  const uint32_t left = s.out_w - 2 * j;
                  store_interleaved<A>(out, activate<A>(c.act, acc[1][v], 0), y_row + 2 * j,
                                       left < 2 * L ? left : 2 * L);
                  continue;
                }
                const uint32_t lanes = cols_pw - j < L ? cols_pw - j : L;
                if (sw == 1 && lanes == L) {
                  out.store_unaligned(y_row + j);
                  continue;
                }
                out.store_aligned(yc);
                for (uint32_t l = 0; l < lanes; ++l) y_row[pw + size_t(sw) * (j + l)] = yc[l];
              }
            }
          }
        }
      }
  }
  return true;
}

}  // namespace
}  // namespace edgeae::simd
