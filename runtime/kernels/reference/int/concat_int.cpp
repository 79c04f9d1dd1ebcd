// Integer Concat: inputs quantized like the output are copied, the others
// requantized element by element to the output's (scale, zero point).
#include <string.h>

#include "kernels/reference/int_reference.hpp"

namespace edgeae::ref {

namespace {

template <typename T>
void concat_q(uint32_t input_count, const Shape* shapes, const T* const* inputs,
              const ConcatQuant& q, uint32_t axis, T* y) {
  if (input_count == 0) return;
  constexpr int32_t kMin = sizeof(T) == 1 ? INT8_MIN : INT16_MIN;
  constexpr int32_t kMax = sizeof(T) == 1 ? INT8_MAX : INT16_MAX;
  // Viewed as [outer, dims[axis], inner], every input contributes one
  // contiguous block of dims[axis] * inner elements per outer index.
  const Shape& first = shapes[0];
  size_t outer = 1;
  for (uint32_t i = 0; i < axis; ++i) outer *= first.dims[i];
  size_t inner = 1;
  for (uint32_t i = axis + 1; i < first.rank; ++i) inner *= first.dims[i];

  T* out = y;
  for (size_t o = 0; o < outer; ++o) {
    for (uint32_t t = 0; t < input_count; ++t) {
      const size_t block = size_t{shapes[t].dims[axis]} * inner;
      const T* in = inputs[t] + o * block;
      const ConcatInputQuant& iq = q.inputs[t];
      if (iq.same_as_output != 0) {
        memcpy(out, in, block * sizeof(T));
      } else {
        for (size_t e = 0; e < block; ++e) {
          out[e] = static_cast<T>(
              quant::requantize(in[e] - iq.zp, iq.multiplier, iq.shift, q.out_zp, kMin, kMax));
        }
      }
      out += block;
    }
  }
}

}  // namespace

void concat_s8(uint32_t input_count, const Shape* shapes, const int8_t* const* inputs,
               const ConcatQuant& q, uint32_t axis, int8_t* y) {
  concat_q(input_count, shapes, inputs, q, axis, y);
}
void concat_s16(uint32_t input_count, const Shape* shapes, const int16_t* const* inputs,
                const ConcatQuant& q, uint32_t axis, int16_t* y) {
  concat_q(input_count, shapes, inputs, q, axis, y);
}

}  // namespace edgeae::ref
