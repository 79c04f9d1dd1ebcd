// Where a blob's packed int8 layers keep their parameters, weights and column
// sums, as byte offsets into the blob, for tests that edit them (hostile
// blobs, layout changes) and then reseal the checksum.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "edgeae/edgeae.hpp"

namespace edgeae::testing {

struct PackedInt8Layer {
  uint32_t op = 0;         // op index
  bool dense = false;      // Dense (else Conv / ConvTranspose)
  size_t packing_at = 0;   // DenseParams::b_packing or ConvParams::w_packing
  size_t block_at = 0;     // DenseParams::b_block or ConvParams::w_block
  size_t weights_at = 0;   // the packed weights, [kp][n] bytes
  size_t sums_at = 0;      // n int32 column sums (the quant words' end)
  uint32_t k = 0, kp = 0;  // rows used, rows stored (round_up(k, 4))
  uint32_t n = 0, block = 0;
  int32_t packing = 0;  // 1 quads, 2 DSP pairs
  size_t offset(uint32_t r, uint32_t c) const {
    return weights_at + (packing == 2 ? format::paired_dense_offset(r, c, kp, n, block)
                                      : format::packed_dense_offset(r, c, kp, n, block));
  }
};

// The int8 Dense/Conv/ConvTranspose layers with packed weights of `blob`
// (which must load).
inline std::vector<PackedInt8Layer> packed_int8_layers(const std::vector<uint8_t>& blob) {
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  std::vector<PackedInt8Layer> layers;
  for (uint32_t i = 0; i < m.op_count(); ++i) {
    const format::OpRecord& op = m.op(i);
    if (m.tensor(op.output).dtype != static_cast<uint8_t>(format::DType::kInt8)) continue;
    const auto type = static_cast<format::OpType>(op.type);
    PackedInt8Layer l;
    l.op = i;
    l.dense = type == format::OpType::kDense;
    const size_t params =
        static_cast<size_t>(reinterpret_cast<const uint8_t*>(op.params) - blob.data());
    const format::TensorRecord& w = m.tensor(op.inputs[1]);
    const format::WeightLayout layout = format::weight_layout(op);
    l.packing = layout.packing;
    l.block = static_cast<uint32_t>(layout.block);
    if (l.dense) {
      l.packing_at = params + offsetof(format::DenseParams, b_packing);
      l.block_at = params + offsetof(format::DenseParams, b_block);
      l.k = m.tensor(op.inputs[0]).dims[1];
    } else if (type == format::OpType::kConv || type == format::OpType::kConvTranspose) {
      const auto p = format::params_as<format::ConvParams>(op);
      l.packing_at = params + offsetof(format::ConvParams, w_packing);
      l.block_at = params + offsetof(format::ConvParams, w_block);
      const format::TensorRecord& x = m.tensor(op.inputs[0]);
      l.k = static_cast<uint32_t>(p.kernel[0] * p.kernel[1]) * x.dims[x.rank - 1];
    } else {
      continue;
    }
    if (l.packing == 0) continue;
    l.kp = w.dims[0];
    l.n = w.dims[1];
    l.weights_at = static_cast<size_t>(m.constant_data(w) - blob.data());
    const format::TensorRecord& quant = m.tensor(op.quant);
    format::QuantLayer h;
    std::memcpy(&h, m.constant_data(quant), sizeof h);
    l.sums_at = static_cast<size_t>(m.constant_data(quant) - blob.data()) + sizeof h +
                2 * sizeof(int32_t) * static_cast<size_t>(h.count);
    layers.push_back(l);
  }
  return layers;
}

inline int32_t read_i32(const std::vector<uint8_t>& blob, size_t at) {
  int32_t v;
  std::memcpy(&v, blob.data() + at, 4);
  return v;
}
inline void write_i32(std::vector<uint8_t>& blob, size_t at, int32_t v) {
  std::memcpy(blob.data() + at, &v, 4);
}

}  // namespace edgeae::testing
