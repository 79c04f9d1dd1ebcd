#include "golden_compare.h"

#include <string.h>

int golden_agrees(int is_float, const void* got, const void* want, size_t bytes, float* max_diff) {
  *max_diff = 0.0f;
  if (!is_float) return memcmp(got, want, bytes) == 0;
  int agree = 1;
  for (size_t k = 0; k + 4 <= bytes; k += 4) {
    float g, w;
    memcpy(&g, (const char*)got + k, sizeof g);
    memcpy(&w, (const char*)want + k, sizeof w);
    const float diff = g > w ? g - w : w - g;
    const float scale = 1.0f + (w < 0.0f ? -w : w);
    if (!(diff <= DEMO_FLOAT_TOLERANCE * scale)) agree = 0; /* NaN fails too */
    if (diff > *max_diff) *max_diff = diff;
  }
  return agree;
}
