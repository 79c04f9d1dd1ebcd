// Nearest-neighbour upsampling by an integer factor per axis, for any element
// size: the ONNX Resize/Upsample "nearest" result for integer scales, where
// every output coordinate maps back to floor(out / scale).
#include <string.h>

#include "kernels/reference/reference.hpp"
#include "kernels/reference/small_copy.hpp"

namespace edgeae::ref {

namespace {}  // namespace

void resize_nearest(uint32_t elem_bytes, const Shape& in_shape, const int32_t* scale, const void* x,
                    void* y) {
  // The trailing axes of scale 1 (the channels, typically) move as one
  // contiguous block; the outer axes are walked block by block.
  uint32_t outer = in_shape.rank;
  size_t block = elem_bytes;
  while (outer > 0 && scale[outer - 1] == 1) {
    --outer;
    block *= in_shape.dims[outer];
  }
  size_t count = 1;
  for (uint32_t i = 0; i < outer; ++i) count *= size_t{in_shape.dims[i]} * uint32_t(scale[i]);

  const unsigned char* in = static_cast<const unsigned char*>(x);
  unsigned char* out = static_cast<unsigned char*>(y);
  for (size_t i = 0; i < count; ++i) {
    // Decompose the output block index from the last outer axis,
    // accumulating the input block index of the source.
    size_t rest = i;
    size_t in_offset = 0, in_stride = 1;
    for (uint32_t k = 0; k < outer; ++k) {
      const uint32_t axis = outer - 1 - k;
      const uint32_t factor = uint32_t(scale[axis]);
      const size_t out_dim = size_t{in_shape.dims[axis]} * factor;
      const size_t coord = rest % out_dim;
      rest /= out_dim;
      in_offset += (coord / factor) * in_stride;
      in_stride *= in_shape.dims[axis];
    }
    copy_small(out + i * block, in + in_offset * block, block);
  }
}

}  // namespace edgeae::ref
