// int8 Dense for AArch64 cores with the dot-product extension (SDOT),
// compiled with +dotprod and chosen at run time (s8_dense.hpp).
#include <arm_neon.h>
#include <string.h>

#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

void dense_s8_neon_dot(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                       const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                       int8_t* y) {
  const uint32_t quads = (s.k + 3) / 4;
  for (uint32_t m = 0; m < s.m; ++m) {
    const int8_t* am = a + size_t{m} * s.k;
    // Column tiles of 16 (4 vectors of 4 columns x 4 k per quad).
    for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
      for (uint32_t n0 = nb; n0 < ne; n0 += 16) {
        const uint32_t width = ne - n0 < 16 ? ne - n0 : 16;
        int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
        for (uint32_t qd = 0; qd < quads; ++qd) {
          int32_t quad = 0;
          const uint32_t k0 = qd * 4;
          memcpy(&quad, am + k0, s.k - k0 >= 4 ? 4 : s.k - k0);
          const int8x16_t av = vreinterpretq_s8_s32(vdupq_n_s32(quad));
          const int8_t* bq = block + qd * row + size_t{n0 - nb} * 4;
          int8_t tail[64] = {};
          if (width < 16) {
            memcpy(tail, bq, size_t{width} * 4);
            bq = tail;
          }
          for (int t = 0; t < 4; ++t) acc[t] = vdotq_s32(acc[t], vld1q_s8(bq + 16 * t), av);
        }
        // sum a w - zp sum w = sum (a - zp) w (mod 2^32).
        int32_t sums[16];
        for (int t = 0; t < 4; ++t) {
          uint32_t lanes[4];
          vst1q_u32(lanes, vreinterpretq_u32_s32(acc[t]));
          for (int j = 0; j < 4; ++j) {
            const uint32_t n = n0 + 4u * static_cast<uint32_t>(t) + static_cast<uint32_t>(j);
            const uint32_t cs = n < ne ? static_cast<uint32_t>(column_sums[n]) : 0u;
            sums[4 * t + j] = static_cast<int32_t>(lanes[j] - static_cast<uint32_t>(q.in_zp) * cs);
          }
        }
        store_requantized(s, q, bias, m, n0, width, sums, y);
      }
    });
  }
}

}  // namespace edgeae::simd
