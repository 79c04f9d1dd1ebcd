#include "blob/dsp_pairs.hpp"

#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"

namespace edgeae::blob {
namespace {

// The packing field of an int8 layer's params (nullptr: not such a layer).
int32_t* packing_field(format::OpRecord& op, const Model& m) {
  if (m.tensor(op.output).dtype != static_cast<uint8_t>(format::DType::kInt8)) return nullptr;
  switch (static_cast<format::OpType>(op.type)) {
    case format::OpType::kDense:
      return op.params + offsetof(format::DenseParams, b_packing) / 4;
    case format::OpType::kConv:
    case format::OpType::kConvTranspose:
      return op.params + offsetof(format::ConvParams, w_packing) / 4;
    default:
      return nullptr;
  }
}

int32_t* block_field(format::OpRecord& op) {
  return static_cast<format::OpType>(op.type) == format::OpType::kDense
             ? op.params + offsetof(format::DenseParams, b_block) / 4
             : op.params + offsetof(format::ConvParams, w_block) / 4;
}

// Column blocks of three pairs: each block is then one contiguous stream for
// the Cortex-M DSP kernel's widest tile (s8_dsp_pairs.cpp, 1 x 6).
constexpr uint32_t kPairBlock = 6;

}  // namespace

uint32_t repack_int8_dsp_pairs(std::vector<uint8_t>& original) {
  std::vector<uint8_t> blob = original;  // edited, then swapped in: a refusal changes nothing
  // A loaded copy names the records; the edits go to `blob` at the same offsets.
  const size_t words = (blob.size() + 15) / 16;
  std::unique_ptr<uint64_t[]> aligned(new uint64_t[2 * words + 2]);
  auto* bytes = reinterpret_cast<uint8_t*>(aligned.get());
  bytes += (16 - reinterpret_cast<uintptr_t>(bytes) % 16) % 16;  // the loader's alignment
  std::memcpy(bytes, blob.data(), blob.size());
  Model m;
  const Status s = m.load(bytes, blob.size());
  if (!s.ok()) throw std::runtime_error(std::string("the blob does not load: ") + s.message);

  uint32_t repacked = 0;
  std::map<uint32_t, uint32_t> done;  // weight tensors rewritten -> their quads' block
  for (uint32_t i = 0; i < m.op_count(); ++i) {
    format::OpRecord op = m.op(i);
    int32_t* packing = packing_field(op, m);
    if (packing == nullptr || *packing != 1) continue;
    const format::TensorRecord& w = m.tensor(op.inputs[1]);
    const uint32_t kp = w.dims[0], n = w.dims[1];
    int32_t* block_param = block_field(op);
    const auto block = static_cast<uint32_t>(*block_param);
    if (!done.emplace(op.inputs[1], block).second) {
      // A weight tensor another layer repacked: it read the same quads.
      if (done.at(op.inputs[1]) != block)
        throw std::runtime_error("op " + std::to_string(i) +
                                 ": shares weights with a layer that reads them in other blocks");
    } else {
      const auto* quads = reinterpret_cast<const int8_t*>(m.constant_data(w));
      const size_t at = static_cast<size_t>(m.constant_data(w) - bytes);
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
      std::memcpy(blob.data() + at, pairs.data(), pairs.size());
    }
    *packing = 2;
    *block_param = static_cast<int32_t>(kPairBlock);
    const size_t record = static_cast<size_t>(reinterpret_cast<const uint8_t*>(&m.op(i)) - bytes);
    std::memcpy(blob.data() + record, &op, sizeof op);
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
