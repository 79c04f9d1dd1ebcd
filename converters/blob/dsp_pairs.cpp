#include "blob/dsp_pairs.hpp"

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae::blob {
namespace {

// Where a layer's weight packing and column block are in its params.
size_t packing_index(const format::OpRecord& op) {
  return static_cast<format::OpType>(op.type) == format::OpType::kDense
             ? offsetof(format::DenseParams, b_packing) / 4
             : offsetof(format::ConvParams, w_packing) / 4;
}
size_t block_index(const format::OpRecord& op) {
  return static_cast<format::OpType>(op.type) == format::OpType::kDense
             ? offsetof(format::DenseParams, b_block) / 4
             : offsetof(format::ConvParams, w_block) / 4;
}

// Column blocks of three pairs: each block is then one contiguous stream for
// the Cortex-M DSP kernel's widest tile (s8_dsp_pairs.cpp, 1 x 6).
constexpr uint32_t kPairBlock = 6;

}  // namespace

uint32_t repack_int8_dsp_pairs(std::vector<uint8_t>& original) {
  // The loaded original names the records; the edits go to a copy at the
  // same offsets, swapped in at the end (a refusal changes nothing).
  // (operator new storage: 16-byte aligned, as the loader wants.)
  Model m;
  const Status s = m.load(original.data(), original.size());
  if (!s.ok()) throw std::runtime_error(std::string("the blob does not load: ") + s.message);
  std::vector<uint8_t> blob = original;
  const auto offset_of = [&](const void* p) {
    return static_cast<size_t>(static_cast<const uint8_t*>(p) - original.data());
  };

  uint32_t repacked = 0;
  std::map<uint32_t, uint32_t> done;  // weight tensors rewritten -> their quads' block
  for (uint32_t i = 0; i < m.op_count(); ++i) {
    format::OpRecord op = m.op(i);
    const format::WeightLayout layout = format::weight_layout(op);
    if (m.tensor(op.output).dtype != static_cast<uint8_t>(format::DType::kInt8) ||
        layout.packing != 1)
      continue;
    const format::TensorRecord& w = m.tensor(op.inputs[1]);
    const uint32_t kp = w.dims[0], n = w.dims[1];
    const auto block = static_cast<uint32_t>(layout.block);
    if (!done.emplace(op.inputs[1], block).second) {
      // A weight tensor another layer repacked: it read the same quads.
      if (done.at(op.inputs[1]) != block)
        throw std::runtime_error("op " + std::to_string(i) +
                                 ": shares weights with a layer that reads them in other blocks");
    } else {
      const auto* quads = reinterpret_cast<const int8_t*>(m.constant_data(w));
      std::vector<int8_t> pairs(static_cast<size_t>(w.bytes));
      for (uint32_t c = 0; c < n; ++c)
        for (uint32_t k = 0; k < kp; ++k) {
          const int32_t v = quads[format::packed_dense_offset(k, c, kp, n, block)];
          const size_t to = format::paired_dense_offset(k, c, kp, n, kPairBlock);
          // An odd column of a pair borrows its partner's sign (the even
          // column came first in this loop: c - 1 was written).
          const bool odd = c % kPairBlock % 2 == 1;
          const int32_t stored = odd && pairs[to - 1] < 0 ? v - 1 : v;
          if (stored < -128)
            throw std::runtime_error("op " + std::to_string(i) +
                                     ": a weight of -128 in an odd column has no DSP-pair form");
          pairs[to] = static_cast<int8_t>(stored);
        }
      std::memcpy(blob.data() + offset_of(quads), pairs.data(), pairs.size());
    }
    op.params[packing_index(op)] = 2;
    op.params[block_index(op)] = static_cast<int32_t>(kPairBlock);
    std::memcpy(blob.data() + offset_of(&m.op(i)), &op, sizeof op);
    ++repacked;
  }
  if (repacked > 0) {
    format::BlobHeader h;
    std::memcpy(&h, blob.data(), sizeof h);
    if (h.version_minor < 3) h.version_minor = 3;
    std::memcpy(blob.data(), &h, sizeof h);
    reseal(blob);
    original.swap(blob);
  }
  return repacked;
}

}  // namespace edgeae::blob
