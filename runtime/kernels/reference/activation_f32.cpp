// Activation functions, applied per element; `channel` only matters to PRelu.
#include <math.h>

#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

namespace {

// Two branches so that expf only ever sees a non-positive argument: it can
// underflow to 0 (giving the correct limit) but never overflow to inf.
float sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

}  // namespace

float activate(const ActivationSpec& act, float x, uint32_t channel) {
  switch (act.kind) {
    case format::Activation::kNone:
      return x;
    case format::Activation::kRelu:
      return x < 0.0f ? 0.0f : x;
    case format::Activation::kLeakyRelu:
      return x < 0.0f ? act.alpha * x : x;
    case format::Activation::kSigmoid:
      return sigmoid(x);
    case format::Activation::kTanh:
      return tanhf(x);
    case format::Activation::kClip: {
      const float lo = x < act.alpha ? act.alpha : x;
      return lo > act.beta ? act.beta : lo;
    }
    case format::Activation::kHardSigmoid: {
      const float v = act.alpha * x + act.beta;
      return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    }
    case format::Activation::kPRelu: {
      // A single slope is shared by every channel (ONNX broadcasts [1]).
      const float slope = act.slope[act.slope_count == 1 ? 0 : channel];
      return x < 0.0f ? slope * x : x;
    }
  }
  return x;
}

void activation_f32(const ActivationSpec& act, uint32_t count, uint32_t channels, const float* x,
                    float* y) {
  const uint32_t c = channels == 0 ? 1 : channels;
  for (uint32_t i = 0; i < count; ++i) y[i] = activate(act, x[i], i % c);
}

}  // namespace edgeae::ref
