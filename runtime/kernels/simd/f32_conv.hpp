// Conv and ConvTranspose over channels-last tensors and [KH, KW, Cin/g, Cout] weights.
// Part of the float32 SIMD kernels (f32_simd.hpp has the design notes); the
// same internal-linkage rules apply.
#pragma once

#include <utility>

#include "kernels/reference/conv_geometry.hpp"
#include "kernels/simd/f32_common.hpp"
#include "kernels/simd/f32_elementwise.hpp"

namespace edgeae::simd {
namespace {

// Shared description of one Conv/ConvTranspose call.
struct ConvCtx {
  const ref::ConvShape& s;
  const float* x;
  const float* w;
  const float* bias;
  const ActivationSpec& act;
  float* y;
  uint32_t cin_g, cout_g;
};

template <class F, size_t... I>
inline __attribute__((always_inline)) void static_for(F&& f, std::index_sequence<I...>) {
  (f(std::integral_constant<uint32_t, uint32_t(I)>{}), ...);
}

// Calls f(std::integral_constant<uint32_t, C>{}) with C = cin for the
// channel counts the compile-time-channel paths hold (16, 32, 64, and 1 when
// kWithOne) and returns true; false for others.
template <bool kWithOne, class F>
inline bool with_channel_count(uint32_t cin, F&& f) {
  switch (cin) {
    case 1:
      if constexpr (kWithOne) {
        f(std::integral_constant<uint32_t, 1>{});
        return true;
      }
      return false;
    case 16:
      f(std::integral_constant<uint32_t, 16>{});
      return true;
    case 32:
      f(std::integral_constant<uint32_t, 32>{});
      return true;
    case 64:
      f(std::integral_constant<uint32_t, 64>{});
      return true;
    default:
      return false;
  }
}

// Calls f(std::integral_constant<uint32_t, n>{}) for n in [kFirst, kLast]
// (a tile size chosen at run time, instantiated at compile time) and returns
// true; false for other n.
template <uint32_t kFirst, uint32_t kLast, class F>
inline bool with_constant(uint32_t n, F&& f) {
  bool done = false;
  static_for(
      [&](auto i) {
        constexpr uint32_t kN = kFirst + decltype(i)::value;
        if (n == kN) {
          f(std::integral_constant<uint32_t, kN>{});
          done = true;
        }
      },
      std::make_index_sequence<kLast - kFirst + 1>{});
  return done;
}

// acc[q][t] = the bias of channels oc0 + t * L .. (zero without bias): a
// tile's accumulators before its products.
template <class A, int P, int T>
inline void start_from_bias(const ConvCtx& c, uint32_t oc0, Batch<A> (&acc)[P][T]) {
  using B = Batch<A>;
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) {
    const B b0 = c.bias ? B::load_unaligned(c.bias + oc0 + t * B::size) : B(0.0f);
#pragma GCC unroll 32
    for (int q = 0; q < P; ++q) acc[q][t] = b0;
  }
}

// A tile's output vector at yp with the fused residual added (if any): the
// residual has the output's layout, so it sits at the same offset.
template <class A>
inline Batch<A> with_residual(const ConvCtx& c, const float* yp, const Batch<A>& v) {
  return c.act.residual ? v + Batch<A>::load_unaligned(c.act.residual + (yp - c.y)) : v;
}

// The residual added in a second pass, for the paths that store outputs
// piecewise (few input channels, one output channel): their layers are the
// small first and last ones, where one more pass over the output costs little.
template <class A>
void add_residual(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const size_t count = size_t(s.batch) * s.out_h * s.out_w * s.out_c;
  size_t i = 0;
  for (; i + L <= count; i += L)
    (B::load_unaligned(c.y + i) + B::load_unaligned(c.act.residual + i)).store_unaligned(c.y + i);
  for (; i < count; ++i) c.y[i] += c.act.residual[i];
}

// Input rows for taps that fall into the padding: reading zeros there keeps
// the inner loop free of branches. Layers with more input channels per group
// than this take the reference path (no encoder/decoder comes near).
constexpr uint32_t kZeroRowFloats = 1024;
alignas(64) const float kZeroRow[kZeroRowFloats] = {};

// acc[q][t] += x_q[ic] * w[ic][t] over the input channels of one tap.
template <class A, int P, int T>
inline void accumulate_tap(Batch<A> (&acc)[P][T], const float* const (&xp)[P], const float* wrow,
                           uint32_t cin, uint32_t w_stride) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  for (uint32_t ic = 0; ic < cin; ++ic) {
    B wv[T];
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) wv[t] = B::load_unaligned(wrow + size_t(ic) * w_stride + t * L);
#pragma GCC unroll 8
    for (int q = 0; q < P; ++q) {
      const B xb(xp[q][ic]);
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[q][t] = xsimd::fma(xb, wv[t], acc[q][t]);
    }
  }
}

// Output pixels are visited by "tap class": for Conv all pixels form one
// class; for ConvTranspose the pixels with the same (oh mod stride_h,
// ow mod stride_w) do, since exactly they share the set of taps that reach
// them. Within a class, pixel (i, j) sits at oh = phase_h + step_h * i,
// ow = phase_w + step_w * j, and for tap (kh, kw) reads input pixel
// ih = base_h(kh) + i * mult_h (same for w), or padding.
struct TapClass {
  uint32_t phase_h, phase_w;  // first output pixel of the class
  uint32_t step_h, step_w;    // 1 (Conv) or the stride (ConvTranspose)
  uint32_t rows, cols;        // pixels of the class per column and row
};

// Input coordinate of class pixel 0 for tap k along one axis, and its step
// per class pixel; false when the tap reaches no pixel of the class.
template <bool kTransposed>
inline bool tap_origin(uint32_t phase, int32_t stride, int32_t pad, int32_t dilation, uint32_t k,
                       int64_t* base, int64_t* mult) {
  if (kTransposed) {
    const int64_t t = int64_t(phase) + pad - int64_t(k) * dilation;
    const int64_t rem = ((t % stride) + stride) % stride;
    if (rem != 0) return false;
    *base = t / stride;
    *mult = 1;
  } else {
    *base = -int64_t(pad) + int64_t(k) * dilation;
    *mult = stride;
  }
  return true;
}

// P pixels of one tap class (class coordinates ti/tj, `count` of them
// real), output channels [oc0, oc0 + T*L) of group g.
template <class A, int P, int T, bool kTransposed>
void conv_tile(const ConvCtx& c, const TapClass& k, uint32_t n, const uint32_t (&ti)[P],
               const uint32_t (&tj)[P], uint32_t count, bool row_run, uint32_t oc0, uint32_t g) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  B acc[P][T];
  start_from_bias<A, P, T>(c, oc0, acc);
  const float* x_image = c.x + size_t(n) * s.in_h * s.in_w * s.in_c + size_t(g) * c.cin_g;
  const uint32_t kh_count = uint32_t(p.kernel[0]), kw_count = uint32_t(p.kernel[1]);
  for (uint32_t kh = 0; kh < kh_count; ++kh) {
    int64_t base_h, mult_h;
    if (!tap_origin<kTransposed>(k.phase_h, p.stride[0], p.pad_begin[0], p.dilation[0], kh, &base_h,
                                 &mult_h))
      continue;
    // Conv with undilated rows: a pixel's taps kw = 0..KW-1 read KW * Cin
    // consecutive floats, and their weights for this kh are consecutive too,
    // so when every pixel's whole row of taps is inside the input the kw and
    // ic loops fold into one.
    if (!kTransposed && p.dilation[1] == 1 && s.in_c == c.cin_g) {
      const float* xp[P];
      bool inside = true;
      if (row_run) {
        // One row, consecutive pixels: one bounds check for the whole tile,
        // and the pixels' rows lie `stride` pixels apart.
        const int64_t ih = base_h + int64_t(ti[0]) * mult_h;
        const int64_t iw0 = int64_t(tj[0]) * p.stride[1] - p.pad_begin[1];
        const int64_t iw_end = iw0 + int64_t(count - 1) * p.stride[1] + int64_t(kw_count);
        inside = ih >= 0 && ih < int64_t(s.in_h) && iw0 >= 0 && iw_end <= int64_t(s.in_w);
        const float* first = x_image + (size_t(ih) * s.in_w + size_t(iw0)) * s.in_c;
        const size_t step = size_t(p.stride[1]) * s.in_c;
#pragma GCC unroll 16
        for (int q = 0; q < P; ++q) xp[q] = first + (uint32_t(q) < count ? size_t(q) * step : 0);
      } else {
#pragma GCC unroll 16
        for (int q = 0; q < P; ++q) {
          const int64_t ih = base_h + int64_t(ti[q]) * mult_h;
          const int64_t iw = int64_t(tj[q]) * p.stride[1] - p.pad_begin[1];
          inside = inside && ih >= 0 && ih < int64_t(s.in_h) && iw >= 0 &&
                   iw + int64_t(kw_count) <= int64_t(s.in_w);
          xp[q] = x_image + (size_t(ih) * s.in_w + size_t(iw)) * s.in_c;
        }
      }
      if (inside) {
        accumulate_tap<A, P, T>(acc, xp, c.w + size_t(kh) * kw_count * c.cin_g * s.out_c + oc0,
                                kw_count * c.cin_g, s.out_c);
        continue;
      }
    }
    for (uint32_t kw = 0; kw < kw_count; ++kw) {
      int64_t base_w, mult_w;
      if (!tap_origin<kTransposed>(k.phase_w, p.stride[1], p.pad_begin[1], p.dilation[1], kw,
                                   &base_w, &mult_w))
        continue;
      const float* xp[P];
      bool any_in = false;
#pragma GCC unroll 16
      for (int q = 0; q < P; ++q) {
        const int64_t ih = base_h + int64_t(ti[q]) * mult_h;
        const int64_t iw = base_w + int64_t(tj[q]) * mult_w;
        const bool in = uint32_t(q) < count && ih >= 0 && ih < int64_t(s.in_h) && iw >= 0 &&
                        iw < int64_t(s.in_w);
        xp[q] = in ? x_image + (size_t(ih) * s.in_w + size_t(iw)) * s.in_c : kZeroRow;
        any_in = any_in || in;
      }
      if (!any_in) continue;
      const float* wrow = c.w + (size_t(kh) * kw_count + kw) * c.cin_g * s.out_c + oc0;
      accumulate_tap<A, P, T>(acc, xp, wrow, c.cin_g, s.out_c);
    }
  }
  activate_tile<A, P, T>(c.act, acc, oc0);
  for (uint32_t q = 0; q < count; ++q) {
    const uint32_t oh = k.phase_h + k.step_h * ti[q], ow = k.phase_w + k.step_w * tj[q];
    float* yp = c.y + ((size_t(n) * s.out_h + oh) * s.out_w + ow) * s.out_c + oc0;
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t)
      with_residual<A>(c, yp + t * L, acc[q][t]).store_unaligned(yp + t * L);
  }
}

// Every pixel of one tap class for channels [oc0, oc0 + T*L), P at a time
// in row-major order (a tile may wrap to the next row: no idle lanes at row
// ends).
template <class A, int P, int T, bool kTransposed>
void conv_class_tiles(const ConvCtx& c, const TapClass& k, uint32_t n, uint32_t oc0, uint32_t g) {
  const uint32_t total = k.rows * k.cols;
  uint32_t i = 0, j = 0;  // class coordinates of the next pixel
  for (uint32_t first = 0; first < total; first += P) {
    uint32_t ti[P], tj[P];
    const uint32_t count = total - first < uint32_t(P) ? total - first : uint32_t(P);
    const bool row_run = j + count <= k.cols;  // the tile does not wrap
    for (uint32_t q = 0; q < uint32_t(P); ++q) {
      ti[q] = q < count ? i : ti[0];
      tj[q] = q < count ? j : tj[0];
      if (q < count && ++j == k.cols) {
        j = 0;
        ++i;
      }
    }
    conv_tile<A, P, T, kTransposed>(c, k, n, ti, tj, count, row_run, oc0, g);
  }
}

// Scalar fallback for the channels [oc0, oc_end) at one pixel (the
// reference loop, shared through conv_geometry.hpp).
template <bool kTransposed>
void conv_pixel_scalar(const ConvCtx& c, uint32_t n, uint32_t oh, uint32_t ow, uint32_t oc0,
                       uint32_t oc_end) {
  const ref::ConvShape& s = c.s;
  for (uint32_t oc = oc0; oc < oc_end; ++oc) {
    float acc = c.bias ? c.bias[oc] : 0.0f;
    ref::for_each_conv_tap<kTransposed>(s, c.x, c.w, n, oh, ow, oc,
                                        [&](const float* xp, const float* wp, uint32_t cin_g) {
                                          for (uint32_t ic = 0; ic < cin_g; ++ic)
                                            acc += xp[ic] * wp[size_t(ic) * s.out_c];
                                        });
    c.y[ref::conv_output_index(s, n, oh, ow, oc)] =
        ref::conv_epilogue(s, c.act, acc, n, oh, ow, oc);
  }
}

// All pixels of one tap class for channels [oc0, oc_end) of group g.
template <class A, bool kTransposed>
void conv_class_channels(const ConvCtx& c, const TapClass& k, uint32_t n, uint32_t oc0,
                         uint32_t oc_end, uint32_t g) {
  constexpr uint32_t L = Batch<A>::size;
  // Tiles sized to the register files: P*T accumulators plus T weight
  // vectors and a broadcast in vector registers (32 on AVX-512 and AArch64,
  // 16 elsewhere), and the P input-row pointers in general registers (at
  // most 7, as XNNPACK's 7x16 kernels do, so none spill).
  constexpr bool kWide = kVectorRegisters<A> >= 32;
  constexpr int kP4 = kWide ? 5 : 2, kP2 = kWide ? 7 : 5, kP1 = 7;
  uint32_t oc = oc0;
  for (; oc + 4 * L <= oc_end; oc += 4 * L)
    conv_class_tiles<A, kP4, 4, kTransposed>(c, k, n, oc, g);
  if (oc + 2 * L <= oc_end) {
    conv_class_tiles<A, kP2, 2, kTransposed>(c, k, n, oc, g);
    oc += 2 * L;
  }
  if (oc + L <= oc_end) {
    conv_class_tiles<A, kP1, 1, kTransposed>(c, k, n, oc, g);
    oc += L;
  }
  if (oc < oc_end) {
    for (uint32_t i = 0; i < k.rows; ++i)
      for (uint32_t j = 0; j < k.cols; ++j)
        conv_pixel_scalar<kTransposed>(c, n, k.phase_h + k.step_h * i, k.phase_w + k.step_w * j, oc,
                                       oc_end);
  }
}

// Calls f(TapClass) for each tap class of the output.
template <bool kTransposed, class F>
void for_each_tap_class(const ref::ConvShape& s, F f) {
  const uint32_t sh = kTransposed ? uint32_t(s.p.stride[0]) : 1;
  const uint32_t sw = kTransposed ? uint32_t(s.p.stride[1]) : 1;
  for (uint32_t ph = 0; ph < sh && ph < s.out_h; ++ph)
    for (uint32_t pw = 0; pw < sw && pw < s.out_w; ++pw)
      f(TapClass{ph, pw, sh, sw, (s.out_h - ph + sh - 1) / sh, (s.out_w - pw + sw - 1) / sw});
}

// One output channel reading many input channels (the last layer of a
// denoiser, Cout = 1). Instead of one dot product per output pixel and tap
// (each ending in a horizontal sum), every input pixel computes its
// contribution to all taps at once, c[t] = sum_ic x[ic] * w[t][ic], as one
// vector over the taps (weights transposed to [Cin][taps] on the stack), and
// adds c[t] to the output pixel tap t connects it to. Bias first, the
// activation last, both vectorized over the output.
constexpr uint32_t kSingleOutputStackFloats = 4096, kMaxTaps = 256;

template <class A, bool kTransposed>
bool conv_single_output(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t cin = c.cin_g;
  const uint32_t kh_count = uint32_t(p.kernel[0]), kw_count = uint32_t(p.kernel[1]);
  const uint32_t taps = kh_count * kw_count;
  const uint32_t tap_vectors = (taps + L - 1) / L;
  const uint32_t taps_padded = tap_vectors * L;
  if (size_t(cin) * taps_padded > kSingleOutputStackFloats || taps_padded > kMaxTaps) return false;
  alignas(64) float wt[kSingleOutputStackFloats];  // [cin][taps_padded], zero padded
  for (uint32_t ic = 0; ic < cin; ++ic)
    for (uint32_t t = 0; t < taps_padded; ++t)
      wt[size_t(ic) * taps_padded + t] = t < taps ? c.w[size_t(t) * cin + ic] : 0.0f;
  const size_t out_pixels = size_t(s.out_h) * s.out_w;
  for (uint32_t n = 0; n < s.batch; ++n) {
    float* y = c.y + size_t(n) * out_pixels;
    const float b0 = c.bias ? c.bias[0] : 0.0f;
    for (size_t o = 0; o < out_pixels; ++o) y[o] = b0;
    const float* x = c.x + size_t(n) * s.in_h * s.in_w * s.in_c;
    for (uint32_t ih = 0; ih < s.in_h; ++ih)
      for (uint32_t iw = 0; iw < s.in_w; ++iw) {
        const float* xp = x + (size_t(ih) * s.in_w + iw) * s.in_c;
        alignas(64) float contrib[kMaxTaps];
        for (uint32_t v = 0; v < tap_vectors; ++v) {
          // Four partial sums: one FMA chain would wait on its own latency.
          B acc[4] = {B(0.0f), B(0.0f), B(0.0f), B(0.0f)};
          const float* wv = wt + v * L;
          uint32_t ic = 0;
          for (; ic + 4 <= cin; ic += 4)
#pragma GCC unroll 4
            for (uint32_t u = 0; u < 4; ++u)
              acc[u] = xsimd::fma(B(xp[ic + u]), B::load_aligned(wv + size_t(ic + u) * taps_padded),
                                  acc[u]);
          for (; ic < cin; ++ic)
            acc[0] = xsimd::fma(B(xp[ic]), B::load_aligned(wv + size_t(ic) * taps_padded), acc[0]);
          ((acc[0] + acc[1]) + (acc[2] + acc[3])).store_aligned(contrib + v * L);
        }
        // Tap (kh, kw) connects this input pixel to one output pixel (if any).
        for (uint32_t kh = 0; kh < kh_count; ++kh) {
          int64_t oh;
          if (kTransposed) {
            oh = int64_t(ih) * p.stride[0] - p.pad_begin[0] + int64_t(kh) * p.dilation[0];
          } else {
            const int64_t t = int64_t(ih) + p.pad_begin[0] - int64_t(kh) * p.dilation[0];
            if (t < 0 || t % p.stride[0] != 0) continue;
            oh = t / p.stride[0];
          }
          if (oh < 0 || oh >= int64_t(s.out_h)) continue;
          float* y_row = y + size_t(oh) * s.out_w;
          for (uint32_t kw = 0; kw < kw_count; ++kw) {
            int64_t ow;
            if (kTransposed) {
              ow = int64_t(iw) * p.stride[1] - p.pad_begin[1] + int64_t(kw) * p.dilation[1];
            } else {
              const int64_t t = int64_t(iw) + p.pad_begin[1] - int64_t(kw) * p.dilation[1];
              if (t < 0 || t % p.stride[1] != 0) continue;
              ow = t / p.stride[1];
            }
            if (ow >= 0 && ow < int64_t(s.out_w)) y_row[ow] += contrib[kh * kw_count + kw];
          }
        }
      }
    activation<A>(c.act, uint32_t(out_pixels), 1, y, y);
  }
  return true;
}

// Depthwise (one input and one output channel per group): channels are
// independent, so vectorize over them directly.
template <class A, bool kTransposed>
void conv_depthwise(const ConvCtx& c) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  const ref::ConvShape& s = c.s;
  const format::ConvParams& p = s.p;
  const uint32_t ch = s.out_c;
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh)
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        float* yp = c.y + ((size_t(n) * s.out_h + oh) * s.out_w + ow) * ch;
        uint32_t c0 = 0;
        for (; c0 + L <= ch; c0 += L) {
          B acc = c.bias ? B::load_unaligned(c.bias + c0) : B(0.0f);
          for (uint32_t kh = 0; kh < uint32_t(p.kernel[0]); ++kh) {
            int64_t ih = kTransposed ? int64_t(oh) + p.pad_begin[0] - int64_t(kh) * p.dilation[0]
                                     : int64_t(oh) * p.stride[0] - p.pad_begin[0] +
                                           int64_t(kh) * p.dilation[0];
            if (kTransposed) {
              if (ih < 0 || ih % p.stride[0] != 0) continue;
              ih /= p.stride[0];
            }
            if (ih < 0 || ih >= int64_t(s.in_h)) continue;
            for (uint32_t kw = 0; kw < uint32_t(p.kernel[1]); ++kw) {
              int64_t iw = kTransposed ? int64_t(ow) + p.pad_begin[1] - int64_t(kw) * p.dilation[1]
                                       : int64_t(ow) * p.stride[1] - p.pad_begin[1] +
                                             int64_t(kw) * p.dilation[1];
              if (kTransposed) {
                if (iw < 0 || iw % p.stride[1] != 0) continue;
                iw /= p.stride[1];
              }
              if (iw < 0 || iw >= int64_t(s.in_w)) continue;
              const float* xp =
                  c.x + ((size_t(n) * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * ch + c0;
              const float* wp = c.w + (size_t(kh) * uint32_t(p.kernel[1]) + kw) * ch + c0;
              acc = xsimd::fma(B::load_unaligned(xp), B::load_unaligned(wp), acc);
            }
          }
          with_residual<A>(c, yp + c0, activate<A>(c.act, acc, c0)).store_unaligned(yp + c0);
        }
        if (c0 < ch) conv_pixel_scalar<kTransposed>(c, n, oh, ow, c0, ch);
      }
}

// Stride-2 ConvTranspose with both output column parities at once
// (f32_conv_transpose_s2.hpp); false when it does not apply.
template <class A>
bool conv_transpose_stride2(const ConvCtx& c);

// 2-D ConvTranspose 3x3 stride 2 pad 1 by output blocks
// (f32_conv_transpose_k3s2.hpp); false when it does not apply.
template <class A>
bool conv_transpose_k3s2(const ConvCtx& c);

// 1-D Conv with a kernel of 3 to 9 taps or 2-D 3x3, input-stationary
// (f32_conv_stationary.hpp); false when it does not apply.
template <class A>
bool conv_stationary(const ConvCtx& c);

// Layers with at most 4 input channels (Conv) or one output channel
// (ConvTranspose), f32_conv_rows.hpp; false when they do not apply.
template <class A>
bool conv_few_inputs(const ConvCtx& c);
template <class A>
bool conv_transpose_single_output_planes(const ConvCtx& c);

template <class A, bool kTransposed>
void conv_any(const ref::ConvShape& s, const float* x, const float* w, const float* bias,
              const ActivationSpec& act, float* y) {
  const uint32_t groups = s.p.groups > 0 ? uint32_t(s.p.groups) : 1;
  const ConvCtx c{s, x, w, bias, act, y, s.in_c / groups, s.out_c / groups};
  constexpr uint32_t L = Batch<A>::size;
  if (groups > 1 && c.cin_g == 1 && c.cout_g == 1) {
    if (s.out_c >= L) return conv_depthwise<A, kTransposed>(c);
    return kTransposed ? ref::conv_transpose_f32(s, x, w, bias, act, y)
                       : ref::conv_f32(s, x, w, bias, act, y);
  }
  // The input-stationary paths (32 vector registers only; nothing of them is
  // instantiated for the other sets). Their shapes never meet the few-input
  // and one-output paths below: a 2-D first layer takes the bands.
  if constexpr (kVectorRegisters<A> >= 32)
    if (kTransposed ? conv_transpose_k3s2<A>(c) : conv_stationary<A>(c)) return;
  if ((groups == 1 &&
       (kTransposed ? conv_transpose_single_output_planes<A>(c) : conv_few_inputs<A>(c))) ||
      (groups == 1 && s.out_c == 1 && c.cin_g >= L && conv_single_output<A, kTransposed>(c))) {
    if (act.residual) add_residual<A>(c);
    return;
  }
  if (c.cin_g > kZeroRowFloats)
    return kTransposed ? ref::conv_transpose_f32(s, x, w, bias, act, y)
                       : ref::conv_f32(s, x, w, bias, act, y);
  if (kTransposed && conv_transpose_stride2<A>(c)) return;
  for (uint32_t n = 0; n < s.batch; ++n)
    for_each_tap_class<kTransposed>(s, [&](const TapClass& k) {
      for (uint32_t g = 0; g < groups; ++g)
        conv_class_channels<A, kTransposed>(c, k, n, g * c.cout_g, (g + 1) * c.cout_g, g);
    });
}

template <class A>
void conv(const ref::ConvShape& s, const float* x, const float* w, const float* bias,
          const ActivationSpec& act, float* y) {
  conv_any<A, false>(s, x, w, bias, act, y);
}

template <class A>
void conv_transpose(const ref::ConvShape& s, const float* x, const float* w, const float* bias,
                    const ActivationSpec& act, float* y) {
  conv_any<A, true>(s, x, w, bias, act, y);
}

}  // namespace
}  // namespace edgeae::simd
