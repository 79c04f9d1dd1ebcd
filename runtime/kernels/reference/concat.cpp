// Concat along one axis, for any element size.
#include <string.h>

#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void concat(uint32_t elem_bytes, uint32_t input_count, const Shape* shapes,
            const void* const* inputs, uint32_t axis, void* y) {
  if (input_count == 0) return;
  // Viewed as [outer, dims[axis], inner], every input contributes one
  // contiguous block of dims[axis] * inner elements per outer index.
  const Shape& first = shapes[0];
  size_t outer = 1;
  for (uint32_t i = 0; i < axis; ++i) outer *= first.dims[i];
  size_t inner = elem_bytes;
  for (uint32_t i = axis + 1; i < first.rank; ++i) inner *= first.dims[i];

  unsigned char* out = static_cast<unsigned char*>(y);
  for (size_t o = 0; o < outer; ++o) {
    for (uint32_t t = 0; t < input_count; ++t) {
      const size_t block = size_t{shapes[t].dims[axis]} * inner;
      memcpy(out, static_cast<const unsigned char*>(inputs[t]) + o * block, block);
      out += block;
    }
  }
}

}  // namespace edgeae::ref
