// int8 Dense for AVX2: int16 widening and vpmaddwd (s8_dense.hpp).
#include <immintrin.h>
#include <string.h>

#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

void dense_s8_avx2(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                   const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  const uint32_t quads = (s.k + 3) / 4;
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(q.in_zp));
  for (uint32_t m = 0; m < s.m; ++m) {
    const int8_t* am = a + size_t{m} * s.k;
    // Column tiles of 8: per quad, 32 bytes of B widen to two int16 vectors
    // of 4 columns x 4 k; vpmaddwd against (a0..a3 - zp) twice leaves two
    // int32 partial sums per column.
    for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
      for (uint32_t n0 = nb; n0 < ne; n0 += 8) {
        const uint32_t width = ne - n0 < 8 ? ne - n0 : 8;
        __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
        for (uint32_t qd = 0; qd < quads; ++qd) {
          int32_t quad = 0;
          const uint32_t k0 = qd * 4;
          if (s.k - k0 >= 4)
            memcpy(&quad, am + k0, 4);
          else
            memcpy(&quad, am + k0, s.k - k0);  // past K: 0 (the weights are 0 there too)
          const __m128i a16 = _mm_sub_epi16(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(quad)), zp);
          const __m256i av = _mm256_broadcastq_epi64(a16);
          const int8_t* bq = block + qd * row + size_t{n0 - nb} * 4;
          __m128i w0, w1;
          if (width == 8) {
            w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bq));
            w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bq + 16));
          } else {
            alignas(16) int8_t tail[32] = {};
            memcpy(tail, bq, size_t{width} * 4);
            w0 = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
            w1 = _mm_load_si128(reinterpret_cast<const __m128i*>(tail + 16));
          }
          acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_cvtepi8_epi16(w0), av));
          acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_cvtepi8_epi16(w1), av));
        }
        // Pair sums -> one int32 per column: hadd gives [c0 c1 c4 c5 | c2 c3 c6 c7].
        const __m256i h = _mm256_hadd_epi32(acc0, acc1);
        const __m256i ordered = _mm256_permute4x64_epi64(h, 0xD8);
        alignas(32) int32_t sums[8];
        _mm256_store_si256(reinterpret_cast<__m256i*>(sums), ordered);
        store_requantized(s, q, bias, m, n0, width, sums, y);
      }
    });
  }
}

}  // namespace edgeae::simd
