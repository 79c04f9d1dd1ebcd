// How an op reaches its kernel. With run-time selection (hosts) through the
// session's kernel set. Bare-metal builds (EDGEAE_STATIC_KERNELS) choose their
// kernels at compile time: a session without a set calls the kernels named
// here directly, so an image links only the kernels of the ops it runs — a
// KernelSet table would link every kernel it points at.
#pragma once

#include "kernels/cortexm/cortexm_kernels.hpp"
#include "kernels/kernel_set.hpp"
#include "kernels/portable/portable_kernels.hpp"

namespace edgeae::static_kernels {

#if defined(EDGEAE_STATIC_KERNELS)
inline constexpr auto dense = ref::dense_f32;
inline constexpr auto conv = ref::conv_f32;
inline constexpr auto conv_transpose = ref::conv_transpose_f32;
inline constexpr auto binary = ref::binary_f32;
inline constexpr auto activation = ref::activation_f32;
inline constexpr auto max_pool = ref::max_pool_f32;
inline constexpr auto average_pool = ref::average_pool_f32;
inline constexpr auto global_average_pool = ref::global_average_pool_f32;
inline constexpr auto prelu_s8 = portable::prelu_s8_tables;
inline constexpr auto concat_s8 = portable::concat_s8_tables;
#if defined(EDGEAE_HAVE_CORTEXM_KERNELS) && defined(__ARM_FEATURE_DSP)
#if defined(__ARM_FEATURE_MVE)
inline constexpr auto dense_s8 = cortexm::dense_s8_mve;
inline constexpr auto conv_s8 = cortexm::conv_s8_mve;
inline constexpr auto add_s8 = cortexm::add_s8_mve;
#else
inline constexpr auto dense_s8 = cortexm::dense_s8_dsp;
inline constexpr auto conv_s8 = cortexm::conv_s8_dsp;
inline constexpr auto add_s8 = portable::add_s8_tables;
#endif
inline constexpr auto dense_s16 = cortexm::dense_s16_dsp;
inline constexpr auto dense_s16x16 = cortexm::dense_s16x16_dsp;
inline constexpr auto dense_s8_pairs = cortexm::dense_s8_dsp_pairs;
inline constexpr auto conv_s8_pairs = cortexm::conv_s8_dsp_pairs;
#else
inline constexpr auto dense_s8 = reference_dense_s8;
inline constexpr auto dense_s16 = ref::dense_s16;
inline constexpr auto dense_s16x16 = ref::dense_s16x16;
inline constexpr auto add_s8 = ref::add_s8;
inline constexpr decltype(KernelSet::conv_s8) conv_s8 = nullptr;
inline constexpr auto dense_s8_pairs = reference_dense_s8;
inline constexpr decltype(KernelSet::conv_s8) conv_s8_pairs = nullptr;
#endif
#endif

}  // namespace edgeae::static_kernels

#if defined(EDGEAE_STATIC_KERNELS)
#define EDGEAE_KERNEL(session, slot) \
  ((session).kernels() ? (session).kernels()->slot : ::edgeae::static_kernels::slot)
#else
#define EDGEAE_KERNEL(session, slot) ((session).kernels()->slot)
#endif
