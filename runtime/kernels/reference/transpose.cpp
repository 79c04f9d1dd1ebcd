// Axis permutation for any element size: out.dims[i] = in.dims[perm[i]].
#include <string.h>

#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void transpose(uint32_t elem_bytes, const Shape& in_shape, const int32_t* perm, const void* x,
               void* y) {
  const uint32_t rank = in_shape.rank;
  size_t in_strides[format::kMaxRank] = {};
  size_t count = 1;
  for (uint32_t k = 0; k < rank; ++k) {
    const uint32_t axis = rank - 1 - k;
    in_strides[axis] = count;
    count *= in_shape.dims[axis];
  }

  const unsigned char* in = static_cast<const unsigned char*>(x);
  unsigned char* out = static_cast<unsigned char*>(y);
  for (size_t i = 0; i < count; ++i) {
    // Output axis j walks input axis perm[j].
    size_t rest = i;
    size_t in_offset = 0;
    for (uint32_t k = 0; k < rank; ++k) {
      const uint32_t j = rank - 1 - k;
      const uint32_t from = uint32_t(perm[j]);
      const uint32_t dim = in_shape.dims[from];
      in_offset += (rest % dim) * in_strides[from];
      rest /= dim;
    }
    memcpy(out + i * elem_bytes, in + in_offset * elem_bytes, elem_bytes);
  }
}

}  // namespace edgeae::ref
