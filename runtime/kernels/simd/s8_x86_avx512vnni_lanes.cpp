// 1-D int8 Conv and ConvTranspose for AVX-512 VNNI with output pixels in the
// vector lanes: 16 consecutive outputs (of one stride class, for a
// ConvTranspose) times 16 output channels in 16 accumulators, each weight
// quad broadcast straight from the packed weights into vpdpbusd. The input is
// first copied quad-major (+128, as u8) into a stack strip, phase by phase
// for a strided Conv, so that the 16 lanes' quads of one tap are one load.
// Every vpdpbusd then does useful work on all 64 bytes, whatever Cout is.
#include <immintrin.h>
#include <string.h>

#include "kernels/simd/s8_avx512_common.hpp"
#include "kernels/simd/s8_dense.hpp"

namespace edgeae::simd {
namespace {

constexpr int32_t kFlipQuad = static_cast<int32_t>(0x80808080u);
// The quad-major input strip on the stack (16 KiB: the bench models' layers
// fit in one strip, so the per-strip zero-point offsets and requantization
// constants are computed once per column group); stride classes at most.
constexpr uint32_t kStripBytes = 16384;
// The one-input-channel kernel's strip (it needs little).
constexpr uint32_t kOneInputStripBytes = 2048;
constexpr uint32_t kMaxClasses = 16;

// One multiplied tap of a class: its first packed weight row quad, the input
// phase it reads and its lane offset (lane l reads phase position l + d).
struct LaneTap {
  uint32_t row_quad, phase;
  int32_t d;
};

int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// acc + u8 times the signed quad at `quad` broadcast to every lane, with the
// broadcast folded into vpdpbusd's memory operand ({1to16}): GCC 12 loads it
// with a separate vpbroadcastd, one more op per vpdpbusd in the hot loops.
inline __m512i dpbusd_broadcast(__m512i acc, __m512i u8, const int8_t* quad) {
  __asm__("vpdpbusd %2%{1to16%}, %1, %0"
          : "+v"(acc)
          : "v"(u8), "m"(*reinterpret_cast<const char(*)[4]>(quad)));
  return acc;
}

// The taps of class c: for a Conv (one class) every tap, input pixel
// stride * (l + d) + phase; for a ConvTranspose the taps whose source is
// integral for outputs c + stride * l, input pixel l + d. v = e (Conv) or
// c - e (ConvTranspose), e = k * dilation - pad, is kept as q * stride + r
// (0 <= r < stride) and stepped per tap: no division per tap (64-bit
// divisions here were 1 % of the U-Net's time).
uint32_t class_taps(const ref::ConvShape& s, bool transposed, uint32_t c, LaneTap* out) {
  const format::ConvParams& p = s.p;
  const int64_t sw = p.stride[1];
  const uint32_t quads = s.in_c / 4;
  const int64_t step = transposed ? -int64_t{p.dilation[1]} : int64_t{p.dilation[1]};
  const int64_t step_q = floor_div(step, sw), step_r = step - step_q * sw;
  const int64_t v = transposed ? int64_t{c} + p.pad_begin[1] : -int64_t{p.pad_begin[1]};
  int64_t q = floor_div(v, sw), r = v - q * sw;
  uint32_t count = 0;
  for (uint32_t k = 0; k < static_cast<uint32_t>(p.kernel[1]); ++k) {
    if (!transposed)
      out[count++] = {k * quads, static_cast<uint32_t>(r), static_cast<int32_t>(q)};
    else if (r == 0)
      out[count++] = {k * quads, 0, static_cast<int32_t>(q)};
    q += step_q;
    r += step_r;
    if (r >= sw) {
      r -= sw;
      ++q;
    }
  }
  return count;
}

// Every class's taps (class c's are taps[first[c] .. first[c + 1])) and the
// range of their lane offsets: a chunk of L lanes from l0 reads phase
// positions [l0 + d_min, l0 + L - 1 + d_max].
struct ClassTaps {
  LaneTap taps[kMaxIndirectTaps];
  uint32_t first[kMaxClasses + 1] = {0};
  int32_t d_min = 0, d_max = 0;

  ClassTaps(const ref::ConvShape& s, bool transposed, uint32_t classes) {
    for (uint32_t c = 0; c < classes; ++c) {
      first[c + 1] = first[c] + class_taps(s, transposed, c, taps + first[c]);
      for (uint32_t i = first[c]; i < first[c + 1]; ++i) {
        d_min = taps[i].d < d_min ? taps[i].d : d_min;
        d_max = taps[i].d > d_max ? taps[i].d : d_max;
      }
    }
  }
  // Phase positions per quad row of a strip of `lanes` lanes, whole vectors.
  uint32_t strip_width(uint32_t lanes) const {
    return (lanes + static_cast<uint32_t>(d_max - d_min) + 15) / 16 * 16;
  }
};

// requantize16 with one output channel's constants in every lane.
inline __m512i requantize_channel(__m512i x, const ref::RequantParams& q, uint32_t channel,
                                  const OutputClamp& clamp) {
  const int32_t mult = q.multiplier[q.count > 1 ? channel : 0];
  const int32_t shift = q.shift[q.count > 1 ? channel : 0];
  const __m512i m = _mm512_set1_epi32(mult);
  if (shift > 0 || shift < -31 || mult == INT32_MIN)
    return requantize16(x, m, _mm512_set1_epi32(shift), q);
  // The usual case (as store_tile's right_only): the rounding high multiply
  // (m is its own odd-lane multiplier), then the rounding right shift.
  const __m512i h = high_mul16_unsaturated(x, m, m);
  const int right = -shift;
  const __m512i round_mask = _mm512_set1_epi32(static_cast<int32_t>((1u << right) - 1u));
  const __m512i remainder =
      _mm512_sub_epi32(_mm512_and_si512(h, round_mask), _mm512_srli_epi32(h, 31));
  __m512i r = _mm512_sra_epi32(h, _mm_cvtsi32_si128(right));
  r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, _mm512_srai_epi32(round_mask, 1)),
                            r, _mm512_set1_epi32(1));
  return _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, clamp.low), clamp.high), clamp.zp);
}

// lane_block's last steps on packed values: its dwords w are 2 * (r + zp)
// + 1 for the rounded r, so the output is clamp(floor(w / 2), act_min,
// act_max), and that is clamp(sat8(sat16(w) >> 1), act_min, act_max) for
// every int32 w: saturating to int16 first keeps w / 2 beyond int8 on the
// same side. A shift per 32 outputs and a clamp per 64 instead of a shift,
// an add and a clamp per 16.
struct PackedClamp {
  __m512i twice_zp_plus_one, low_bytes, high_bytes;
};

PackedClamp packed_clamp(const ref::RequantParams& q) {
  return {_mm512_set1_epi32(2 * q.out_zp + 1), _mm512_set1_epi8(static_cast<char>(q.act_min)),
          _mm512_set1_epi8(static_cast<char>(q.act_max))};
}

// Stores r[c] lane i (output channel c, pixel i) at rows[i][c] for the
// first `count` pixels: packs to bytes (halving and clamping there if
// kClamp, see PackedClamp; else r is final and within int8), transposes the 4 x 4
// blocks, then interleaves dwords so that pixel 4L + m's 16 channels are
// 128-bit lane L of register m.
template <bool kClamp>
inline void store_transposed(const __m512i* r, int count, int8_t* first_row, size_t row_step,
                             const PackedClamp& clamp) {
  const __m512i pixel_major =
      _mm512_broadcast_i32x4(_mm_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
  __m512i z[4];
  for (int b = 0; b < 4; ++b) {
    // Per 128-bit lane L: byte 4c + i is channel 4b + c of pixel 4L + i ...
    __m512i lo = _mm512_packs_epi32(r[4 * b], r[4 * b + 1]);
    __m512i hi = _mm512_packs_epi32(r[4 * b + 2], r[4 * b + 3]);
    if (kClamp) {
      lo = _mm512_srai_epi16(lo, 1);
      hi = _mm512_srai_epi16(hi, 1);
    }
    __m512i bytes = _mm512_packs_epi16(lo, hi);
    if (kClamp) bytes = _mm512_min_epi8(_mm512_max_epi8(bytes, clamp.low_bytes), clamp.high_bytes);
    // ... then byte 4i + c: dword i holds pixel 4L + i's 4 channels.
    z[b] = _mm512_shuffle_epi8(bytes, pixel_major);
  }
  const __m512i u0 = _mm512_unpacklo_epi32(z[0], z[1]), u1 = _mm512_unpackhi_epi32(z[0], z[1]);
  const __m512i v0 = _mm512_unpacklo_epi32(z[2], z[3]), v1 = _mm512_unpackhi_epi32(z[2], z[3]);
  const __m512i pixel[4] = {_mm512_unpacklo_epi64(u0, v0), _mm512_unpackhi_epi64(u0, v0),
                            _mm512_unpacklo_epi64(u1, v1), _mm512_unpackhi_epi64(u1, v1)};
  auto row = [&](int i) { return reinterpret_cast<__m128i*>(first_row + size_t(i) * row_step); };
  if (count == 16) {
    for (int m = 0; m < 4; ++m) {
      _mm_storeu_si128(row(m), _mm512_extracti32x4_epi32(pixel[m], 0));
      _mm_storeu_si128(row(4 + m), _mm512_extracti32x4_epi32(pixel[m], 1));
      _mm_storeu_si128(row(8 + m), _mm512_extracti32x4_epi32(pixel[m], 2));
      _mm_storeu_si128(row(12 + m), _mm512_extracti32x4_epi32(pixel[m], 3));
    }
    return;
  }
  alignas(64) int8_t rows[4][64];
  for (int m = 0; m < 4; ++m) _mm512_store_si512(rows[m], pixel[m]);
  for (int i = 0; i < count; ++i)
    _mm_storeu_si128(row(i),
                     _mm_load_si128(reinterpret_cast<const __m128i*>(rows[i % 4] + 16 * (i / 4))));
}

// bias - (zp + 128) * the taps' weights (what they add for zero-point
// inputs) for the 16 output channels at byte column 4 * col of a weight
// block; four vpdpbusd chains (one would wait out the latency per quad).
__m512i zero_point_offsets(const int8_t* block, size_t row, uint32_t col, const LaneTap* taps,
                           uint32_t count, uint32_t quads, int32_t in_zp, const int32_t* bias) {
  const __m512i zp_bytes = _mm512_set1_epi8(static_cast<char>(in_zp + 128));
  __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                    _mm512_setzero_si512()};
  for (uint32_t t = 0; t < count; ++t) {
    const int8_t* wr = block + size_t{taps[t].row_quad} * row + size_t{col} * 4;
    uint32_t j = 0;
    for (; j + 4 <= quads; j += 4)
#pragma GCC unroll 4
      for (int u = 0; u < 4; ++u)
        acc[u] = _mm512_dpbusd_epi32(acc[u], zp_bytes, _mm512_loadu_si512(wr + (j + u) * row));
#pragma GCC unroll 3
    for (uint32_t u = 0; u < 3; ++u)
      if (j + u < quads)
        acc[u] = _mm512_dpbusd_epi32(acc[u], zp_bytes, _mm512_loadu_si512(wr + (j + u) * row));
  }
  const __m512i b = bias != nullptr ? _mm512_loadu_si512(bias) : _mm512_setzero_si512();
  return _mm512_sub_epi32(
      b, _mm512_add_epi32(_mm512_add_epi32(acc[0], acc[1]), _mm512_add_epi32(acc[2], acc[3])));
}

// 16 output channels' requantization, read by broadcasts: their offsets
// (the accumulators start there), multipliers and shifts, and for right
// shifts of 2 or more (the usual case) the shift count minus one.
struct ChannelQuants {
  alignas(64) int32_t offset[16];
  int32_t mult[16], shift[16], right_less_one[16];
};

// The 16 channels from `channel`; true if all shift right by 2 to 31 with a
// multiplier other than INT32_MIN (lane_block's rounding needs both).
bool channel_quants(__m512i offsets, const ref::RequantParams& q, uint32_t channel,
                    ChannelQuants* out) {
  const bool per_channel = q.count > 1;
  const __m512i mult =
      per_channel ? _mm512_loadu_si512(q.multiplier + channel) : _mm512_set1_epi32(q.multiplier[0]);
  const __m512i shift =
      per_channel ? _mm512_loadu_si512(q.shift + channel) : _mm512_set1_epi32(q.shift[0]);
  const __mmask16 right = _mm512_cmple_epi32_mask(shift, _mm512_set1_epi32(-2)) &
                          _mm512_cmpgt_epi32_mask(shift, _mm512_set1_epi32(-32));
  _mm512_store_si512(out->offset, offsets);
  _mm512_storeu_si512(out->mult, mult);
  _mm512_storeu_si512(out->shift, shift);
  _mm512_storeu_si512(out->right_less_one,
                      _mm512_sub_epi32(_mm512_set1_epi32(-1), shift));  // -shift - 1
  return right == 0xFFFF && _mm512_cmpeq_epi32_mask(mult, _mm512_set1_epi32(INT32_MIN)) == 0;
}

// acc[k] lane i = sum over the taps and quads of strip quad (the tap's
// phase, quad j, position lane0 + d + i) times output channel k's weight
// quad (broadcast from wcol: the 16 channels' quads of a row are adjacent);
// then requantized and stored for `pixels` lanes. Out of line, so that the
// 16 accumulators get registers of their own.
struct LaneBlock {
  const int32_t* strip;
  const LaneTap* taps;
  uint32_t count, quads, width;
  const ChannelQuants* channels;
  bool right_only;
  const ref::RequantParams* q;
  PackedClamp packed;
  size_t row;       // packed weight row quad, bytes
  size_t row_step;  // output pixel (lane) to the next, bytes
};

template <bool kRightOnly>
__attribute__((noinline)) void lane_block(const LaneBlock& b, uint32_t lane0, const int8_t* wcol,
                                          int pixels, int8_t* y) {
  const ChannelQuants& cq = *b.channels;
  __m512i acc[16];
#pragma GCC unroll 16
  for (int k = 0; k < 16; ++k) acc[k] = _mm512_set1_epi32(cq.offset[k]);
  for (uint32_t t = 0; t < b.count; ++t) {
    const int32_t* src = b.strip + size_t{b.taps[t].phase} * b.quads * b.width +
                         (lane0 + static_cast<uint32_t>(b.taps[t].d));
    const int8_t* wq = wcol + size_t{b.taps[t].row_quad} * b.row;
    for (uint32_t j = 0; j < b.quads; ++j, src += b.width, wq += b.row) {
      const __m512i v = _mm512_loadu_si512(src);
#pragma GCC unroll 16
      for (int k = 0; k < 16; ++k) acc[k] = dpbusd_broadcast(acc[k], v, wq + 4 * k);
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < 16; ++k) {
    const __m512i m = _mm512_set1_epi32(cq.mult[k]);
    if (kRightOnly) {
      // The rounding doubling high multiply (m is its own odd-lane
      // multiplier), then the rounding right shift by e >= 2 with ties away
      // from zero: floor((h - (h < 0) + 2^(e-1)) / 2^e), computed as
      // ((h - (h < 0)) >> (e - 1)) + 1, halved (floors nest); the halving
      // and the zero point are left to store_transposed (2 * zp is added
      // here). h > INT32_MIN (m is not INT32_MIN), and the shifted value is
      // below 2^30: nothing overflows.
      const __m512i h = high_mul16_unsaturated(acc[k], m, m);
      const __m512i toward = _mm512_add_epi32(h, _mm512_srai_epi32(h, 31));
      acc[k] = _mm512_add_epi32(_mm512_srav_epi32(toward, _mm512_set1_epi32(cq.right_less_one[k])),
                                b.packed.twice_zp_plus_one);
    } else {
      acc[k] = requantize16(acc[k], m, _mm512_set1_epi32(cq.shift[k]), *b.q);
    }
  }
  store_transposed<kRightOnly>(acc, pixels, y, b.row_step, b.packed);
}

void lane_block_any(const LaneBlock& b, uint32_t lane0, const int8_t* wcol, int pixels, int8_t* y) {
  if (b.right_only)
    lane_block<true>(b, lane0, wcol, pixels, y);
  else
    lane_block<false>(b, lane0, wcol, pixels, y);
}

// Transposes 16 x 16 dwords: r[i] lane c becomes r[c] lane i.
inline void transpose16(__m512i* r) {
  __m512i t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
  }
  // r[4a + m], 128-bit lane L: column 4L + m of rows 4a .. 4a + 3.
#pragma GCC unroll 4
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  // Column 4L + m is lane L of r[m], r[4 + m], r[8 + m], r[12 + m].
#pragma GCC unroll 4
  for (int m = 0; m < 4; ++m) {
    const __m512i a01 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0x44);
    const __m512i a23 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0xEE);
    const __m512i b01 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0x44);
    const __m512i b23 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0xEE);
    t[m] = _mm512_shuffle_i32x4(a01, b01, 0x88);
    t[4 + m] = _mm512_shuffle_i32x4(a01, b01, 0xDD);
    t[8 + m] = _mm512_shuffle_i32x4(a23, b23, 0x88);
    t[12 + m] = _mm512_shuffle_i32x4(a23, b23, 0xDD);
  }
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) r[i] = t[i];
}

// 256 contiguous input dwords as 16 / span positions per row (span 4 or
// 8): after the transpose, r[u * span + d] lane m is dword d of position
// (16 / span) * m + u; interleaved back into position order and stored
// (+128) at strip rows d, from position 0.
void store_positions(const int32_t* src, uint32_t span, __m512i flip, int32_t* strip,
                     uint32_t width) {
  __m512i r[16];
  for (int k = 0; k < 16; ++k) r[k] = _mm512_loadu_si512(src + 16 * k);
  transpose16(r);
  const __m512i low = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
  for (uint32_t d = 0; d < span; ++d) {
    int32_t* row = strip + size_t{d} * width;
    if (span == 8) {  // positions 2m + u from r[d], r[8 + d]
      _mm512_store_si512(row,
                         _mm512_xor_si512(_mm512_permutex2var_epi32(r[d], low, r[8 + d]), flip));
      _mm512_store_si512(row + 16,
                         _mm512_xor_si512(_mm512_permutex2var_epi32(r[d], high, r[8 + d]), flip));
    } else {  // positions 4m + u: pairs (4m, 4m + 1) and (4m + 2, 4m + 3), then qwords
      const __m512i ab_low = _mm512_permutex2var_epi32(r[d], low, r[4 + d]);
      const __m512i ab_high = _mm512_permutex2var_epi32(r[d], high, r[4 + d]);
      const __m512i ce_low = _mm512_permutex2var_epi32(r[8 + d], low, r[12 + d]);
      const __m512i ce_high = _mm512_permutex2var_epi32(r[8 + d], high, r[12 + d]);
      const __m512i q_low = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
      const __m512i q_high = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
      _mm512_store_si512(row,
                         _mm512_xor_si512(_mm512_permutex2var_epi64(ab_low, q_low, ce_low), flip));
      _mm512_store_si512(row + 16,
                         _mm512_xor_si512(_mm512_permutex2var_epi64(ab_low, q_high, ce_low), flip));
      _mm512_store_si512(
          row + 32, _mm512_xor_si512(_mm512_permutex2var_epi64(ab_high, q_low, ce_high), flip));
      _mm512_store_si512(
          row + 48, _mm512_xor_si512(_mm512_permutex2var_epi64(ab_high, q_high, ce_high), flip));
    }
  }
}

// Where the lanes of a strip read: phase position l + d for lane l of the
// chunk (d_min <= d <= d_max), each position `span` = source_step * quads
// input dwords from input pixel source_step * position; `width` positions
// per strip row.
struct StripGeometry {
  uint32_t in_w, source_step, quads, span, width;
  int32_t d_min, d_max;
};

// strip[(phase * quads + j) * width + i]: quad j of input pixel
// source_step * (l0 + d_min + i) + phase, + 128; zero points outside.
// Position i's quads over every phase are the `span` dwords from input pixel
// source_step * position: 16 positions are loaded as 16 rows (zero points
// where the pixels do not exist) and transposed, 16 dwords at a time. Only
// the positions that `lanes` lanes from l0 read.
void fill_strip(const StripGeometry& g, const int8_t* xn, int32_t zp, uint32_t l0, uint32_t lanes,
                int32_t* strip) {
  const __m512i zp_quads = _mm512_set1_epi8(static_cast<char>(zp));
  const __m512i flip = _mm512_set1_epi32(kFlipQuad);
  const auto needed = static_cast<uint32_t>(int64_t{lanes} + g.d_max - g.d_min);
  const auto* x_quads = reinterpret_cast<const int32_t*>(xn);
  // With 4 or 8 dwords per position, one transpose takes 64 or 32
  // positions (each row 16 / span of them), then interleaves them back.
  const uint32_t per_row = g.span == 4 || g.span == 8 ? 16 / g.span : 1;
  for (uint32_t i = 0; i < needed;) {
    const int64_t position = int64_t{l0} + g.d_min + i;
    const uint32_t many = 16 * per_row;
    if (per_row > 1 && i + many <= g.width && position >= 0 &&
        (position + many) * g.source_step <= g.in_w) {
      store_positions(x_quads + position * g.span, g.span, flip, strip + i, g.width);
      i += many;
      continue;
    }
    const bool inside = position >= 0 && (position + 16) * g.source_step <= g.in_w;
    uint32_t valid[16];  // dwords of position + k that exist
    if (!inside)
      for (int k = 0; k < 16; ++k) {
        const int64_t pixels = int64_t{g.in_w} - (position + k) * g.source_step;
        valid[k] = position + k < 0 || pixels <= 0 ? 0
                   : pixels >= g.source_step       ? g.span
                                                   : static_cast<uint32_t>(pixels) * g.quads;
      }
    for (uint32_t d0 = 0; d0 < g.span; d0 += 16) {
      const uint32_t live = g.span - d0 < 16 ? g.span - d0 : 16;
      __m512i r[16];
      if (inside) {
        const auto mask = static_cast<__mmask16>((1u << live) - 1u);
        const int32_t* base = x_quads + position * g.span + d0;
        for (int k = 0; k < 16; ++k)
          r[k] = _mm512_maskz_loadu_epi32(mask, base + size_t(k) * g.span);
      } else {
        for (int k = 0; k < 16; ++k) {
          const uint32_t here = valid[k] <= d0 ? 0 : (valid[k] - d0 < 16 ? valid[k] - d0 : 16);
          r[k] = here == 0
                     ? zp_quads
                     : _mm512_mask_loadu_epi32(zp_quads, static_cast<__mmask16>((1u << here) - 1u),
                                               x_quads + (position + k) * g.span + d0);
        }
      }
      transpose16(r);
      for (uint32_t d = 0; d < live; ++d)
        _mm512_store_si512(strip + size_t{d0 + d} * g.width + i, _mm512_xor_si512(r[d], flip));
    }
    i += 16;
  }
}

// One output channel: acc[v] lane i = the class's dot product for lane
// lane0 + 16v + i, four vectors sharing each broadcast weight quad (and
// four chains in flight).
__attribute__((noinline)) void single_channel_block(const int32_t* strip, const LaneTap* taps,
                                                    uint32_t count, uint32_t quads, uint32_t width,
                                                    uint32_t lane0, const int8_t* w, __m512i* out) {
  __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                    _mm512_setzero_si512()};
  for (uint32_t t = 0; t < count; ++t) {
    const int32_t* src = strip + (lane0 + static_cast<uint32_t>(taps[t].d));
    const int8_t* wq = w + size_t{taps[t].row_quad} * 4;
    for (uint32_t j = 0; j < quads; ++j, src += width) {
      int32_t quad;
      memcpy(&quad, wq + 4 * j, 4);
      const __m512i b = _mm512_set1_epi32(quad);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        acc[v] = _mm512_dpbusd_epi32(acc[v], _mm512_loadu_si512(src + 16 * v), b);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < 4; ++v) out[v] = acc[v];
}

}  // namespace

bool conv1d_lanes_avx512vnni(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                             const int8_t* x, const int8_t* w, const int32_t* bias, int8_t* y) {
  const format::ConvParams& p = s.p;
  const bool one_d = s.in_h == 1 && s.out_h == 1 && p.kernel[0] == 1;
  const auto kw = static_cast<uint32_t>(p.kernel[1]);
  const auto sw = static_cast<uint32_t>(p.stride[1]);
  if (!one_d || s.in_c % 4 != 0 || s.out_c % 16 != 0 || s.p.w_block % 16 != 0 ||
      kw > kMaxIndirectTaps)
    return false;
  const uint32_t quads = s.in_c / 4;
  const uint32_t classes = transposed ? (sw < s.out_w ? sw : s.out_w) : 1;
  const uint32_t phases = transposed ? 1 : sw;
  if (classes > kMaxClasses) return false;
  const ClassTaps ct(s, transposed, classes);
  const LaneTap* taps = ct.taps;
  const uint32_t* first = ct.first;
  const int32_t d_min = ct.d_min, d_max = ct.d_max;
  const uint32_t lanes_max = transposed ? (s.out_w + sw - 1) / sw : s.out_w;
  auto strip_bytes = [&](uint32_t lanes) {
    return size_t{phases} * quads * ct.strip_width(lanes) * 4;
  };
  if (strip_bytes(16) > kStripBytes) return false;
  uint32_t chunk = 16;
  while (chunk < (lanes_max + 15) / 16 * 16 && strip_bytes(chunk + 16) <= kStripBytes) chunk += 16;
  const uint32_t width = ct.strip_width(chunk);

  ref::DenseShape blocks;  // the packed weights' column blocks
  blocks.n = s.out_c;
  blocks.k = kw * s.in_c;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  const PackedClamp clamp = packed_clamp(q.out);
  const uint32_t source_step = transposed ? 1 : sw;  // input pixels per phase position
  const StripGeometry geometry{s.in_w, source_step, quads, source_step * quads,
                               width,  d_min,       d_max};
  alignas(64) int32_t strip[kStripBytes / 4];
  ChannelQuants channels;
  for (uint32_t n = 0; n < s.batch; ++n) {
    const int8_t* xn = x + size_t{n} * s.in_w * s.in_c;
    int8_t* yn = y + size_t{n} * s.out_w * s.out_c;
    for (uint32_t l0 = 0; l0 < lanes_max; l0 += chunk) {
      const uint32_t reach = lanes_max - l0 < chunk ? lanes_max - l0 : chunk;
      fill_strip(geometry, xn, q.in_zp, l0, (reach + 15) / 16 * 16, strip);
      for (uint32_t c = 0; c < classes; ++c) {
        const uint32_t lanes = transposed ? (s.out_w - c + sw - 1) / sw : s.out_w;
        if (l0 >= lanes) continue;
        const uint32_t live = lanes - l0 < chunk ? lanes - l0 : chunk;
        for_each_column_block(
            blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
              LaneBlock b{strip,
                          taps + first[c],
                          first[c + 1] - first[c],
                          quads,
                          width,
                          &channels,
                          false,
                          &q.out,
                          clamp,
                          row,
                          size_t{transposed ? sw : 1} * s.out_c};
              for (uint32_t g = nb; g < ne; g += 16) {
                b.right_only = channel_quants(
                    zero_point_offsets(block, row, g - nb, taps + first[c], first[c + 1] - first[c],
                                       quads, q.in_zp, bias != nullptr ? bias + g : nullptr),
                    q.out, g, &channels);
                for (uint32_t v0 = 0; v0 < live; v0 += 16) {
                  const uint32_t l = l0 + v0;
                  const uint32_t out = transposed ? c + sw * l : l;
                  lane_block_any(b, v0 - static_cast<uint32_t>(d_min), block + size_t{g - nb} * 4,
                                 static_cast<int>(live - v0 < 16 ? live - v0 : 16),
                                 yn + size_t{out} * s.out_c + g);
                }
              }
            });
      }
    }
  }
  return true;
}

// A 1-D ConvTranspose with one output channel and Cin % 4 == 0 (a
// decoder's last layer): the lanes of one stride class, 64 at a time, over
// the class's taps; outputs stored byte by byte (classes interleave).
bool conv_transpose1d_lanes_single_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                              const int8_t* x, const int8_t* w, const int32_t* bias,
                                              int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kw = static_cast<uint32_t>(p.kernel[1]);
  const auto sw = static_cast<uint32_t>(p.stride[1]);
  if (s.in_h != 1 || s.out_h != 1 || p.kernel[0] != 1 || s.in_c % 4 != 0 || s.out_c != 1 ||
      kw > kMaxIndirectTaps)
    return false;
  const uint32_t quads = s.in_c / 4;
  const uint32_t classes = sw < s.out_w ? sw : s.out_w;
  if (classes > kMaxClasses) return false;
  const ClassTaps ct(s, true, classes);
  const LaneTap* taps = ct.taps;
  const uint32_t* first = ct.first;
  const int32_t d_min = ct.d_min, d_max = ct.d_max;
  const uint32_t lanes_max = (s.out_w + sw - 1) / sw;
  if (size_t{quads} * ct.strip_width(64) * 4 > kStripBytes) return false;
  uint32_t chunk = 64;  // lanes per strip, whole groups of 4 vectors
  while (chunk < (lanes_max + 63) / 64 * 64 &&
         size_t{quads} * ct.strip_width(chunk + 64) * 4 <= kStripBytes)
    chunk += 64;
  const uint32_t width = ct.strip_width(chunk);
  // Per class: bias - (zp + 128) * the sum of its taps' weights.
  int32_t offsets[kMaxClasses];
  for (uint32_t c = 0; c < classes; ++c) {
    int32_t sum = 0;
    for (uint32_t t = first[c]; t < first[c + 1]; ++t)
      for (uint32_t i = 0; i < s.in_c; ++i) sum += w[size_t{taps[t].row_quad} * 4 + i];
    offsets[c] =
        static_cast<int32_t>(static_cast<uint32_t>(bias != nullptr ? bias[0] : 0) -
                             static_cast<uint32_t>(q.in_zp + 128) * static_cast<uint32_t>(sum));
  }
  const OutputClamp clamp = output_clamp(q.out);
  const StripGeometry geometry{s.in_w, 1, quads, quads, width, d_min, d_max};
  alignas(64) int32_t strip[kStripBytes / 4];
  // Two classes (stride 2, the usual decoder): each class's bytes of a strip
  // are staged, then interleaved 32 outputs per store instead of stored one
  // by one (that was a third of the layer's time).
  const bool pairs = classes == 2;
  alignas(16) int8_t staged[2][kStripBytes / 4];  // chunk <= width <= kStripBytes / 4
  for (uint32_t n = 0; n < s.batch; ++n) {
    const int8_t* xn = x + size_t{n} * s.in_w * s.in_c;
    int8_t* yn = y + size_t{n} * s.out_w;
    for (uint32_t l0 = 0; l0 < lanes_max; l0 += chunk) {
      const uint32_t reach = lanes_max - l0 < chunk ? lanes_max - l0 : chunk;
      fill_strip(geometry, xn, q.in_zp, l0, (reach + 63) / 64 * 64, strip);
      for (uint32_t c = 0; c < classes; ++c) {
        const uint32_t lanes = (s.out_w - c + sw - 1) / sw;
        if (l0 >= lanes) continue;
        const uint32_t live = lanes - l0 < chunk ? lanes - l0 : chunk;
        for (uint32_t v0 = 0; v0 < live; v0 += 64) {
          __m512i acc[4];
          single_channel_block(strip, taps + first[c], first[c + 1] - first[c], quads, width,
                               v0 - static_cast<uint32_t>(d_min), w, acc);
          for (uint32_t v = 0; v < 4 && v0 + 16 * v < live; ++v) {
            const __m512i r = requantize_channel(
                _mm512_add_epi32(acc[v], _mm512_set1_epi32(offsets[c])), q.out, 0, clamp);
            if (pairs) {  // whole vectors: staged has room for them
              _mm_store_si128(reinterpret_cast<__m128i*>(staged[c] + v0 + 16 * v),
                              _mm512_cvtepi32_epi8(r));
              continue;
            }
            alignas(16) int8_t out[16];
            _mm_store_si128(reinterpret_cast<__m128i*>(out), _mm512_cvtepi32_epi8(r));
            const uint32_t l = l0 + v0 + 16 * v;
            const uint32_t count = live - (v0 + 16 * v) < 16 ? live - (v0 + 16 * v) : 16;
            int8_t* dst = yn + c + size_t{sw} * l;
            for (uint32_t i = 0; i < count; ++i) dst[size_t{sw} * i] = out[i];
          }
        }
      }
      if (!pairs) continue;
      // Class 1 has as many lanes as class 0 or one fewer.
      const uint32_t lanes0 = (s.out_w + 1) / 2, lanes1 = s.out_w / 2;
      const uint32_t live0 = lanes0 - l0 < chunk ? lanes0 - l0 : chunk;
      const uint32_t live1 = l0 >= lanes1 ? 0 : (lanes1 - l0 < chunk ? lanes1 - l0 : chunk);
      int8_t* dst = yn + size_t{2} * l0;
      uint32_t i = 0;
      for (; i + 16 <= live1; i += 16) {
        const __m128i even = _mm_load_si128(reinterpret_cast<const __m128i*>(staged[0] + i));
        const __m128i odd = _mm_load_si128(reinterpret_cast<const __m128i*>(staged[1] + i));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * i), _mm_unpacklo_epi8(even, odd));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 2 * i + 16),
                         _mm_unpackhi_epi8(even, odd));
      }
      for (; i < live0; ++i) {
        dst[2 * i] = staged[0][i];
        if (i < live1) dst[2 * i + 1] = staged[1][i];
      }
    }
  }
  return true;
}

// A stride-2 1-D Conv with one input channel (a first layer): output pixel
// l reads the KW input bytes from 2l - pad, which are its packed row quads
// in order (row r = tap r; zero weights past KW). So strip quad j of lane l
// is the 4 bytes from 2l - pad + 4j: in a 64-byte load from 2 * l0 - pad +
// 4j, lane l's dword is 16-bit words l and l + 1 (one vpermw). The input
// row is first copied between zero points, so that no load leaves it.
constexpr uint32_t kMaxPaddedRow = 2048;

bool conv1d_lanes_one_input_avx512vnni(const ref::ConvShape& s, const ref::LayerQuant& q,
                                       const int8_t* x, const int8_t* w, const int32_t* bias,
                                       int8_t* y) {
  const format::ConvParams& p = s.p;
  const auto kw = static_cast<uint32_t>(p.kernel[1]);
  const uint32_t quads = (kw + 3) / 4;
  const auto pad = static_cast<uint32_t>(p.pad_begin[1]);
  const uint32_t lanes_max = (s.out_w + 15) / 16 * 16;
  // Bytes of the padded row the last vector's loads reach.
  const size_t reach = size_t{lanes_max - 16} * 2 + 4 * size_t{quads - 1} + 64;
  if (s.in_h != 1 || s.out_h != 1 || p.kernel[0] != 1 || s.in_c != 1 || p.stride[1] != 2 ||
      p.dilation[1] != 1 || s.out_c % 16 != 0 || s.p.w_block % 16 != 0 || quads > 16 ||
      reach > kMaxPaddedRow || size_t{pad} + s.in_w > kMaxPaddedRow)
    return false;
  const uint32_t chunk = kOneInputStripBytes / 4 / quads / 16 * 16;  // lanes per strip
  ref::DenseShape blocks;
  blocks.n = s.out_c;
  blocks.k = kw;
  blocks.b_block = static_cast<uint32_t>(p.w_block);
  if (chunk < 16) return false;
  const PackedClamp clamp = packed_clamp(q.out);
  const __m512i flip = _mm512_set1_epi32(kFlipQuad);
  const __m512i zp = _mm512_set1_epi8(static_cast<char>(q.in_zp));
  // Word pairs (l, l + 1) for lane l.
  const __m512i pairs = _mm512_set_epi16(16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9,
                                         8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0);
  const LaneTap tap{0, 0, 0};
  alignas(64) int8_t padded[kMaxPaddedRow];
  alignas(64) int32_t strip[kOneInputStripBytes / 4];
  ChannelQuants channels;
  for (uint32_t n = 0; n < s.batch; ++n) {
    for (uint32_t i = 0; i < kMaxPaddedRow; i += 64) _mm512_store_si512(padded + i, zp);
    memcpy(padded + pad, x + size_t{n} * s.in_w, s.in_w);
    int8_t* yn = y + size_t{n} * s.out_w * s.out_c;
    for (uint32_t l0 = 0; l0 < s.out_w; l0 += chunk) {
      const uint32_t live = s.out_w - l0 < chunk ? s.out_w - l0 : chunk;
      for (uint32_t i = 0; i < live; i += 16)
        for (uint32_t j = 0; j < quads; ++j) {
          const __m512i bytes = _mm512_loadu_si512(padded + size_t{l0 + i} * 2 + 4 * j);
          _mm512_store_si512(strip + size_t{j} * chunk + i,
                             _mm512_xor_si512(_mm512_permutexvar_epi16(pairs, bytes), flip));
        }
      for_each_column_block(
          blocks, w, [&](const int8_t* block, size_t row, uint32_t nb, uint32_t ne) {
            LaneBlock b{strip, &tap,   1,     quads, chunk,  &channels,
                        false, &q.out, clamp, row,   s.out_c};
            for (uint32_t g = nb; g < ne; g += 16) {
              b.right_only =
                  channel_quants(zero_point_offsets(block, row, g - nb, &tap, 1, quads, q.in_zp,
                                                    bias != nullptr ? bias + g : nullptr),
                                 q.out, g, &channels);
              for (uint32_t v0 = 0; v0 < live; v0 += 16)
                lane_block_any(b, v0, block + size_t{g - nb} * 4,
                               static_cast<int>(live - v0 < 16 ? live - v0 : 16),
                               yn + size_t{l0 + v0} * s.out_c + g);
            }
          });
    }
  }
  return true;
}

}  // namespace edgeae::simd
