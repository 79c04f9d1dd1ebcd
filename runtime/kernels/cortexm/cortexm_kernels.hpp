// Integer kernels for Cortex-M cores (bare-metal builds; the sets are chosen
// at compile time from the -mcpu flags, kernel_sets.cpp).
//
//   arm-dsp   int8 Dense and 1-D Conv with SXTB16/SMLAD (the DSP extension:
//             M4, M7, M33, M55), s8_dsp.cpp on quads, s8_dsp_pairs.cpp on
//             DSP column pairs; int16 Dense (16x8 and 16x16) with
//             SMLAD/SMLALD, s16_dsp.cpp
//   arm-mve   int8 Dense with Helium gathers and VMLADAVA (integer MVE:
//             M55, M85), s8_mve.cpp; int8 1-D Conv, s8_mve_conv.cpp; int8
//             Add/Sub, s8_mve_add.cpp
#pragma once

#include "kernels/kernel_set.hpp"

namespace edgeae::cortexm {

#if defined(__ARM_FEATURE_DSP)
void dense_s8_dsp(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y);
void dense_s16_dsp(const ref::DenseShape& s, const ref::RequantParams& q, const int16_t* a,
                   const int8_t* b, const int64_t* bias, int16_t* y);
void dense_s16x16_dsp(const ref::DenseShape& s, const ref::RequantParams& q, const int16_t* a,
                      const int16_t* b, const int64_t* bias, int16_t* y);
// int8 Conv (KernelSet::conv_s8), s8_dsp.cpp: KH = 1, undilated along W,
// the pixels read in place; false (the executor's gather) for other shapes
// and for ConvTranspose.
bool conv_s8_dsp(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                 const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                 int8_t* scratch, int8_t* y);
// The same two on weights in DSP column pairs (packing 2), s8_dsp_pairs.cpp.
void dense_s8_dsp_pairs(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                        const int8_t* b, const int32_t* bias, const int32_t* column_sums,
                        int8_t* y);
bool conv_s8_dsp_pairs(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                       const int8_t* x, const int8_t* w, const int32_t* bias,
                       const int32_t* column_sums, int8_t* scratch, int8_t* y);
#endif

#if defined(__ARM_FEATURE_MVE)
void dense_s8_mve(const ref::DenseShape& s, const ref::LayerQuant& q, const int8_t* a,
                  const int8_t* b, const int32_t* bias, const int32_t* column_sums, int8_t* y);
// int8 Conv (KernelSet::conv_s8), s8_mve_conv.cpp: KH = 1, undilated along
// W, KW * Cin <= 64, each output pixel's inputs read in place; false (the
// executor's gather) for other shapes and for ConvTranspose.
bool conv_s8_mve(const ref::ConvShape& s, bool transposed, const ref::LayerQuant& q,
                 const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t* column_sums,
                 int8_t* scratch, int8_t* y);
// int8 Add/Sub (KernelSet::add_s8) of same-shape operands, s8_mve_add.cpp.
void add_s8_mve(ref::BinaryOp op, const ref::BinaryShapes& s, const ref::AddQuant& q,
                const int8_t* a, const int8_t* b, int8_t* y);
#endif

}  // namespace edgeae::cortexm
