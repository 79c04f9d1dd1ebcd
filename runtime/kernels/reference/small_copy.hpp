// A copy of a few bytes inline: a libc call per small block (a gathered conv
// tap, a resized pixel's channels) would cost more than the block.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace edgeae::ref {

inline void copy_small(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  size_t i = 0;
  for (; i + sizeof(uintptr_t) <= n; i += sizeof(uintptr_t)) {  // a register at a time
    uintptr_t v;
    memcpy(&v, s + i, sizeof v);
    memcpy(d + i, &v, sizeof v);
  }
  for (; i < n; ++i) d[i] = s[i];
}

}  // namespace edgeae::ref
