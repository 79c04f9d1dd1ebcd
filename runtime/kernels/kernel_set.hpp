// The table behind edgeae::KernelSet: one function per op family, with the
// reference kernels' signatures (reference.hpp). An optimized set points each
// entry at its own kernel where it has one, and at the reference otherwise.
#pragma once

#include "edgeae/kernel_sets.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae {

struct KernelSet {
  const char* name;
  void (*dense)(const ref::DenseShape&, const float* a, const float* b, const float* bias,
                const ref::ActivationSpec&, float* y);
  void (*conv)(const ref::ConvShape&, const float* x, const float* w, const float* bias,
               const ref::ActivationSpec&, float* y);
  void (*conv_transpose)(const ref::ConvShape&, const float* x, const float* w, const float* bias,
                         const ref::ActivationSpec&, float* y);
  void (*binary)(ref::BinaryOp, const ref::Shape& a_shape, const float* a,
                 const ref::Shape& b_shape, const float* b, const ref::Shape& out_shape,
                 const ref::ActivationSpec&, float* y);
  void (*activation)(const ref::ActivationSpec&, uint32_t count, uint32_t channels, const float* x,
                     float* y);
  void (*max_pool)(const ref::PoolShape&, const float* x, const ref::ActivationSpec&, float* y);
  void (*average_pool)(const ref::PoolShape&, const float* x, const ref::ActivationSpec&, float* y);
  void (*global_average_pool)(uint32_t batch, uint32_t spatial, uint32_t channels, const float* x,
                              const ref::ActivationSpec&, float* y);
};

namespace kernels {
extern const KernelSet kReference;
#if defined(EDGEAE_HAVE_X86_KERNELS)
extern const KernelSet kSse41;
extern const KernelSet kAvx2;
extern const KernelSet kAvx512;
#endif
#if defined(EDGEAE_HAVE_NEON_KERNELS)
extern const KernelSet kNeon;
#endif
}  // namespace kernels

}  // namespace edgeae
