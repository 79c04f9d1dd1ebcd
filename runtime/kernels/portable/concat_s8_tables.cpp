// int8 Concat for every set: an input with its own (scale, zero point) is
// requantized element by element in ref::concat_s8, a function of one int8
// value, so a 256-entry table built per input (quant::requantize_fast: the
// same integers as quant::requantize) replaces the per-element
// requantization once the input has enough elements to pay for it. The
// inputs are placed one after the other (input-major), each in its blocks
// of the output; bit-exact with ref::concat_s8.
#include <string.h>

#include "kernels/portable/portable_kernels.hpp"

namespace edgeae::portable {
namespace {

constexpr size_t kMinPerTable = 512;  // elements: twice the table's entries

}  // namespace

void concat_s8_tables(uint32_t input_count, const ref::Shape* shapes, const int8_t* const* inputs,
                      const ref::ConcatQuant& q, uint32_t axis, int8_t* y) {
  if (input_count == 0) return;
  // As ref::concat_s8: [outer, dims[axis], inner], one block per input and
  // outer index.
  const ref::Shape& first = shapes[0];
  size_t outer = 1, inner = 1, total = 0;
  for (uint32_t i = 0; i < axis; ++i) outer *= first.dims[i];
  for (uint32_t i = axis + 1; i < first.rank; ++i) inner *= first.dims[i];
  bool any_table = false;
  for (uint32_t t = 0; t < input_count; ++t) {
    const size_t block = size_t{shapes[t].dims[axis]} * inner;
    total += block;
    any_table |= q.inputs[t].same_as_output == 0 && outer * block >= kMinPerTable;
  }
  if (!any_table) {
    ref::concat_s8(input_count, shapes, inputs, q, axis, y);
    return;
  }
  int8_t table[256];
  size_t at = 0;  // the input's offset in each outer slice of y
  for (uint32_t t = 0; t < input_count; ++t) {
    const size_t block = size_t{shapes[t].dims[axis]} * inner;
    const ref::ConcatInputQuant& iq = q.inputs[t];
    const bool copy = iq.same_as_output != 0;
    const bool tabled = !copy && outer * block >= kMinPerTable;
    if (tabled)
      for (int32_t v = -128; v < 128; ++v)
        table[v + 128] = static_cast<int8_t>(
            quant::requantize_fast(v - iq.zp, iq.multiplier, iq.shift, q.out_zp, -128, 127));
    const int8_t* in = inputs[t];
    for (size_t o = 0; o < outer; ++o, in += block) {
      int8_t* out = y + o * total + at;
      for (size_t e = 0; e < block; ++e)
        out[e] = copy     ? in[e]
                 : tabled ? table[in[e] + 128]
                          : static_cast<int8_t>(quant::requantize(in[e] - iq.zp, iq.multiplier,
                                                                  iq.shift, q.out_zp, -128, 127));
    }
    at += block;
  }
}

}  // namespace edgeae::portable
