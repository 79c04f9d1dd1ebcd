// Gemm (ONNX semantics with alpha = beta = 1): Y = act(A' * B' + C).
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void dense_f32(const DenseShape& s, const float* a, const float* b, const float* bias,
               const ActivationSpec& act, float* y) {
  for (uint32_t m = 0; m < s.m; ++m) {
    for (uint32_t n = 0; n < s.n; ++n) {
      float acc = 0.0f;
      for (uint32_t k = 0; k < s.k; ++k) {
        // A is stored [M, K], or [K, M] when trans_a; likewise B is [K, N] or [N, K].
        const float av = s.trans_a ? a[size_t{k} * s.m + m] : a[size_t{m} * s.k + k];
        const float bv =
            s.trans_b ? b[size_t{n} * s.k + k] : b[dense_b_offset(s.k, s.n, s.b_block, k, n)];
        acc += av * bv;
      }
      if (bias != nullptr) {
        acc += bias[size_t{m} * s.bias_stride_m + size_t{n} * s.bias_stride_n];
      }
      // The output's last axis is N, so PRelu slopes index by n.
      y[size_t{m} * s.n + n] = activate(act, acc, n);
    }
  }
}

}  // namespace edgeae::ref
