// MaxPool, AveragePool and GlobalAveragePool over channels-last tensors.
// Part of the float32 SIMD kernels (f32_simd.hpp has the design notes); the
// same internal-linkage rules apply.
#pragma once

#include "kernels/simd/f32_common.hpp"

namespace edgeae::simd {
namespace {

template <class A, bool kMax>
void pool(const ref::PoolShape& s, const float* x, const ActivationSpec& act, float* y) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  if (s.channels < L)
    return kMax ? ref::max_pool_f32(s, x, act, y) : ref::average_pool_f32(s, x, act, y);
  const format::PoolParams& p = s.p;
  const uint32_t ch = s.channels;
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh)
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        // The window's taps inside the input, and (for the average) the
        // divisor: in-bounds taps, or taps inside the padded extent.
        const int64_t h0 = int64_t(oh) * p.stride[0] - p.pad_begin[0];
        const int64_t w0 = int64_t(ow) * p.stride[1] - p.pad_begin[1];
        uint32_t inside = 0, padded_h = 0, padded_w = 0;
        for (int32_t kh = 0; kh < p.kernel[0]; ++kh) {
          const int64_t ih = h0 + int64_t(kh) * p.dilation[0];
          padded_h += (ih >= -p.pad_begin[0] && ih < int64_t(s.in_h) + p.pad_end[0]) ? 1 : 0;
        }
        for (int32_t kw = 0; kw < p.kernel[1]; ++kw) {
          const int64_t iw = w0 + int64_t(kw) * p.dilation[1];
          padded_w += (iw >= -p.pad_begin[1] && iw < int64_t(s.in_w) + p.pad_end[1]) ? 1 : 0;
        }
        float* yp = y + ((size_t(n) * s.out_h + oh) * s.out_w + ow) * ch;
        uint32_t c0 = 0;
        for (; c0 + L <= ch; c0 += L) {
          B acc = kMax ? B(-3.402823466e38f) : B(0.0f);
          inside = 0;
          for (int32_t kh = 0; kh < p.kernel[0]; ++kh) {
            const int64_t ih = h0 + int64_t(kh) * p.dilation[0];
            if (ih < 0 || ih >= int64_t(s.in_h)) continue;
            for (int32_t kw = 0; kw < p.kernel[1]; ++kw) {
              const int64_t iw = w0 + int64_t(kw) * p.dilation[1];
              if (iw < 0 || iw >= int64_t(s.in_w)) continue;
              const B v = B::load_unaligned(
                  x + ((size_t(n) * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * ch + c0);
              acc = kMax ? xsimd::max(acc, v) : acc + v;
              ++inside;
            }
          }
          if (inside == 0) {
            acc = B(0.0f);
          } else if (!kMax) {
            const uint32_t divisor = p.count_include_pad ? padded_h * padded_w : inside;
            acc = acc / B(float(divisor));
          }
          activate<A>(act, acc, c0).store_unaligned(yp + c0);
        }
        if (c0 < ch) {
          // Channel tail: the same sums, one channel at a time.
          for (uint32_t c = c0; c < ch; ++c) {
            float acc = kMax ? -3.402823466e38f : 0.0f;
            inside = 0;
            for (int32_t kh = 0; kh < p.kernel[0]; ++kh) {
              const int64_t ih = h0 + int64_t(kh) * p.dilation[0];
              if (ih < 0 || ih >= int64_t(s.in_h)) continue;
              for (int32_t kw = 0; kw < p.kernel[1]; ++kw) {
                const int64_t iw = w0 + int64_t(kw) * p.dilation[1];
                if (iw < 0 || iw >= int64_t(s.in_w)) continue;
                const float v =
                    x[((size_t(n) * s.in_h + size_t(ih)) * s.in_w + size_t(iw)) * ch + c];
                acc = kMax ? (v > acc ? v : acc) : acc + v;
                ++inside;
              }
            }
            if (inside == 0)
              acc = 0.0f;
            else if (!kMax)
              acc /= float(p.count_include_pad ? padded_h * padded_w : inside);
            yp[c] = ref::activate(act, acc, c);
          }
        }
      }
}

template <class A>
void max_pool(const ref::PoolShape& s, const float* x, const ActivationSpec& act, float* y) {
  pool<A, true>(s, x, act, y);
}

template <class A>
void average_pool(const ref::PoolShape& s, const float* x, const ActivationSpec& act, float* y) {
  pool<A, false>(s, x, act, y);
}

template <class A>
void global_average_pool(uint32_t batch, uint32_t spatial, uint32_t channels, const float* x,
                         const ActivationSpec& act, float* y) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  for (uint32_t n = 0; n < batch; ++n) {
    const float* xb = x + size_t(n) * spatial * channels;
    uint32_t c = 0;
    for (; c + L <= channels; c += L) {
      B acc(0.0f);
      for (uint32_t i = 0; i < spatial; ++i)
        acc += B::load_unaligned(xb + size_t(i) * channels + c);
      activate<A>(act, acc / B(float(spatial)), c).store_unaligned(y + size_t(n) * channels + c);
    }
    for (; c < channels; ++c) {
      float acc = 0.0f;
      for (uint32_t i = 0; i < spatial; ++i) acc += xb[size_t(i) * channels + c];
      y[size_t(n) * channels + c] = ref::activate(act, acc / float(spatial), c);
    }
  }
}

}  // namespace
}  // namespace edgeae::simd
