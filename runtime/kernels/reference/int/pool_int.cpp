// Integer MaxPool, AveragePool and GlobalAveragePool over channels-last
// tensors. The output keeps the input's (scale, zero point); the window
// geometry is that of pool_f32.cpp (pool_geometry.hpp).
#include "kernels/reference/int_reference.hpp"
#include "kernels/reference/pool_geometry.hpp"

namespace edgeae::ref {

using pool::for_each_window_tap;
using pool::padded_window_taps;
using pool::x_index;
using pool::y_index;

namespace {

template <typename T>
void max_pool(const PoolShape& s, const PoolQuant& q, const T* x, T* y) {
  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        // Quantization is monotone, so the max of q is the q of the max: the
        // running max of each channel kept in the output pixel, tap by tap.
        T* out = y + y_index(s, n, oh, ow, 0);
        bool any = false;
        for_each_window_tap(s, oh, ow, [&](int64_t ih, int64_t iw) {
          const T* in = x + x_index(s, n, ih, iw, 0);
          for (uint32_t c = 0; c < s.channels; ++c)
            if (!any || in[c] > out[c]) out[c] = in[c];
          any = true;
        });
        // An empty window gives the real value 0, i.e. zp.
        for (uint32_t c = 0; c < s.channels; ++c)
          out[c] = static_cast<T>(quant::clamp_i32(any ? out[c] : q.zp, q.act_min, q.act_max));
      }
    }
  }
}

// The mean of the real values, in units of the scale, relative to zp:
// zp + round(sum (x - zp) / divisor), ties away from zero; int64 so that no
// window size can overflow it.
template <typename T>
T mean_output(int64_t centered_sum, uint32_t divisor, const PoolQuant& q) {
  const int64_t mean = divisor > 0 ? quant::rounded_divide(centered_sum, divisor) : 0;
  const int64_t v = mean + q.zp;
  return static_cast<T>(v < q.act_min ? q.act_min : (v > q.act_max ? q.act_max : v));
}

template <typename T>
void average_pool(const PoolShape& s, const PoolQuant& q, const T* x, T* y) {
  const format::PoolParams& p = s.p;
  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        for (uint32_t c = 0; c < s.channels; ++c) {
          int64_t sum = 0;
          uint32_t in_bounds = 0;
          for_each_window_tap(s, oh, ow, [&](int64_t ih, int64_t iw) {
            sum += x[x_index(s, n, ih, iw, c)] - q.zp;
            ++in_bounds;
          });
          // Padded taps are real zeros: they only change the divisor.
          uint32_t divisor = in_bounds;
          if (p.count_include_pad != 0) {
            divisor = padded_window_taps(s, oh, ow);
          }
          y[y_index(s, n, oh, ow, c)] = mean_output<T>(sum, divisor, q);
        }
      }
    }
  }
}

template <typename T>
void global_average_pool(uint32_t batch, uint32_t spatial, uint32_t channels, const PoolQuant& q,
                         const T* x, T* y) {
  for (uint32_t n = 0; n < batch; ++n) {
    for (uint32_t c = 0; c < channels; ++c) {
      int64_t sum = 0;
      for (uint32_t i = 0; i < spatial; ++i)
        sum += x[(size_t{n} * spatial + i) * channels + c] - q.zp;
      y[size_t{n} * channels + c] = mean_output<T>(sum, spatial, q);
    }
  }
}

}  // namespace

void max_pool_s8(const PoolShape& s, const PoolQuant& q, const int8_t* x, int8_t* y) {
  max_pool(s, q, x, y);
}
void max_pool_s16(const PoolShape& s, const PoolQuant& q, const int16_t* x, int16_t* y) {
  max_pool(s, q, x, y);
}
void average_pool_s8(const PoolShape& s, const PoolQuant& q, const int8_t* x, int8_t* y) {
  average_pool(s, q, x, y);
}
void average_pool_s16(const PoolShape& s, const PoolQuant& q, const int16_t* x, int16_t* y) {
  average_pool(s, q, x, y);
}
void global_average_pool_s8(uint32_t batch, uint32_t spatial, uint32_t channels, const PoolQuant& q,
                            const int8_t* x, int8_t* y) {
  global_average_pool(batch, spatial, channels, q, x, y);
}
void global_average_pool_s16(uint32_t batch, uint32_t spatial, uint32_t channels,
                             const PoolQuant& q, const int16_t* x, int16_t* y) {
  global_average_pool(batch, spatial, channels, q, x, y);
}

}  // namespace edgeae::ref
