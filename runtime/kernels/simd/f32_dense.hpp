// Dense (Gemm) over [K, N] weights, tiled over output columns.
// Part of the float32 SIMD kernels (f32_simd.hpp has the design notes); the
// same internal-linkage rules apply.
#pragma once

#include "kernels/simd/f32_common.hpp"

namespace edgeae::simd {
namespace {

// Y[m][n0 .. n0 + T*L) for one row: T column vectors, U independent partial
// sums over k (T * U = 8 chains hide the FMA latency).
template <class A, int T, int U>
void dense_tile(const float* a_row, const float* b, uint32_t k_count, uint32_t n_count, uint32_t n0,
                const float* bias_row, uint32_t bias_stride_n, const ActivationSpec& act,
                float* y_row) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  B acc[U][T];
  for (int t = 0; t < T; ++t) {
    const uint32_t n = n0 + t * L;
    acc[0][t] = !bias_row            ? B(0.0f)
                : bias_stride_n == 0 ? B(bias_row[0])
                                     : B::load_unaligned(bias_row + n);
    for (int u = 1; u < U; ++u) acc[u][t] = B(0.0f);
  }
  uint32_t k = 0;
  for (; k + U <= k_count; k += U) {
    for (int u = 0; u < U; ++u) {
      const B x(a_row[k + u]);
      const float* row = b + size_t(k + u) * n_count + n0;
      for (int t = 0; t < T; ++t)
        acc[u][t] = xsimd::fma(x, B::load_unaligned(row + t * L), acc[u][t]);
    }
  }
  for (; k < k_count; ++k) {
    const B x(a_row[k]);
    const float* row = b + size_t(k) * n_count + n0;
    for (int t = 0; t < T; ++t)
      acc[0][t] = xsimd::fma(x, B::load_unaligned(row + t * L), acc[0][t]);
  }
  B sum[1][T];
  for (int t = 0; t < T; ++t) {
    sum[0][t] = acc[0][t];
    for (int u = 1; u < U; ++u) sum[0][t] += acc[u][t];
  }
  activate_tile<A, 1, T>(act, sum, n0);
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) sum[0][t].store_unaligned(y_row + n0 + t * L);
}

// Columns [n0, n_count) of one row, widest tiles first; a tail narrower
// than a vector runs scalar (see f32_common.hpp).
template <class A>
void dense_columns(const float* a_row, const float* b, uint32_t k_count, uint32_t n_count,
                   uint32_t n0, const float* bias_row, uint32_t bias_stride_n,
                   const ActivationSpec& act, float* y_row) {
  if constexpr (std::is_void_v<A>) {
    for (uint32_t n = n0; n < n_count; ++n) {
      float acc = bias_row ? bias_row[bias_stride_n ? n : 0] : 0.0f;
      for (uint32_t k = 0; k < k_count; ++k) acc += a_row[k] * b[size_t(k) * n_count + n];
      y_row[n] = ref::activate(act, acc, n);
    }
  } else {
    constexpr uint32_t L = Batch<A>::size;
    // With 32 vector registers a tile spans 16 vectors (256 columns on
    // AVX-512): each k's weights are then read as one sequential run.
    if constexpr (kVectorRegisters<A> >= 32) {
      for (; n0 + 16 * L <= n_count; n0 += 16 * L)
        dense_tile<A, 16, 1>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
    }
    for (; n0 + 8 * L <= n_count; n0 += 8 * L)
      dense_tile<A, 8, 1>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
    if (n0 + 4 * L <= n_count) {
      dense_tile<A, 4, 2>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
      n0 += 4 * L;
    }
    if (n0 + 2 * L <= n_count) {
      dense_tile<A, 2, 4>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
      n0 += 2 * L;
    }
    if (n0 + L <= n_count) {
      dense_tile<A, 1, 8>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
      n0 += L;
    }
    if (n0 < n_count)
      dense_columns<void>(a_row, b, k_count, n_count, n0, bias_row, bias_stride_n, act, y_row);
  }
}

template <class A>
void dense(const ref::DenseShape& s, const float* a, const float* b, const float* bias,
           const ActivationSpec& act, float* y) {
  // The converter always writes constant weights [K, N]; transposed operands
  // (computed at run time) take the reference path.
  if (s.trans_a || s.trans_b) return ref::dense_f32(s, a, b, bias, act, y);
  for (uint32_t m = 0; m < s.m; ++m) {
    const float* bias_row = bias ? bias + size_t(m) * s.bias_stride_m : nullptr;
    dense_columns<A>(a + size_t(m) * s.k, b, s.k, s.n, 0, bias_row, s.bias_stride_n, act,
                     y + size_t(m) * s.n);
  }
}

}  // namespace
}  // namespace edgeae::simd
