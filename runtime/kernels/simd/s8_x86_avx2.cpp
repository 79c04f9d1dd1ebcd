// int8 Dense for AVX2: int16 widening and vpmaddwd (s8_dense.hpp), 32
// columns (8 accumulators) in flight, and the requantization on 8 lanes.
#include <immintrin.h>
#include <string.h>

#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

namespace {

// quant::requantize on 8 lanes for shifts <= 0 (bit for bit): the rounding
// doubling high multiply as floor((x * m + 2^30) / 2^31) (docs/kernels.md,
// "Requantization identity"; a logical 64-bit shift gives the same low 32
// bits as an arithmetic one), INT32_MIN * INT32_MIN saturating, the rounding
// right shift with ties away from zero, then zp and the clamp.
__m256i requantize8(__m256i x, __m256i mult, __m256i right, const ref::RequantParams& q) {
  const __m256i half = _mm256_set1_epi64x(1ll << 30);
  const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, mult), half), 31);
  const __m256i odd = _mm256_srli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)),
                       half),
      31);
  __m256i h = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  const __m256i min = _mm256_set1_epi32(INT32_MIN);
  const __m256i both_min =
      _mm256_and_si256(_mm256_cmpeq_epi32(x, min), _mm256_cmpeq_epi32(mult, min));
  h = _mm256_blendv_epi8(h, _mm256_set1_epi32(INT32_MAX), both_min);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
  const __m256i remainder = _mm256_and_si256(h, mask);
  // threshold = (mask >> 1) + (h < 0); the compares give -1 for true.
  const __m256i threshold =
      _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_cmpgt_epi32(_mm256_setzero_si256(), h));
  __m256i r =
      _mm256_sub_epi32(_mm256_srav_epi32(h, right), _mm256_cmpgt_epi32(remainder, threshold));
  r = _mm256_max_epi32(r, _mm256_set1_epi32(q.act_min - q.out_zp));
  r = _mm256_min_epi32(r, _mm256_set1_epi32(q.act_max - q.out_zp));
  return _mm256_add_epi32(r, _mm256_set1_epi32(q.out_zp));
}

// Pair sums of two 4-column accumulators -> one int32 per column, in order.
__m256i column_sums(__m256i acc0, __m256i acc1) {
  // hadd gives [c0 c1 c4 c5 | c2 c3 c6 c7].
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc0, acc1), 0xD8);
}

}  // namespace

void dense_s8_avx2(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                   const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  const uint32_t quads = (s.k + 3) / 4;
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(q.in_zp));
  if (s.n == 1) {
    // One output column (a Cout-1 conv's gathered rows): B is K contiguous
    // weights, so the lanes run along K, 16 at a time (the tail through a
    // zeroed copy: a zero weight makes the padded a bytes add nothing).
    const __m256i zp16 = _mm256_set1_epi16(static_cast<int16_t>(q.in_zp));
    for (uint32_t m = 0; m < s.m; ++m) {
      const int8_t* am = a + size_t{m} * s.k;
      __m256i acc = _mm256_setzero_si256();
      for (uint32_t k0 = 0; k0 < s.k; k0 += 16) {
        __m128i av, wv;
        if (s.k - k0 >= 16) {
          av = _mm_loadu_si128(reinterpret_cast<const __m128i*>(am + k0));
          wv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + k0));
        } else {
          alignas(16) int8_t at[16] = {}, wt[16] = {};
          memcpy(at, am + k0, s.k - k0);
          memcpy(wt, b + k0, s.k - k0);
          av = _mm_load_si128(reinterpret_cast<const __m128i*>(at));
          wv = _mm_load_si128(reinterpret_cast<const __m128i*>(wt));
        }
        acc = _mm256_add_epi32(acc,
                               _mm256_madd_epi16(_mm256_sub_epi16(_mm256_cvtepi8_epi16(av), zp16),
                                                 _mm256_cvtepi8_epi16(wv)));
      }
      const __m128i h =
          _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
      const __m128i h2 = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
      const int32_t sum = _mm_cvtsi128_si32(_mm_add_epi32(h2, _mm_shuffle_epi32(h2, 0xB1)));
      store_requantized(s, q, bias, m, 0, 1, &sum, y);
    }
    return;
  }
  bool right_shifts_only = true;
  for (uint32_t c = 0; c < q.out.count; ++c) right_shifts_only &= q.out.shift[c] <= 0;
  // Stores 8 columns from n0: vector requantization when every shift is a
  // right shift, the scalar reference otherwise.
  auto store8 = [&](__m256i sums, uint32_t m, uint32_t n0, uint32_t width) {
    alignas(32) int32_t lanes[8];
    if (!right_shifts_only || width < 8) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sums);
      store_requantized(s, q, bias, m, n0, width, lanes, y);
      return;
    }
    if (bias != nullptr) {
      const int32_t* bm = bias + size_t{m} * s.bias_stride_m;
      sums = _mm256_add_epi32(
          sums, s.bias_stride_n == 1 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bm + n0))
                                     : _mm256_set1_epi32(bm[0]));
    }
    const bool per_channel = q.out.count > 1;
    const __m256i mult =
        per_channel ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.out.multiplier + n0))
                    : _mm256_set1_epi32(q.out.multiplier[0]);
    const __m256i shift =
        per_channel ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.out.shift + n0))
                    : _mm256_set1_epi32(q.out.shift[0]);
    const __m256i r =
        requantize8(sums, mult, _mm256_sub_epi32(_mm256_setzero_si256(), shift), q.out);
    // int32 -> int8 (the values are in range: no saturation happens).
    const __m256i packed16 = _mm256_packs_epi32(r, r);
    const __m256i packed8 = _mm256_packs_epi16(packed16, packed16);
    const int32_t lo = _mm256_extract_epi32(packed8, 0), hi = _mm256_extract_epi32(packed8, 4);
    memcpy(y + size_t{m} * s.n + n0, &lo, 4);
    memcpy(y + size_t{m} * s.n + n0 + 4, &hi, 4);
  };
  for (uint32_t m = 0; m < s.m; ++m) {
    const int8_t* am = a + size_t{m} * s.k;
    for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
      uint32_t n0 = nb;
      // 32 columns at a time: per quad, 4 x 32 bytes of B widen to int16
      // (4 columns x 4 k each) and vpmaddwd against (a0..a3 - zp) leaves two
      // int32 partial sums per column; 8 independent accumulators.
      for (; n0 + 32 <= ne; n0 += 32) {
        __m256i acc[8];
        for (__m256i& v : acc) v = _mm256_setzero_si256();
        const int8_t* bq = block + size_t{n0 - nb} * 4;
        for (uint32_t qd = 0; qd < quads; ++qd, bq += row) {
          int32_t quad = 0;
          const uint32_t k0 = qd * 4;
          if (s.k - k0 >= 4)
            memcpy(&quad, am + k0, 4);
          else
            memcpy(&quad, am + k0, s.k - k0);  // past K: 0 (the weights are 0 there too)
          const __m256i av = _mm256_broadcastq_epi64(
              _mm_sub_epi16(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(quad)), zp));
          for (int i = 0; i < 8; ++i) {
            const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bq + 16 * i));
            acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(_mm256_cvtepi8_epi16(w), av));
          }
        }
        for (int g = 0; g < 4; ++g)
          store8(column_sums(acc[2 * g], acc[2 * g + 1]), m, n0 + 8u * static_cast<uint32_t>(g), 8);
      }
      // The rest 8 columns at a time (the last group partial).
      for (; n0 < ne; n0 += 8) {
        const uint32_t width = ne - n0 < 8 ? ne - n0 : 8;
        __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
        for (uint32_t qd = 0; qd < quads; ++qd) {
          int32_t quad = 0;
          const uint32_t k0 = qd * 4;
          if (s.k - k0 >= 4)
            memcpy(&quad, am + k0, 4);
          else
            memcpy(&quad, am + k0, s.k - k0);
          const __m256i av = _mm256_broadcastq_epi64(
              _mm_sub_epi16(_mm_cvtepi8_epi16(_mm_cvtsi32_si128(quad)), zp));
          const int8_t* bq = block + qd * row + size_t{n0 - nb} * 4;
          alignas(16) int8_t tail[32] = {};
          if (width < 8) {
            memcpy(tail, bq, size_t{width} * 4);
            bq = tail;
          }
          const __m128i w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bq));
          const __m128i w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bq + 16));
          acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_cvtepi8_epi16(w0), av));
          acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_cvtepi8_epi16(w1), av));
        }
        store8(column_sums(acc0, acc1), m, n0, width);
      }
    });
  }
}

}  // namespace edgeae::simd
