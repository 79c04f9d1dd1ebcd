// int8 Dense for AVX-512 VNNI: vpdpbusd on (a + 128) as u8 (s8_dense.hpp).
#include <immintrin.h>
#include <string.h>

#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

namespace {

// One pass over K for kTiles x 16 columns starting at n0: acc[t] lane j is
// sum over k of (a_k + 128) * B[k][n0 + 16t + j]. kMasked: lanes past N are
// masked off (the last, partial tiles); otherwise every lane is in range.
template <int kTiles, bool kMasked>
void dot_tiles(const int8_t* am, uint32_t k, const int8_t* b, size_t row, uint32_t n0, uint32_t n,
               __m512i* acc) {
  __mmask16 mask[kTiles];
  for (int t = 0; t < kTiles; ++t) {
    const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
    const uint32_t live = first >= n ? 0 : (n - first >= 16 ? 16 : n - first);
    mask[t] = static_cast<__mmask16>((1u << live) - 1u);
    acc[t] = _mm512_setzero_si512();
  }
  auto step = [&](const int8_t* bq, int32_t quad) {
    const __m512i av = _mm512_set1_epi32(quad ^ static_cast<int32_t>(0x80808080u));
    for (int t = 0; t < kTiles; ++t) {
      const __m512i w = kMasked ? _mm512_maskz_loadu_epi32(mask[t], bq + 64 * t)
                                : _mm512_loadu_si512(bq + 64 * t);
      acc[t] = _mm512_dpbusd_epi32(acc[t], av, w);
    }
  };
  const uint32_t full = k / 4;
  const int8_t* bq = b + size_t{n0} * 4;
  for (uint32_t qd = 0; qd < full; ++qd, bq += row) {
    int32_t quad;
    memcpy(&quad, am + qd * 4, 4);
    step(bq, quad);
  }
  if (k % 4 != 0) {
    // Past K the weights are 0, so the padded a bytes add nothing.
    int32_t quad = 0;
    memcpy(&quad, am + full * 4, k % 4);
    step(bq, quad);
  }
}

// gemmlowp's requantization on 16 lanes, bit-exact with
// quant::multiply_by_quantized_multiplier + zero point + clamp (quant.hpp):
// a positive shift multiplies first (saturating), then the rounding doubling
// high multiply, then a rounding right shift (ties away from zero).
__m512i requantize16(__m512i x, __m512i mult, __m512i shift, const ref::RequantParams& q) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i left = _mm512_max_epi32(shift, zero);
  const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, shift), zero);
  // x * 2^left, saturated to int32 where it overflows.
  const __m512i shifted = _mm512_sllv_epi32(x, left);
  const __mmask16 overflow = _mm512_cmpneq_epi32_mask(_mm512_srav_epi32(shifted, left), x);
  const __m512i saturated = _mm512_mask_blend_epi32(
      _mm512_cmplt_epi32_mask(x, zero), _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
  x = _mm512_mask_blend_epi32(overflow, shifted, saturated);
  // Rounding doubling high multiply in 64-bit lanes (even and odd apart):
  // (x*m + nudge) / 2^31 truncated toward zero, nudge 2^30 or 1 - 2^30.
  auto high_mul = [&](__m512i a, __m512i b) {
    __m512i p = _mm512_mul_epi32(a, b);
    const __mmask8 negative = _mm512_cmplt_epi64_mask(p, _mm512_setzero_si512());
    p = _mm512_add_epi64(p, _mm512_mask_blend_epi64(negative, _mm512_set1_epi64(1ll << 30),
                                                    _mm512_set1_epi64(1 - (1ll << 30))));
    const __mmask8 still_negative = _mm512_cmplt_epi64_mask(p, _mm512_setzero_si512());
    p = _mm512_mask_add_epi64(p, still_negative, p, _mm512_set1_epi64((1ll << 31) - 1));
    return _mm512_srai_epi64(p, 31);
  };
  const __m512i even = high_mul(x, mult);
  const __m512i odd = high_mul(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32));
  __m512i h = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  // The one overflow: INT32_MIN * INT32_MIN saturates to INT32_MAX.
  const __m512i min = _mm512_set1_epi32(INT32_MIN);
  h = _mm512_mask_mov_epi32(h, _mm512_cmpeq_epi32_mask(x, min) & _mm512_cmpeq_epi32_mask(mult, min),
                            _mm512_set1_epi32(INT32_MAX));
  // Rounding right shift, ties away from zero.
  const __m512i mask =
      _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), right), _mm512_set1_epi32(1));
  const __m512i remainder = _mm512_and_si512(h, mask);
  const __m512i threshold = _mm512_add_epi32(
      _mm512_srai_epi32(mask, 1),
      _mm512_maskz_mov_epi32(_mm512_cmplt_epi32_mask(h, zero), _mm512_set1_epi32(1)));
  __m512i r = _mm512_srav_epi32(h, right);
  r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, threshold), r,
                            _mm512_set1_epi32(1));
  // Clamp to [act_min, act_max] - zp, then add zp: clamp(r + zp) without overflow.
  r = _mm512_max_epi32(r, _mm512_set1_epi32(q.act_min - q.out_zp));
  r = _mm512_min_epi32(r, _mm512_set1_epi32(q.act_max - q.out_zp));
  return _mm512_add_epi32(r, _mm512_set1_epi32(q.out_zp));
}

}  // namespace

void dense_s8_avx512vnni(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                         const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                         int8_t* y) {
  const __m512i offset = _mm512_set1_epi32(q.in_zp + 128);
  for (uint32_t m = 0; m < s.m; ++m) {
    const int8_t* am = a + size_t{m} * s.k;
    // 8 tiles (128 columns) in flight hide vpdpbusd's latency; the rest in
    // masked steps of 4 tiles.
    for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
      for (uint32_t n0 = nb; n0 < ne;) {
        __m512i acc[8];
        int tiles = 8;
        if (ne - n0 >= 128) {
          dot_tiles<8, false>(am, s.k, block, row, n0 - nb, ne - nb, acc);
        } else {
          dot_tiles<4, true>(am, s.k, block, row, n0 - nb, ne - nb, acc);
          tiles = 4;
        }
        for (int t = 0; t < tiles; ++t) {
          const uint32_t first = n0 + 16u * static_cast<uint32_t>(t);
          if (first >= ne) break;
          const uint32_t live = ne - first >= 16 ? 16 : ne - first;
          const auto lanes = static_cast<__mmask16>((1u << live) - 1u);
          const __m512i cs = _mm512_maskz_loadu_epi32(lanes, column_sums + first);
          // sum (a + 128) w - (zp + 128) sum w = sum (a - zp) w (mod 2^32).
          __m512i sum = _mm512_sub_epi32(acc[t], _mm512_mullo_epi32(offset, cs));
          if (bias != nullptr) {
            const int32_t* bm = bias + size_t{m} * s.bias_stride_m;
            sum = _mm512_add_epi32(sum, s.bias_stride_n == 1
                                            ? _mm512_maskz_loadu_epi32(lanes, bm + first)
                                            : _mm512_set1_epi32(bm[0]));
          }
          const bool per_channel = q.out.count > 1;
          const __m512i mult = per_channel
                                   ? _mm512_maskz_loadu_epi32(lanes, q.out.multiplier + first)
                                   : _mm512_set1_epi32(q.out.multiplier[0]);
          const __m512i shift = per_channel ? _mm512_maskz_loadu_epi32(lanes, q.out.shift + first)
                                            : _mm512_set1_epi32(q.out.shift[0]);
          _mm512_mask_cvtepi32_storeu_epi8(y + size_t{m} * s.n + first, lanes,
                                           requantize16(sum, mult, shift, q.out));
        }
        n0 += 16u * static_cast<uint32_t>(tiles);
      }
    });
  }
}

}  // namespace edgeae::simd
