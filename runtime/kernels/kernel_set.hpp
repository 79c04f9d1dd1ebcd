// The table behind edgeae::KernelSet: one function per op family, with the
// reference kernels' signatures (reference.hpp). An optimized set points each
// entry at its own kernel where it has one, and at the reference otherwise.
#pragma once

#include "edgeae/kernel_sets.hpp"
#include "kernels/portable/portable_kernels.hpp"
#include "kernels/reference/int_reference.hpp"
#include "kernels/reference/reference.hpp"

namespace edgeae {

inline constexpr uint32_t kMaxIndirectTaps = 64;

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
  // int8 Dense on quad-packed weights (ref::dense_s8_packed), bit-exact with
  // it; column_sums[n] is the sum of B's column n (for kernels that offset
  // the activations). B and the column sums are blob constants, 16-byte
  // aligned: kernels may load them by words.
  void (*dense_s8)(const ref::DenseShape&, const ref::LayerQuant&, const int8_t* a, const int8_t* b,
                   const int32_t* bias, const int32_t* column_sums, int8_t* y);
  // int16 Dense, 16x8 (ref::dense_s16) and 16x16 (ref::dense_s16x16) on
  // [K][N] weights, bit-exact with them.
  void (*dense_s16)(const ref::DenseShape&, const ref::RequantParams&, const int16_t* a,
                    const int8_t* b, const int64_t* bias, int16_t* y);
  void (*dense_s16x16)(const ref::DenseShape&, const ref::RequantParams&, const int16_t* a,
                       const int16_t* b, const int64_t* bias, int16_t* y);
  // int8 Add/Sub (ref::add_s8), bit-exact with it.
  void (*add_s8)(ref::BinaryOp, const ref::BinaryShapes&, const ref::AddQuant&, const int8_t* a,
                 const int8_t* b, int8_t* y);
  // int8 Conv/ConvTranspose (groups 1, packed weights) reading its input in
  // place (at most kMaxIndirectTaps taps); scratch holds KH*KW*Cin bytes.
  // Returns false for a shape it leaves to the executor, which then gathers
  // each output pixel's inputs into scratch for dense_s8. Null: the set has
  // none.
  bool (*conv_s8)(const ref::ConvShape&, bool transposed, const ref::LayerQuant&, const int8_t* x,
                  const int8_t* w, const int32_t* bias, const int32_t* column_sums, int8_t* scratch,
                  int8_t* y);
  // int8 PRelu/LeakyRelu/Relu/Clip (ref::prelu_s8) and Concat
  // (ref::concat_s8), bit-exact with them: the reference set runs those, the
  // others the portable table kernels.
  void (*prelu_s8)(const ref::PReluQuant&, uint32_t count, uint32_t channels, const int8_t* x,
                   int8_t* y);
  void (*concat_s8)(uint32_t input_count, const ref::Shape* shapes, const int8_t* const* inputs,
                    const ref::ConcatQuant&, uint32_t axis, int8_t* y);
  // dense_s8 and conv_s8 on weights in DSP column pairs (packing 2,
  // format::paired_dense_offset), the same contracts. Sets without a kernel
  // of their own for that layout run the reference (which reads both).
  decltype(dense_s8) dense_s8_pairs;
  decltype(conv_s8) conv_s8_pairs;
};

// The reference int8 Dense with the table's signature.
void reference_dense_s8(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                        const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                        int8_t* y);

// The reference float kernels with the given integer kernels: the reference
// set itself, and sets that only add integer kernels (bare-metal Cortex-M).
constexpr KernelSet reference_float_set(
    const char* name, decltype(KernelSet::dense_s8) dense_s8, decltype(KernelSet::add_s8) add_s8,
    decltype(KernelSet::conv_s8) conv_s8, decltype(KernelSet::dense_s16) dense_s16 = ref::dense_s16,
    decltype(KernelSet::dense_s16x16) dense_s16x16 = ref::dense_s16x16,
    decltype(KernelSet::dense_s8_pairs) dense_s8_pairs = reference_dense_s8,
    decltype(KernelSet::conv_s8_pairs) conv_s8_pairs = nullptr) {
  return KernelSet{name,
                   ref::dense_f32,
                   ref::conv_f32,
                   ref::conv_transpose_f32,
                   ref::binary_f32,
                   ref::activation_f32,
                   ref::max_pool_f32,
                   ref::average_pool_f32,
                   ref::global_average_pool_f32,
                   dense_s8,
                   dense_s16,
                   dense_s16x16,
                   add_s8,
                   conv_s8,
                   portable::prelu_s8_tables,
                   portable::concat_s8_tables,
                   dense_s8_pairs,
                   conv_s8_pairs};
}

namespace kernels {
extern const KernelSet kReference;
#if defined(EDGEAE_HAVE_X86_KERNELS)
extern const KernelSet kSse41;
extern const KernelSet kAvx2;
extern const KernelSet kAvx512;
extern const KernelSet kAvx512Vnni;
#endif
#if defined(EDGEAE_HAVE_NEON_KERNELS)
extern const KernelSet kNeon;
#if defined(__aarch64__)
extern const KernelSet kNeonDot;
#endif
#endif
#if defined(EDGEAE_HAVE_CORTEXM_KERNELS) && defined(__ARM_FEATURE_DSP)
extern const KernelSet kArmDsp;  // kernels/cortexm/s8_dsp.cpp
#endif
#if defined(EDGEAE_HAVE_CORTEXM_KERNELS) && defined(__ARM_FEATURE_MVE)
extern const KernelSet kArmMve;  // kernels/cortexm/s8_mve.cpp
#endif
}  // namespace kernels

}  // namespace edgeae
