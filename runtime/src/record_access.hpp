// Small readers of blob records shared by the loader's shape rules and the
// executor, so both read parameters and channels-last extents the same way.
#pragma once

#include <string.h>

#include "edgeae/blob_format.hpp"

namespace edgeae::detail {

using format::params_as;

// Extents of a channels-last tensor: rank 4 is [N, H, W, C], rank 3 is
// [N, W, C] read with H = 1.
inline uint32_t height(const format::TensorRecord& t) {
  return t.rank == 4 ? t.dims[1] : 1;
}
inline uint32_t width(const format::TensorRecord& t) {
  return t.dims[t.rank - 2];
}
inline uint32_t channels(const format::TensorRecord& t) {
  return t.dims[t.rank - 1];
}

inline size_t element_count(const format::TensorRecord& t) {
  return static_cast<size_t>(t.bytes >>
                             format::dtype_bytes_log2(static_cast<format::DType>(t.dtype)));
}

}  // namespace edgeae::detail
