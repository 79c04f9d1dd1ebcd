// int8 PRelu / LeakyRelu (and the Relu and Clip the converter lowers to it)
// for every set: the output is a function of one int8 input (per channel
// with per-channel slopes), so a 256-entry table built per call is bit-exact
// by construction (the reference's multiplier choice, and
// quant::requantize_fast: the same integers as quant::requantize in about a
// quarter of the instructions on a Cortex-M4), and a lookup per element
// replaces a requantization. A table
// costs 256 requantizations: one per channel is built only when the channel
// has enough elements, else the reference runs.
#include <string.h>

#include "kernels/portable/portable_kernels.hpp"

namespace edgeae::portable {
namespace {

constexpr uint32_t kMinPerTable = 512;  // elements per table: twice its entries

void fill_table(const ref::PReluQuant& q, uint32_t c, int8_t* table) {
  const uint32_t i = q.neg_count > 1 ? c : 0;
  for (int32_t v = -128; v < 128; ++v) {
    const int32_t d = v - q.in_zp;
    const bool positive = d >= 0;
    table[v + 128] = static_cast<int8_t>(quant::requantize_fast(
        d, positive ? q.pos_multiplier : q.neg_multiplier[i],
        positive ? q.pos_shift : q.neg_shift[i], q.out_zp, q.act_min, q.act_max));
  }
}

// y[i] = table[x[i] + 128], four at a time through words (x ^ 0x80 is the
// index of x's byte; the bytes keep their places whatever the endianness).
void lookup(const int8_t* table, uint32_t count, const int8_t* x, int8_t* y) {
  const auto* t = reinterpret_cast<const uint8_t*>(table);
  uint32_t i = 0;
  for (; i + 4 <= count; i += 4) {
    uint32_t w;
    memcpy(&w, x + i, 4);
    w ^= 0x80808080u;
    const uint32_t out = t[w & 0xFF] | uint32_t{t[w >> 8 & 0xFF]} << 8 |
                         uint32_t{t[w >> 16 & 0xFF]} << 16 | uint32_t{t[w >> 24]} << 24;
    memcpy(y + i, &out, 4);
  }
  for (; i < count; ++i) y[i] = table[x[i] + 128];
}

}  // namespace

void prelu_s8_tables(const ref::PReluQuant& q, uint32_t count, uint32_t channels, const int8_t* x,
                     int8_t* y) {
  const uint32_t tables = q.neg_count > 1 && channels > 1 ? channels : 1;
  if (count / tables < kMinPerTable) {
    ref::prelu_s8(q, count, channels, x, y);
    return;
  }
  int8_t table[256];
  if (tables == 1) {
    fill_table(q, 0, table);
    lookup(table, count, x, y);
    return;
  }
  for (uint32_t c = 0; c < tables; ++c) {  // channel c: elements c, c + C, ...
    fill_table(q, c, table);
    for (uint32_t i = c; i < count; i += tables) y[i] = table[x[i] + 128];
  }
}

}  // namespace edgeae::portable
