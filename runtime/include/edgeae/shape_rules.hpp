// Shape rules of every op: the one place that says what output an op makes of
// its inputs and parameters, and what it refuses. The runtime's loader checks
// every op of a blob with them; the host-side writer uses them to fill in
// output shapes, so a blob the writer builds is one the loader accepts.
#pragma once

#include "edgeae/blob_format.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae {

struct Dims {
  uint32_t rank = 0;
  uint32_t d[format::kMaxRank] = {};
};

// The ONNX op name for an OpType ("Gemm", "Conv", ...), or "?" if invalid.
const char* op_type_name(format::OpType type);

// The activation a standalone activation op computes and carries in its
// record (Relu -> kRelu, ...); kNone for every other op.
format::Activation own_activation(format::OpType type);

// Expected output dtype and dims of `op`, given its input tensor records
// (`inputs[i]` is null where op.inputs[i] is kNone) and, for a fused PRelu,
// the slope tensor record (null otherwise). Checks parameters, input counts,
// dtypes and shape compatibility; returns kMalformed/kUnsupported with a
// static message on any violation.
Status infer_output(const format::OpRecord& op, const format::TensorRecord* const* inputs,
                    const format::TensorRecord* slope, format::DType* out_dtype, Dims* out_dims);
// The same with an op table (edgeae.h), as the loader checks: an op the
// table leaves out is kUnsupported; `impl` gets the op's implementation.
Status infer_output(OpTable ops, const format::OpRecord& op,
                    const format::TensorRecord* const* inputs, const format::TensorRecord* slope,
                    const eae_op_impl** impl, format::DType* out_dtype, Dims* out_dims);

// The integer parameters of a quantized op (OpRecord.quant, laid out as
// blob_format.hpp says): present exactly when the op needs them, zero points
// that agree with the tensor records, clamps inside the data type, and
// shifts, multipliers and accumulator bounds (bias included) inside what the
// integer kernels are proven for, and a quad-packed Gemm's column sums equal
// to its weights'. `quant` is null for kNoId; `quant_data`, `weight_data`
// and `bias_data` (null when absent or not a layer) point at the constants.
// Call after infer_output accepted the op.
struct QuantConstants {
  const void* quant = nullptr;
  const void* weights = nullptr;
  const void* bias = nullptr;
};
Status check_quant(const format::OpRecord& op, const format::TensorRecord* const* inputs,
                   const format::TensorRecord& out, const format::TensorRecord* quant,
                   const QuantConstants& data);
// The same for the implementation infer_output found.
Status check_quant(const eae_op_impl& impl, const format::OpRecord& op,
                   const format::TensorRecord* const* inputs, const format::TensorRecord& out,
                   const format::TensorRecord* quant, const QuantConstants& data);

// Multiply-accumulates of a Dense, Conv or ConvTranspose op of a loaded
// model, from its parameters and activation shapes (so any weight layout,
// packed int8 included), 0 for every other op. For tools: inspect, bench and
// the firmware's instructions-per-MAC figures count the same way.
uint64_t op_macs(const Model& model, const format::OpRecord& op);

// The slot of an op table (edgeae.h) that runs an op of `type` with output
// `dtype`, or EAE_OP_TABLE_SIZE if there is none.
uint32_t op_table_slot(uint16_t type, format::DType dtype);

// Dims of a tensor record as a Dims value.
Dims dims_of(const format::TensorRecord& t);

// Output extent of a conv/pool window along one axis, or 0 if the window does
// not fit: floor (or ceil) of (in + pads - dilation*(k-1) - 1) / stride, + 1.
uint32_t window_output_size(uint32_t in, int32_t kernel, int32_t stride, int32_t pad_begin,
                            int32_t pad_end, int32_t dilation, bool ceil_mode);

// Output extent of a transposed conv along one axis, or 0 if not positive.
uint32_t transposed_output_size(uint32_t in, int32_t kernel, int32_t stride, int32_t pad_begin,
                                int32_t pad_end, int32_t dilation, int32_t output_padding);

}  // namespace edgeae
