// Integer Gemm: int8 (int32 accumulation) and 16x8 (int64 accumulation).
#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

// A is [M, K] with zero point in_zp, B is [K, N] symmetric (the weights);
// output channel n owns column n of B and its requantization.
template <typename T, typename Acc, typename Bias, typename W>
void dense(const DenseShape& s, int32_t in_zp, const RequantParams& q, const T* a, const W* b,
           const Bias* bias, T* y) {
  for (uint32_t m = 0; m < s.m; ++m) {
    for (uint32_t n = 0; n < s.n; ++n) {
      Acc acc = bias != nullptr ? bias[size_t{m} * s.bias_stride_m + size_t{n} * s.bias_stride_n]
                                : Acc{0};
      for (uint32_t k = 0; k < s.k; ++k) {
        acc += Acc{a[size_t{m} * s.k + k] - in_zp} * b[size_t{k} * s.n + n];
      }
      y[size_t{m} * s.n + n] = static_cast<T>(detail::requantize(acc, q, n));
    }
  }
}

}  // namespace

void dense_s8_packed(const DenseShape& s, const LayerQuant& q, const int8_t* a, const int8_t* b,
                     const int32_t* bias, int8_t* y) {
  // Quads of K (or DSP pairs) in column blocks (format::packed_dense_weight).
  const uint32_t kp = (s.k + 3) / 4 * 4;
  for (uint32_t m = 0; m < s.m; ++m) {
    for (uint32_t n = 0; n < s.n; ++n) {
      int32_t acc =
          bias != nullptr ? bias[size_t{m} * s.bias_stride_m + size_t{n} * s.bias_stride_n] : 0;
      for (uint32_t k = 0; k < s.k; ++k)
        acc += (int32_t{a[size_t{m} * s.k + k]} - q.in_zp) *
               format::packed_dense_weight(b, s.b_packing, k, n, kp, s.n, s.b_block);
      y[size_t{m} * s.n + n] = static_cast<int8_t>(detail::requantize(acc, q.out, n));
    }
  }
}

void dense_s8(const DenseShape& s, const LayerQuant& q, const int8_t* a, const int8_t* b,
              const int32_t* bias, int8_t* y) {
  dense<int8_t, int32_t>(s, q.in_zp, q.out, a, b, bias, y);
}

void dense_s16(const DenseShape& s, const RequantParams& q, const int16_t* a, const int8_t* b,
               const int64_t* bias, int16_t* y) {
  dense<int16_t, int64_t>(s, 0, q, a, b, bias, y);
}

void dense_s16x16(const DenseShape& s, const RequantParams& q, const int16_t* a, const int16_t* b,
                  const int64_t* bias, int16_t* y) {
  dense<int16_t, int64_t>(s, 0, q, a, b, bias, y);
}

}  // namespace edgeae::ref
