// Gemm (ONNX semantics with alpha = beta = 1): Y = act(A' * B' + C).
#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void dense_f32(const DenseShape& s, const float* a, const float* b, const float* bias,
               const ActivationSpec& act, float* y) {
  // B's columns come in blocks: one block of N columns when B is plain
  // row-major, blocks of b_block columns (each row-major [K, width]) when it
  // is column-blocked.
  const uint32_t block = s.b_block ? s.b_block : (s.n ? s.n : 1);
  for (uint32_t m = 0; m < s.m; ++m) {
    for (uint32_t first = 0; first < s.n; first += block) {
      const uint32_t width = s.n - first < block ? s.n - first : block;
      const float* b_block = s.b_block ? b + size_t{first} * s.k : b + first;
      const size_t b_row = s.b_block ? width : s.n;  // distance between B's rows
      for (uint32_t j = 0; j < width; ++j) {
        const uint32_t n = first + j;
        float acc = 0.0f;
        for (uint32_t k = 0; k < s.k; ++k) {
          // A is stored [M, K], or [K, M] when trans_a; likewise B is [K, N] or [N, K].
          const float av = s.trans_a ? a[size_t{k} * s.m + m] : a[size_t{m} * s.k + k];
          const float bv = s.trans_b ? b[size_t{n} * s.k + k] : b_block[size_t{k} * b_row + j];
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
}

}  // namespace edgeae::ref
