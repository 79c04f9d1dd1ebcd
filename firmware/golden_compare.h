/* An output against the golden bytes the x86 reference build computed for
 * the same blob and input: integer outputs must be identical, float32 ones
 * within DEMO_FLOAT_TOLERANCE (the reference float kernels round differently
 * where compilers fuse multiply-adds, and libm's expf/tanhf differ by ulps
 * between newlib and glibc). */
#ifndef EDGEAE_FIRMWARE_GOLDEN_COMPARE_H
#define EDGEAE_FIRMWARE_GOLDEN_COMPARE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* |got - want| <= tolerance * (1 + |want|) for every float32 value. */
#define DEMO_FLOAT_TOLERANCE 1e-4f

/* 1 if `got` agrees with `want` (`bytes` long, float32 when is_float);
 * *max_diff gets the largest absolute difference of float outputs (0 for
 * integer ones). */
int golden_agrees(int is_float, const void* got, const void* want, size_t bytes, float* max_diff);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAE_FIRMWARE_GOLDEN_COMPARE_H */
