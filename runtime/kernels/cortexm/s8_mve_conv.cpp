// int8 Conv for Helium (the arm-mve set's conv_s8) without the executor's
// gather. With KH = 1 and no dilation along W, output pixel ow reads one run
// of KW * Cin consecutive input bytes, from (ow * sw - pw) * Cin in its input
// row, and that run is the pixel's row of the packed weights' K: the pixels
// are rows of a Dense, read in place sw * Cin bytes apart.
//
// The 1-D U-Net's layers are short (K = KW * Cin <= 64) and narrow (Cout <=
// 16), where a Dense kernel's set-up per row or per tile dominates. Here the
// weights stay in registers instead: C columns of S = ceil(K / 16) vectors
// each (C * S <= 6, gathered once per pass) while one low-overhead loop
// streams the pixels: S loads, C * S VMLADAV(A)s and C stores per pixel
// (K = 48, C = 2: 12 instructions and the loop for 96 MACs). Lanes past K
// multiply zero weights (the last step's gather is predicated, and packed
// weights are zero past K in the last quad), so the loads run past the run
// freely; they never pass the input tensor: pixels near its end, and those
// whose run reaches the padding, read a copy of their part of the row
// ("strips": the input with zero points for the padding).
//
// The output stage requantizes one output channel at a time over four
// pixels per vector (the sums are stored channel by channel), scattering
// bytes into the NHWC output, so every Cout (even 1) fills the lanes. Its
// arithmetic is dense_s8_mve's (bit-exact with quant::requantize), the
// zero point coming back through the column sums.
#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/simd/s8_dense.hpp"

#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#include <string.h>

namespace edgeae::cortexm {
namespace {

constexpr uint32_t kMaxK = 64;         // four steps of 16
constexpr uint32_t kSums = 512;        // int32 sums of a pass (2 KB of stack)
constexpr uint32_t kMaxTile = 256;     // pixels per pass
constexpr uint32_t kStripBytes = 384;  // a strip and the 64 bytes read past it

// One weight column's step: 16 k as four quads (a word gather over the four
// quad rows), zero past `quads` (= ceil(K / 4), counted from this step).
inline int8x16_t weight_step(const int8_t* b, uint32x4_t quad_offsets, uint32_t quads) {
  return vreinterpretq_s8_s32(vldrwq_gather_offset_z_s32(reinterpret_cast<const int32_t*>(b),
                                                         quad_offsets, vctp32q(quads)));
}

// Output pixels [begin, end) of a row read their runs from `src` (pixel
// begin's), `lda` bytes apart.
struct Segment {
  uint32_t begin = 0, end = 0;
  const int8_t* src = nullptr;
  uint32_t lda = 0;
};

#define EDGEAE_MVE_MLA(c, st, x, w)            \
  ".if " #c                                    \
  " < %c[cols]\n\t"                            \
  ".if " #st                                   \
  " == 0\n\t"                                  \
  "vmladav.s8 %[s" #c "], %q[" x "], %q[w" #w  \
  "]\n\t"                                      \
  ".else\n\t"                                  \
  "vmladava.s8 %[s" #c "], %q[" x "], %q[w" #w \
  "]\n\t"                                      \
  ".endif\n\t"                                 \
  ".endif\n\t"
// The C sums of a pixel, next to each other (two per STRD).
#define EDGEAE_MVE_STORE               \
  ".if %c[cols] == 1\n\t"              \
  "str %[s0], [%[o]], #4\n\t"          \
  ".elseif %c[cols] == 2\n\t"          \
  "strd %[s0], %[s1], [%[o]], #8\n\t"  \
  ".elseif %c[cols] == 3\n\t"          \
  "strd %[s1], %[s2], [%[o], #4]\n\t"  \
  "str %[s0], [%[o]], #12\n\t"         \
  ".else\n\t"                          \
  "strd %[s2], %[s3], [%[o], #8]\n\t"  \
  "strd %[s0], %[s1], [%[o]], #16\n\t" \
  ".endif\n\t"

// sums[i * C + c] = the dot product of pixel i's run with column c < C (b
// at column 0 of a block of `row` bytes per quad row), for the pixels of
// segments segs[0 .. count) (none empty) in order. Weight w[c * S + st] is
// column c's step st.
template <int S, int C>
__attribute__((noinline)) void stream_pixels(const Segment* segs, int count, const int8_t* b,
                                             uint32_t row, uint32_t quads, int32_t* sums) {
  static_assert(S * C <= 6 && C <= 4, "six weight and two activation registers");
  const uint32x4_t quad_offsets = vmulq_n_u32(vidupq_n_u32(0u, 1), row);
  int8x16_t w[6];
  for (int c = 0; c < C; ++c)
    for (int st = 0; st < S; ++st)
      w[c * S + st] = weight_step(b + 4 * (st * row + c), quad_offsets, quads - 4 * st);
  for (int i = C * S; i < 6; ++i) w[i] = w[0];
  int32_t* o = sums;
  for (int i = 0; i < count; ++i) {
    const int8_t* a = segs[i].src;
    const uint32_t lda = segs[i].lda, pixels = segs[i].end - segs[i].begin;
    int32_t s0, s1, s2, s3;
    int8x16_t x0, x1;
    __asm__ volatile(
      "dls lr, %[n]\n"
      "1:\n\t"
      "vldrb.8 %q[x0], [%[a]]\n\t"
      ".if %c[steps] == 1\n\t"
      "add %[a], %[lda]\n\t"  //
      EDGEAE_MVE_MLA(0, 0, "x0", 0) EDGEAE_MVE_MLA(1, 0, "x0", 1)
      EDGEAE_MVE_MLA(2, 0, "x0", 2) EDGEAE_MVE_MLA(3, 0, "x0", 3)  //
      ".elseif %c[steps] == 2\n\t"
      "vldrb.8 %q[x1], [%[a], #16]\n\t"
      "add %[a], %[lda]\n\t"  //
      EDGEAE_MVE_MLA(0, 0, "x0", 0) EDGEAE_MVE_MLA(0, 1, "x1", 1)
      EDGEAE_MVE_MLA(1, 0, "x0", 2) EDGEAE_MVE_MLA(1, 1, "x1", 3)
      EDGEAE_MVE_MLA(2, 0, "x0", 4) EDGEAE_MVE_MLA(2, 1, "x1", 5)  //
      ".elseif %c[steps] == 3\n\t"
      "vldrb.8 %q[x1], [%[a], #16]\n\t"  //
      EDGEAE_MVE_MLA(0, 0, "x0", 0) EDGEAE_MVE_MLA(1, 0, "x0", 3)
      "vldrb.8 %q[x0], [%[a], #32]\n\t"
      "add %[a], %[lda]\n\t"  //
      EDGEAE_MVE_MLA(0, 1, "x1", 1) EDGEAE_MVE_MLA(1, 1, "x1", 4)
      EDGEAE_MVE_MLA(0, 2, "x0", 2) EDGEAE_MVE_MLA(1, 2, "x0", 5)  //
      ".else\n\t"
      "vldrb.8 %q[x1], [%[a], #16]\n\t"  //
      EDGEAE_MVE_MLA(0, 0, "x0", 0) EDGEAE_MVE_MLA(0, 1, "x1", 1)
      "vldrb.8 %q[x0], [%[a], #32]\n\t"
      "vldrb.8 %q[x1], [%[a], #48]\n\t"
      "add %[a], %[lda]\n\t"  //
      EDGEAE_MVE_MLA(0, 2, "x0", 2) EDGEAE_MVE_MLA(0, 3, "x1", 3)  //
      ".endif\n\t"                                                  //
      EDGEAE_MVE_STORE  //
      "le lr, 1b"
      : [a] "+&r"(a), [o] "+&r"(o), [s0] "=&Te"(s0), [s1] "=&Te"(s1), [s2] "=&Te"(s2),
        [s3] "=&Te"(s3), [x0] "=&w"(x0), [x1] "=&w"(x1)
      : [w0] "w"(w[0]), [w1] "w"(w[1]), [w2] "w"(w[2]), [w3] "w"(w[3]), [w4] "w"(w[4]),
        [w5] "w"(w[5]), [n] "r"(pixels), [lda] "r"(lda), [steps] "i"(S), [cols] "i"(C)
      : "lr", "memory");
  }
}
#undef EDGEAE_MVE_MLA
#undef EDGEAE_MVE_STORE

using StreamFn = void (*)(const Segment*, int, const int8_t*, uint32_t, uint32_t, int32_t*);

// The widest pass for S steps, and the kernel for S steps and C columns.
constexpr uint32_t max_columns(uint32_t steps) {
  return steps == 1 ? 4 : 6 / steps;
}
StreamFn stream_for(uint32_t steps, uint32_t columns) {
  static constexpr StreamFn kFns[] = {stream_pixels<1, 1>, stream_pixels<1, 2>, stream_pixels<1, 3>,
                                      stream_pixels<1, 4>, stream_pixels<2, 1>, stream_pixels<2, 2>,
                                      stream_pixels<2, 3>, stream_pixels<3, 1>, stream_pixels<3, 2>,
                                      stream_pixels<4, 1>};
  static constexpr uint8_t kFirst[] = {0, 4, 7, 9};
  return kFns[kFirst[steps - 1] + columns - 1];
}

// y[t * y_stride] = requant(sums[t * sums_stride] + offset) for t < count,
// one output channel. kLeft: a shift >= 0 (a saturating left shift, no rounding
// divide); else a rounding divide by 2^-shift after the multiply.
template <bool kLeft>
__attribute__((noinline)) void requantize_channel(const ref::RequantParams& o, int32_t offset,
                                                  int32_t multiplier, int32_t shift,
                                                  const int32_t* sums, uint32_t sums_stride,
                                                  uint32_t count, int8_t* y, uint32_t y_stride) {
  const int32x4_t low = vdupq_n_s32(o.act_min - o.out_zp), high = vdupq_n_s32(o.act_max - o.out_zp);
  const int32_t out_zp = o.out_zp;
  const uint32x4_t lanes = vidupq_n_u32(0u, 1);
  const uint32x4_t sums_at = vmulq_n_u32(lanes, sums_stride), y_at = vmulq_n_u32(lanes, y_stride);
  auto requantize = [&](int32x4_t acc) {
    acc = vaddq_n_s32(acc, offset);
    if constexpr (kLeft) {
      acc = vqshlq_r_s32(acc, shift);
      acc = vqrdmulhq_n_s32(acc, multiplier);
    } else {
      acc = vqrdmulhq_n_s32(acc, multiplier);
      // Rounding ties away from zero: VRSHL rounds them up, so x - 1 for x < 0.
      acc = vqaddq_s32(acc, vshrq_n_s32(acc, 31));
      acc = vrshlq_n_s32(acc, shift);
    }
    return vaddq_n_s32(vminq_s32(vmaxq_s32(acc, low), high), out_zp);
  };
  for (uint32_t left = count / 4; left != 0; --left) {
    vstrbq_scatter_offset_s32(y, y_at, requantize(vldrwq_gather_shifted_offset_s32(sums, sums_at)));
    sums += 4 * sums_stride;
    y += 4 * y_stride;
  }
  if (const uint32_t rest = count % 4; rest != 0) {
    const mve_pred16_t p = vctp32q(rest);
    vstrbq_scatter_offset_p_s32(
        y, y_at, requantize(vldrwq_gather_shifted_offset_z_s32(sums, sums_at, p)), p);
  }
}

// The geometry of one call.
struct Conv1d {
  const ref::ConvShape& s;
  const int8_t* x;
  int8_t zp;
  uint32_t k, steps, lda;
  uint32_t ow_lo, ow_hi;  // pixels whose run lies inside the row
  size_t x_bytes;

  int64_t run_offset(uint32_t ow) const {  // in the row, in bytes (< 0: in the padding)
    return (int64_t{ow} * s.p.stride[1] - s.p.pad_begin[1]) * int64_t{s.in_c};
  }
  // The first pixel at or after ow_lo whose loads (16 * steps bytes from its
  // run) pass the input's end, for the row at row_offset.
  __attribute__((noinline)) uint32_t safe_end(size_t row_offset) const {
    uint32_t end = ow_hi;
    while (end > ow_lo &&
           int64_t(row_offset) + run_offset(end - 1) + 16 * int64_t{steps} > int64_t(x_bytes))
      --end;
    return end;
  }
  static uint32_t strip_bytes(uint32_t pixels, uint32_t lda, uint32_t k) {
    return pixels == 0 ? 0 : (pixels - 1) * lda + k + 16 * 4;
  }
  // Pixels [begin, end) of the row at x_row (null: all padding) as a strip
  // in buf (zero points outside the input, and over the 64 bytes after).
  __attribute__((noinline)) Segment strip(const int8_t* x_row, uint32_t begin, uint32_t end,
                                          int8_t* buf) const {
    const uint32_t bytes = strip_bytes(end - begin, lda, k);
    memset(buf, zp, bytes);
    if (x_row != nullptr && end > begin) {
      const int64_t first = run_offset(begin), row_bytes = int64_t{s.in_w} * s.in_c;
      const int64_t lo = first < 0 ? 0 : first;
      const int64_t hi_want = first + bytes - 16 * 4;
      const int64_t hi = hi_want < row_bytes ? hi_want : row_bytes;
      if (lo < hi) memcpy(buf + (lo - first), x_row + lo, size_t(hi - lo));
    }
    return Segment{begin, end, buf, lda};
  }
};

}  // namespace

bool conv_s8_mve(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                 const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                 int8_t* /*scratch*/, int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kw = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t k = kw * s.in_c;
  if (transposed || p.kernel[0] != 1 || p.dilation[1] != 1 || k > kMaxK || column_sums == nullptr ||
      (reinterpret_cast<uintptr_t>(w) & 3) != 0)
    return false;
  const auto sw = static_cast<uint32_t>(p.stride[1]);
  const auto pw = static_cast<uint32_t>(p.pad_begin[1]);
  // Pixels whose run lies inside the row: ow * sw >= pw, ow * sw - pw + KW <= W.
  uint32_t ow_lo = (pw + sw - 1) / sw, ow_hi = 0;
  if (s.in_w + pw >= kw) ow_hi = (s.in_w + pw - kw) / sw + 1;
  if (ow_hi > s.out_w) ow_hi = s.out_w;
  if (ow_lo > ow_hi) ow_lo = ow_hi;
  const size_t row_bytes = size_t{s.in_w} * s.in_c;
  const Conv1d g{s,     x,     static_cast<int8_t>(q.in_zp),        k, (k + 15) / 16, sw * s.in_c,
                 ow_lo, ow_hi, size_t{s.batch} * s.in_h * row_bytes};
  // The strips must fit: the last row's right strip is the longest.
  const uint32_t last_end = g.safe_end(size_t{s.batch} * s.in_h * row_bytes - row_bytes);
  if (Conv1d::strip_bytes(ow_lo, g.lda, k) > kStripBytes ||
      Conv1d::strip_bytes(s.out_w - last_end, g.lda, k) > kStripBytes)
    return false;

  ref::DenseShape blocks;  // the packed weights' column blocks
  blocks.n = s.out_c;
  blocks.k = k;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  const uint32_t quads = (k + 3) / 4;
  const bool per_channel = q.out.count > 1;
  alignas(16) int8_t left_strip[kStripBytes], right_strip[kStripBytes];
  alignas(16) int32_t sums[kSums];
  for (uint32_t n = 0; n < s.batch; ++n)
    for (uint32_t oh = 0; oh < s.out_h; ++oh) {
      const int64_t ih = int64_t{oh} * p.stride[0] - p.pad_begin[0];
      Segment segs[3];
      if (ih < 0 || ih >= int64_t{s.in_h}) {  // every tap in the padding
        segs[0] = g.strip(nullptr, 0, 1, left_strip);
        segs[0].end = s.out_w;
        segs[0].lda = 0;
      } else {
        const size_t row_offset = (size_t{n} * s.in_h + size_t(ih)) * row_bytes;
        const int8_t* x_row = x + row_offset;
        const uint32_t safe = g.safe_end(row_offset);
        segs[0] = g.strip(x_row, 0, ow_lo, left_strip);
        segs[1] = Segment{ow_lo, safe, x_row + g.run_offset(ow_lo), g.lda};
        segs[2] = g.strip(x_row, safe, s.out_w, right_strip);
      }
      int8_t* y_row = y + (size_t{n} * s.out_h + oh) * s.out_w * s.out_c;
      const uint32_t most = max_columns(g.steps);
      simd::for_each_column_block(
          blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
            for (uint32_t c0 = nb; c0 < ne;) {  // C columns a pass
              const uint32_t cols = ne - c0 < most ? ne - c0 : most;
              const StreamFn stream = stream_for(g.steps, cols);
              const uint32_t tile = kSums / cols < kMaxTile ? kSums / cols : kMaxTile;
              for (uint32_t p0 = 0; p0 < s.out_w; p0 += tile) {
                const uint32_t p1 = s.out_w - p0 < tile ? s.out_w : p0 + tile;
                Segment parts[3];  // the segments' parts in [p0, p1)
                int count = 0;
                for (const Segment& seg : segs) {
                  const uint32_t b0 = seg.begin > p0 ? seg.begin : p0;
                  const uint32_t e0 = seg.end < p1 ? seg.end : p1;
                  if (b0 < e0)
                    parts[count++] =
                        Segment{b0, e0, seg.src + size_t{b0 - seg.begin} * seg.lda, seg.lda};
                }
                stream(parts, count, block + size_t{c0 - nb} * 4, static_cast<uint32_t>(row), quads,
                       sums);
                for (uint32_t c = 0; c < cols; ++c) {
                  const uint32_t ch = c0 + c, qc = per_channel ? ch : 0;
                  // bias - zp * column sum, mod 2^32 as the sums.
                  const auto offset = static_cast<int32_t>(
                      static_cast<uint32_t>(bias != nullptr ? bias[ch] : 0) -
                      static_cast<uint32_t>(q.in_zp) * static_cast<uint32_t>(column_sums[ch]));
                  const int32_t shift = q.out.shift[qc];
                  (shift >= 0 ? requantize_channel<true>
                              : requantize_channel<false>)(q.out, offset, q.out.multiplier[qc],
                                                           shift, sums + c, cols, p1 - p0,
                                                           y_row + size_t{p0} * s.out_c + ch,
                                                           s.out_c);
                }
              }
              c0 += cols;
            }
          });
    }
  return true;
}

}  // namespace edgeae::cortexm

#endif  // __ARM_FEATURE_MVE
