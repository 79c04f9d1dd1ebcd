// Host-side blob writer: describe a graph (inputs, constants, ops, views,
// outputs) and get a validated .eab blob. Output shapes come from the
// runtime's own shape rules (edgeae/shape_rules.hpp) and placement from the
// arena planner, so whatever build() returns, Model::load() accepts.
//
//   edgeae::blob::GraphBuilder g;
//   uint32_t x = g.input("x", {1, 64});
//   uint32_t w = g.constant("w", {16, 64}, weights);        // [N, K]
//   uint32_t y = g.dense(x, w, kNoId, /*trans_b=*/true, {Activation::kRelu});
//   g.output(y, "y");
//   edgeae::blob::Blob blob = g.build();                    // throws on a bad graph
//
// Errors (bad ids, shapes an op refuses) throw std::invalid_argument naming
// the op and the rule it broke.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "edgeae/blob_format.hpp"

namespace edgeae::blob {

using format::Activation;
using format::DType;
using format::kNoId;
using format::Layout;
using format::OpType;

struct ActivationDesc {
  Activation kind = Activation::kNone;
  float alpha = 0.0f;
  float beta = 0.0f;
  uint32_t slope = kNoId;  // constant tensor for kPRelu
};

struct OpDesc {
  OpType type = OpType::kRelu;
  std::vector<uint32_t> inputs;  // kNoId for an absent optional input
  ActivationDesc activation;
  int32_t params[16] = {};
  uint64_t scratch_bytes = 0;
  std::string name;
  Layout output_layout = Layout::kPlain;
  // Quantized ops: the int32 (or table) constant with the op's integer
  // parameters (format::QuantLayer, ...) and the output's quantization.
  uint32_t quant = kNoId;
  float out_scale = 0.0f;
  int32_t out_zero_point = 0;

  // Copies a parameter struct (format::ConvParams, ...) into params.
  template <typename P>
  OpDesc& with(const P& p);
};

struct Blob {
  std::vector<uint8_t> bytes;  // operator new storage: 16-byte aligned
  uint64_t arena_bytes = 0;
  uint64_t arena_lower_bound = 0;
};

// Arena placement alignment: a cache line, and what AVX-512 loads like.
inline constexpr uint64_t kArenaAlignment = 64;

class GraphBuilder {
 public:
  uint32_t input(const std::string& name, const std::vector<uint32_t>& dims,
                 DType dtype = DType::kFloat32, Layout layout = Layout::kPlain, float scale = 0.0f,
                 int32_t zero_point = 0);
  uint32_t constant(const std::string& name, const std::vector<uint32_t>& dims,
                    const std::vector<float>& values, Layout layout = Layout::kPlain);
  uint32_t constant_raw(const std::string& name, const std::vector<uint32_t>& dims, DType dtype,
                        const void* data, size_t bytes, float scale = 0.0f, int32_t zero_point = 0);
  // A view of `base` with other dims and no bytes of its own (Reshape/Flatten).
  uint32_t view(uint32_t base, const std::vector<uint32_t>& dims, const std::string& name = "");
  // Appends an op in execution order; returns its output tensor.
  uint32_t op(const OpDesc& desc);
  void output(uint32_t tensor, const std::string& name = "");

  // Shorthands for the common ops.
  uint32_t dense(uint32_t a, uint32_t b, uint32_t bias, bool trans_b, ActivationDesc act = {});
  uint32_t conv(uint32_t x, uint32_t w, uint32_t bias, const format::ConvParams& p,
                ActivationDesc act = {}, bool transposed = false);
  uint32_t unary(OpType type, uint32_t x, float alpha = 0.0f, float beta = 0.0f);
  uint32_t binary(OpType type, uint32_t a, uint32_t b, ActivationDesc act = {});

  const std::vector<uint32_t>& dims(uint32_t tensor) const;
  Blob build() const;

 private:
  struct Tensor {
    std::string name;
    DType dtype = DType::kFloat32;
    Layout layout = Layout::kPlain;
    format::Storage storage = format::Storage::kArena;
    std::vector<uint32_t> dims;
    std::vector<uint8_t> data;  // constants
    uint32_t alias_of = kNoId;
    float scale = 0.0f;
    int32_t zero_point = 0;
  };
  struct Io {
    uint32_t tensor;
    std::string name;
  };
  uint32_t add_tensor(Tensor t);
  void check_id(uint32_t id, const char* what) const;

  std::vector<Tensor> tensors_;
  std::vector<OpDesc> ops_;
  std::vector<uint32_t> op_outputs_;
  std::vector<Io> inputs_;
  std::vector<Io> outputs_;
};

// Recomputes the header CRC after a blob's bytes were edited (tests use it to
// build hostile blobs that get past the checksum).
void reseal(std::vector<uint8_t>& blob);

template <typename P>
OpDesc& OpDesc::with(const P& p) {
  static_assert(sizeof(P) <= sizeof(params), "parameter struct fits");
  std::memcpy(params, &p, sizeof p);
  return *this;
}

}  // namespace edgeae::blob
