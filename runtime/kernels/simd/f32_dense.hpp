// Dense (Gemm) over [K, N] weights, tiled over output columns.
// Part of the float32 SIMD kernels (f32_simd.hpp has the design notes); the
// same internal-linkage rules apply.
#pragma once

#include "kernels/simd/f32_common.hpp"

namespace edgeae::simd {
namespace {

// Software prefetch pays off for weights that stream from L3 (a matrix
// well beyond L2), and costs time for one that stays in L2: only matrices
// above this size get it.
constexpr uint32_t kPrefetchRows = 4;
constexpr size_t kPrefetchMinBytes = 512 * 1024;

// One row of A against B, writing one row of Y.
struct DenseRow {
  const float* a;
  uint32_t k_count;
  const float* bias;  // null: no bias
  uint32_t bias_stride_n;
  const ActivationSpec& act;
  float* y;
  bool prefetch;  // prefetch B's rows ahead (large matrices)
};

// Y[n0 .. n0 + T*L) of one row: T column vectors, U independent partial sums
// over k (T * U >= 8 chains hide the FMA latency). `b` points at B[0][n0] and
// consecutive rows of B are `row_stride` floats apart.
template <class A, int T, int U>
void dense_tile(const DenseRow& r, const float* b, size_t row_stride, uint32_t n0) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  B acc[U][T];
  for (int t = 0; t < T; ++t) {
    acc[0][t] = !r.bias                ? B(0.0f)
                : r.bias_stride_n == 0 ? B(r.bias[0])
                                       : B::load_unaligned(r.bias + n0 + t * L);
    for (int u = 1; u < U; ++u) acc[u][t] = B(0.0f);
  }
  uint32_t k = 0;
  for (; k + U <= r.k_count; k += U) {
    for (int u = 0; u < U; ++u) {
      const B x(r.a[k + u]);
      const float* row = b + size_t(k + u) * row_stride;
      // Large weights stream from L3 once per inference: ask for them a few
      // rows ahead (one prefetch per cache line of the tile's row).
      if (r.prefetch && k + u + kPrefetchRows < r.k_count)
#pragma GCC unroll 16
        for (uint32_t f = 0; f < T * L; f += 16)
          __builtin_prefetch(row + kPrefetchRows * row_stride + f);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t)
        acc[u][t] = xsimd::fma(x, B::load_unaligned(row + t * L), acc[u][t]);
    }
  }
  for (; k < r.k_count; ++k) {
    const B x(r.a[k]);
    const float* row = b + size_t(k) * row_stride;
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t)
      acc[0][t] = xsimd::fma(x, B::load_unaligned(row + t * L), acc[0][t]);
  }
  B sum[1][T];
  for (int t = 0; t < T; ++t) {
    sum[0][t] = acc[0][t];
    for (int u = 1; u < U; ++u) sum[0][t] += acc[u][t];
  }
  activate_tile<A, 1, T>(r.act, sum, n0);
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) sum[0][t].store_unaligned(r.y + n0 + t * L);
}

// Columns [n0, n_end) of one row, widest tiles first, with B[0][n] at
// b[n - n0] and rows `row_stride` apart; a tail narrower than a vector runs
// scalar (see f32_common.hpp).
template <class A>
void dense_columns(const DenseRow& r, const float* b, size_t row_stride, uint32_t n0,
                   uint32_t n_end) {
  if constexpr (std::is_void_v<A>) {
    for (uint32_t n = n0; n < n_end; ++n) {
      float acc = r.bias ? r.bias[r.bias_stride_n ? n : 0] : 0.0f;
      for (uint32_t k = 0; k < r.k_count; ++k) acc += r.a[k] * b[size_t(k) * row_stride + (n - n0)];
      r.y[n] = ref::activate(r.act, acc, n);
    }
  } else {
    constexpr uint32_t L = Batch<A>::size;
    const float* b0 = b;
    const uint32_t first = n0;
    auto at = [&](uint32_t n) { return b0 + (n - first); };
    // With 32 vector registers a tile spans 16 vectors (256 columns on
    // AVX-512): each k's weights are then read as one sequential run.
    if constexpr (kVectorRegisters<A> >= 32) {
      for (; n0 + 16 * L <= n_end; n0 += 16 * L) dense_tile<A, 16, 1>(r, at(n0), row_stride, n0);
    }
    for (; n0 + 8 * L <= n_end; n0 += 8 * L) dense_tile<A, 8, 1>(r, at(n0), row_stride, n0);
    if (n0 + 4 * L <= n_end) {
      dense_tile<A, 4, 2>(r, at(n0), row_stride, n0);
      n0 += 4 * L;
    }
    if (n0 + 2 * L <= n_end) {
      dense_tile<A, 2, 4>(r, at(n0), row_stride, n0);
      n0 += 2 * L;
    }
    if (n0 + L <= n_end) {
      dense_tile<A, 1, 8>(r, at(n0), row_stride, n0);
      n0 += L;
    }
    if (n0 < n_end) dense_columns<void>(r, at(n0), row_stride, n0, n_end);
  }
}

template <class A>
void dense(const ref::DenseShape& s, const float* a, const float* b, const float* bias,
           const ActivationSpec& act, float* y) {
  // The converter always writes constant weights [K, N]; transposed operands
  // (computed at run time) take the reference path.
  if (s.trans_a || s.trans_b) return ref::dense_f32(s, a, b, bias, act, y);
  for (uint32_t m = 0; m < s.m; ++m) {
    const DenseRow r{a + size_t(m) * s.k,
                     s.k,
                     bias ? bias + size_t(m) * s.bias_stride_m : nullptr,
                     s.bias_stride_n,
                     act,
                     y + size_t(m) * s.n,
                     size_t(s.k) * s.n * sizeof(float) >= kPrefetchMinBytes};
    if (s.b_block == 0) {
      dense_columns<A>(r, b, s.n, 0, s.n);
      continue;
    }
    // Column blocks: each a row-major [K, width] matrix, read as one stream.
    for (uint32_t first = 0; first < s.n; first += s.b_block) {
      const uint32_t width = s.n - first < s.b_block ? s.n - first : s.b_block;
      dense_columns<A>(r, b + size_t(first) * s.k, width, first, first + width);
    }
  }
}

}  // namespace
}  // namespace edgeae::simd
