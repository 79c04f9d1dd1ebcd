// int8 Dense for NEON (armv7 and aarch64 cores without the dot product):
// int16 widening and vmlal into int32 (s8_dense.hpp).
#include <arm_neon.h>
#include <string.h>

#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {

void dense_s8_neon(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                   const int8_t* b, const int32_t* bias, const int32_t*, int8_t* y) {
  const uint32_t quads = (s.k + 3) / 4;
  const int16x4_t zp = vdup_n_s16(static_cast<int16_t>(q.in_zp));
  for (uint32_t m = 0; m < s.m; ++m) {
    const int8_t* am = a + size_t{m} * s.k;
    // Column tiles of 4: per quad, 16 bytes of B are 4 columns x 4 k; each
    // column keeps 4 int32 partial sums (one per k of the quad).
    for_each_column_block(s, b, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
      for (uint32_t n0 = nb; n0 < ne; n0 += 4) {
        const uint32_t width = ne - n0 < 4 ? ne - n0 : 4;
        int32x4_t acc[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
        for (uint32_t qd = 0; qd < quads; ++qd) {
          int8_t quad[8] = {};
          const uint32_t k0 = qd * 4;
          memcpy(quad, am + k0, s.k - k0 >= 4 ? 4 : s.k - k0);
          const int16x4_t av = vsub_s16(vget_low_s16(vmovl_s8(vld1_s8(quad))), zp);
          int8_t tail[16] = {};
          const int8_t* bq = block + qd * row + size_t{n0 - nb} * 4;
          if (width < 4) {
            memcpy(tail, bq, size_t{width} * 4);
            bq = tail;
          }
          const int8x16_t w = vld1q_s8(bq);
          const int16x8_t w01 = vmovl_s8(vget_low_s8(w)), w23 = vmovl_s8(vget_high_s8(w));
          acc[0] = vmlal_s16(acc[0], vget_low_s16(w01), av);
          acc[1] = vmlal_s16(acc[1], vget_high_s16(w01), av);
          acc[2] = vmlal_s16(acc[2], vget_low_s16(w23), av);
          acc[3] = vmlal_s16(acc[3], vget_high_s16(w23), av);
        }
        int32_t sums[4];
        for (int c = 0; c < 4; ++c) {
          // Wrapping horizontal add (exact: see s8_dense.hpp).
          uint32_t lanes[4];
          vst1q_u32(lanes, vreinterpretq_u32_s32(acc[c]));
          sums[c] = static_cast<int32_t>(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
        }
        store_requantized(s, q, bias, m, n0, width, sums, y);
      }
    });
  }
}

}  // namespace edgeae::simd
