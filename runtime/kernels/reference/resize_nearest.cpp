// Nearest-neighbour upsampling by an integer factor per axis, for any element
// size: the ONNX Resize/Upsample "nearest" result for integer scales, where
// every output coordinate maps back to floor(out / scale).
#include <string.h>

#include "kernels/reference/reference.hpp"

namespace edgeae::ref {

void resize_nearest(uint32_t elem_bytes, const Shape& in_shape, const int32_t* scale, const void* x,
                    void* y) {
  const uint32_t rank = in_shape.rank;
  size_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) count *= size_t{in_shape.dims[i]} * uint32_t(scale[i]);

  const unsigned char* in = static_cast<const unsigned char*>(x);
  unsigned char* out = static_cast<unsigned char*>(y);
  for (size_t i = 0; i < count; ++i) {
    // Decompose the output index from the last axis, accumulating the input
    // offset of the source element.
    size_t rest = i;
    size_t in_offset = 0, in_stride = 1;
    for (uint32_t k = 0; k < rank; ++k) {
      const uint32_t axis = rank - 1 - k;
      const uint32_t factor = uint32_t(scale[axis]);
      const size_t out_dim = size_t{in_shape.dims[axis]} * factor;
      const size_t coord = rest % out_dim;
      rest /= out_dim;
      in_offset += (coord / factor) * in_stride;
      in_stride *= in_shape.dims[axis];
    }
    memcpy(out + i * elem_bytes, in + in_offset * elem_bytes, elem_bytes);
  }
}

}  // namespace edgeae::ref
