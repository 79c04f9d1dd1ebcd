// MaxPool, AveragePool and GlobalAveragePool over channels-last tensors
// (ONNX semantics; output sizes, including ceil_mode's, come from the caller).
#include "kernels/reference/pool_geometry.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

using pool::for_each_window_tap;
using pool::padded_window_taps;
using pool::x_index;
using pool::y_index;

void max_pool_f32(const PoolShape& s, const float* x, const ActivationSpec& act, float* y) {
  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        for (uint32_t c = 0; c < s.channels; ++c) {
          // Padding never wins, so only in-bounds taps are looked at. A window
          // entirely in padding (pads >= the window, which ONNX exporters do
          // not produce) has no value; it gives 0 rather than -inf.
          bool any = false;
          float best = 0.0f;
          for_each_window_tap(s, oh, ow, [&](int64_t ih, int64_t iw) {
            const float v = x[x_index(s, n, ih, iw, c)];
            if (!any || v > best) best = v;
            any = true;
          });
          y[y_index(s, n, oh, ow, c)] = activate(act, best, c);
        }
      }
    }
  }
}

void average_pool_f32(const PoolShape& s, const float* x, const ActivationSpec& act, float* y) {
  const format::PoolParams& p = s.p;
  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      for (uint32_t ow = 0; ow < s.out_w; ++ow) {
        for (uint32_t c = 0; c < s.channels; ++c) {
          float sum = 0.0f;
          uint32_t in_bounds = 0;
          for_each_window_tap(s, oh, ow, [&](int64_t ih, int64_t iw) {
            sum += x[x_index(s, n, ih, iw, c)];
            ++in_bounds;
          });
          // Padded taps add zero to the sum; they only change the divisor.
          uint32_t divisor = in_bounds;
          if (p.count_include_pad != 0) {
            divisor = padded_window_taps(s, oh, ow);
          }
          // An empty window (only possible with pads >= the window) gives 0, not NaN.
          const float mean = divisor > 0 ? sum / static_cast<float>(divisor) : 0.0f;
          y[y_index(s, n, oh, ow, c)] = activate(act, mean, c);
        }
      }
    }
  }
}

void global_average_pool_f32(uint32_t batch, uint32_t spatial, uint32_t channels, const float* x,
                             const ActivationSpec& act, float* y) {
  for (uint32_t n = 0; n < batch; ++n) {
    for (uint32_t c = 0; c < channels; ++c) {
      float sum = 0.0f;
      for (uint32_t i = 0; i < spatial; ++i) sum += x[(size_t{n} * spatial + i) * channels + c];
      const float mean = spatial > 0 ? sum / static_cast<float>(spatial) : 0.0f;
      y[size_t{n} * channels + c] = activate(act, mean, c);
    }
  }
}

}  // namespace edgeae::ref
