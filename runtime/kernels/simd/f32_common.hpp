// Shared pieces of the float32 SIMD kernels: batch types, register counts
// and the vectorized activations. f32_simd.hpp has the design notes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/kernel_set.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae::simd {
namespace {

using format::Activation;
using ref::ActivationSpec;

// Channel tails narrower than a vector run scalar, in the same translation
// unit. (Using a narrower instruction set's batches here would instantiate its
// xsimd templates with this unit's wider ISA flags, and the linker may then
// hand that copy to the narrower kernel set: an illegal instruction on a CPU
// without the wider ISA.)
template <class A>
using Batch = xsimd::batch<float, A>;

// Architectural vector registers: 32 on AVX-512 and AArch64, 16 on AVX2,
// SSE and ARMv7 NEON (as 128-bit q registers).
template <class A>
constexpr int kVectorRegisters =
#if defined(EDGEAE_SIMD_X86)
    std::is_same_v<A, xsimd::avx512f> ? 32 : 16;
#elif defined(__aarch64__)
    32;
#else
    16;
#endif

// The activation on one vector whose lanes are channels c0, c0 + 1, ...
template <class A>
inline Batch<A> activate(const ActivationSpec& act, Batch<A> v, uint32_t c0) {
  using B = Batch<A>;
  switch (act.kind) {
    case Activation::kNone:
      return v;
    case Activation::kRelu:
      return xsimd::max(v, B(0.0f));
    case Activation::kLeakyRelu:
      return xsimd::select(v < B(0.0f), v * B(act.alpha), v);
    case Activation::kSigmoid: {
      // 1 / (1 + e^-v): e^-v overflows to inf for v < -88, giving exactly 0.
      return B(1.0f) / (B(1.0f) + xsimd::exp(-v));
    }
    case Activation::kTanh:
      return xsimd::tanh(v);
    case Activation::kClip:
      return xsimd::min(xsimd::max(v, B(act.alpha)), B(act.beta));
    case Activation::kHardSigmoid:
      return xsimd::max(B(0.0f), xsimd::min(B(1.0f), B(act.alpha) * v + B(act.beta)));
    case Activation::kPRelu: {
      const B slope = act.slope_count == 1 ? B(act.slope[0]) : B::load_unaligned(act.slope + c0);
      return xsimd::select(v < B(0.0f), v * slope, v);
    }
  }
  return v;
}

// The activation on a tile of accumulators acc[q][t] whose vector t holds
// channels c0 + t*L ...: one dispatch per tile instead of one per vector.
template <class A, int P, int T>
inline void activate_tile(const ActivationSpec& act, Batch<A> (&acc)[P][T], uint32_t c0) {
  using B = Batch<A>;
  constexpr uint32_t L = B::size;
  auto each = [&](auto f) {
#pragma GCC unroll 16
    for (int q = 0; q < P; ++q)
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) acc[q][t] = f(acc[q][t], t);
  };
  switch (act.kind) {
    case Activation::kNone:
      return;
    case Activation::kRelu: {
      const B zero(0.0f);
      each([&](B v, int) { return xsimd::max(v, zero); });
      return;
    }
    case Activation::kPRelu: {
      B slope[T];
      for (int t = 0; t < T; ++t)
        slope[t] =
            act.slope_count == 1 ? B(act.slope[0]) : B::load_unaligned(act.slope + c0 + t * L);
      each([&](B v, int t) { return xsimd::select(v < B(0.0f), v * slope[t], v); });
      return;
    }
    default:
      each([&](B v, int t) { return activate<A>(act, v, c0 + uint32_t(t) * L); });
      return;
  }
}

}  // namespace
}  // namespace edgeae::simd
