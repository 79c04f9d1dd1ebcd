// An op implementation (edgeae.h: eae_op_impl): what one op type on one data
// type needs beyond the checks all ops share — its shape rule, the check of
// its integer parameters, and the code that runs it. The loader and the
// executor reach ops only through a table of these, so a firmware image whose
// table names only its model's ops links nothing else (op_impls.cpp defines
// them all; `edgeae convert --emit-c` writes a model's table).
#pragma once

#include "edgeae/edgeae.h"
#include "edgeae/shape_rules.hpp"

namespace edgeae::detail {
struct OpView;
}  // namespace edgeae::detail

struct eae_op_impl {
  // The output dims (the shared checks of infer_output ran first).
  edgeae::Status (*infer)(const edgeae::format::OpRecord& op,
                          const edgeae::format::TensorRecord* const* inputs, edgeae::Dims* out);
  // The quant tensor (constant, rank 1; null when the op takes none: then
  // the loader requires there is none). Called after infer accepted the op.
  edgeae::Status (*check_quant)(const edgeae::format::OpRecord& op,
                                const edgeae::format::TensorRecord* const* inputs,
                                const edgeae::format::TensorRecord& out,
                                const edgeae::format::TensorRecord& quant,
                                const edgeae::QuantConstants& data);
  void (*run)(const edgeae::detail::OpView& v, void* out);
};

namespace edgeae::detail {

static_assert(EAE_OP_TYPES == static_cast<int>(format::OpType::kCount), "edgeae.h op count");

// The form of an op's output data type: 0 float32, 1 int8, 2 int16;
// EAE_OP_FORMS for any other.
inline uint32_t op_form(uint8_t dtype) {
  switch (static_cast<format::DType>(dtype)) {
    case format::DType::kFloat32:
      return 0;
    case format::DType::kInt8:
      return 1;
    case format::DType::kInt16:
      return 2;
    default:
      return EAE_OP_FORMS;
  }
}

// The int8 Dense/Conv/ConvTranspose forms by the packings of their weights
// they run (bit p: packing p; blob_format.hpp): eae_op_<Op>_int8 runs
// unpacked and quad-packed weights, eae_op_<Op>_int8_pairs unpacked and DSP
// pairs, eae_op_<Op>_int8_any all (all_ops()). A model's table names the
// narrowest form its layers need, so that its image links one layout's
// kernels; the others' checks refuse at load what they cannot run.
template <int kPacking>
inline constexpr unsigned kPackingBit = 1u << kPacking;
inline constexpr unsigned kRunsQuads = kPackingBit<0> | kPackingBit<1>;
inline constexpr unsigned kRunsPairs = kPackingBit<0> | kPackingBit<2>;
inline constexpr unsigned kRunsAnyPacking = kRunsQuads | kRunsPairs;

inline uint32_t op_slot(uint16_t type, uint32_t form) {
  return uint32_t{type} * EAE_OP_FORMS + form;
}

}  // namespace edgeae::detail
