// edgeae runtime: run a converted encoder/decoder model (a .eab blob) from one
// caller-provided arena. No heap, no exceptions, no RTTI, no mutable globals.
//
//   #include "edgeae/edgeae.hpp"
//
//   alignas(16) static const uint8_t blob[] = { /* edgeae convert --emit-c */ };
//   alignas(16) static uint8_t arena[MODEL_ARENA_BYTES];   // size from the converter
//
//   int denoise(const float* noisy, float* clean) {
//     edgeae::Model model;
//     edgeae::Status s = model.load(blob, sizeof blob);  // validates everything once
//     if (!s.ok()) return -1;                            // s.message says what is wrong
//     edgeae::Session session;
//     s = session.init(model, arena, sizeof arena);      // arena too small -> error
//     if (!s.ok()) return -2;
//     const size_t n = model.input(0).element_count();
//     s = session.set_input(0, noisy, n);                 // float32, quantized if needed
//     if (!s.ok()) return -3;
//     s = session.run();                                 // no checks on the hot path
//     if (!s.ok()) return -4;
//     return session.get_output(0, clean, model.output(0).element_count()).ok() ? 0 : -5;
//   }
//
// Lifetimes: the blob must outlive the Model (weights are used in place, never
// copied) and the Model and arena must outlive the Session. A Model is
// immutable after load(), so sessions on one model may run in parallel
// threads, each with its own arena. The blob and arena must be 16-byte aligned.
// After run(), input tensors may have been overwritten (the planner reuses
// their bytes); outputs stay valid until the next run().
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "edgeae/blob_format.hpp"
#include "edgeae/kernel_sets.hpp"

struct eae_op_impl;  // edgeae.h: one op type on one data type

namespace edgeae {

// A table of op implementations (edgeae.h: EAE_OP_TABLE_SIZE entries).
using OpTable = const eae_op_impl* const*;
// Every op of this build: loading with it links every op's checks and kernels.
OpTable all_ops();

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,  // null pointer, index out of range, wrong element count
  kMisaligned,       // blob or arena not 16-byte aligned
  kTruncated,        // the blob is shorter than its header says
  kBadMagic,         // not an edgeae blob
  kUnsupportedVersion,
  kChecksumMismatch,  // CRC32 of the payload differs: corrupted blob
  kMalformed,         // a record, offset, shape or plan fails validation
  kUnsupported,       // valid blob, but an op/dtype this build cannot run
  kArenaTooSmall,
  kNotReady,  // model not loaded / session not initialized
};

// A status is a code, a short static message (never freed, never formatted)
// and, for blob errors, the index of the op or tensor at fault (kNoIndex
// otherwise).
struct Status {
  static constexpr uint32_t kNoIndex = 0xFFFFFFFFu;
  StatusCode code = StatusCode::kOk;
  const char* message = "ok";
  uint32_t index = kNoIndex;

  constexpr bool ok() const { return code == StatusCode::kOk; }
  static constexpr Status Ok() { return Status{}; }
};

// Describes one graph input or output.
struct TensorInfo {
  format::DType dtype = format::DType::kFloat32;
  uint32_t rank = 0;
  uint32_t dims[format::kMaxRank] = {};
  float scale = 0.0f;  // quantized tensors: real = scale * (q - zero_point)
  int32_t zero_point = 0;
  const char* name = "";  // "" when the blob carries no names

  size_t element_count() const {
    size_t n = 1;
    for (uint32_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  size_t byte_count() const { return element_count() * format::dtype_bytes(dtype); }
};

class Model {
 public:
  // Validates the whole blob (header, CRC32, every record, shapes against
  // each op's rules, def-before-use, and the memory plan); on error the
  // model stays unloaded. `bytes` may exceed the blob's size (e.g. a flash
  // region); it may not be shorter. `ops` are the op implementations the
  // model may use (edgeae.h); an op outside them is refused as kUnsupported.
  Status load(const void* blob, size_t bytes, OpTable ops = all_ops());

  bool loaded() const { return tensors_ != nullptr; }
  size_t arena_bytes() const;
  size_t input_count() const { return input_count_; }
  size_t output_count() const { return output_count_; }
  TensorInfo input(size_t i) const;  // default TensorInfo if i is out of range
  TensorInfo output(size_t i) const;

  // Read access to the validated records, for tools such as `edgeae inspect`.
  const format::BlobHeader& header() const { return *header_; }
  uint32_t tensor_count() const { return tensor_count_; }
  uint32_t op_count() const { return op_count_; }
  const format::TensorRecord& tensor(uint32_t id) const { return tensors_[id]; }
  const format::OpRecord& op(uint32_t i) const { return ops_[i]; }
  // Tensor ids of graph input / output i (i in range).
  uint32_t input_tensor(size_t i) const { return io_[i].tensor; }
  uint32_t output_tensor(size_t i) const { return io_[input_count_ + i].tensor; }
  const char* name_at(uint32_t offset) const;  // "" for kNone
  const uint8_t* constant_data(const format::TensorRecord& t) const {
    return constants_ + t.offset;
  }
  // The implementation `op` (one of this loaded model's) runs with.
  const eae_op_impl& impl_of(const format::OpRecord& op) const;

 private:
  friend class Session;
  TensorInfo info_of(const format::IoRecord& io) const;

  const format::BlobHeader* header_ = nullptr;
  const format::TensorRecord* tensors_ = nullptr;
  const format::OpRecord* ops_ = nullptr;
  const format::IoRecord* io_ = nullptr;
  const uint8_t* constants_ = nullptr;
  const char* strings_ = nullptr;
  OpTable op_impls_ = nullptr;
  uint64_t strings_bytes_ = 0;
  uint32_t tensor_count_ = 0;
  uint32_t op_count_ = 0;
  uint32_t input_count_ = 0;
  uint32_t output_count_ = 0;
};

class Session;
namespace detail {
void execute_op(const Session& session, const format::OpRecord& op);
}

class Session {
 public:
  // Binds a loaded model to an arena of at least model.arena_bytes() bytes.
  // `kernels` picks the kernel set (kernel_sets.hpp); null: the best this CPU
  // runs (bare metal: the set chosen at compile time, each op calling its
  // kernel directly, so that an image links only the kernels its ops use).
  Status init(const Model& model, void* arena, size_t arena_bytes,
              const KernelSet* kernels = nullptr);

  // Writes input i from float32 values (quantized at the boundary when the
  // tensor is int8/int16); `count` must equal the input's element count.
  Status set_input(size_t i, const float* values, size_t count);
  // Writes input i as raw bytes of its own dtype; `bytes` must match.
  Status set_input_raw(size_t i, const void* data, size_t bytes);

  Status run();
  // Runs ops [begin, end) only, for profilers (run() is run_ops(0, op_count)).
  Status run_ops(uint32_t begin, uint32_t end);

  // Reads output i as float32 (dequantized when quantized).
  Status get_output(size_t i, float* values, size_t count) const;
  // The output's bytes in the arena, valid until the next run(); null on a
  // bad index.
  const void* output_data(size_t i) const;

  // Where a tensor's data lives for this session (arena, blob, or its alias's
  // base). For tools and tests.
  const void* tensor_data(uint32_t tensor_id) const;

  const Model* model() const { return model_; }
  const KernelSet* kernels() const { return kernels_; }

 private:
  friend void detail::execute_op(const Session& session, const format::OpRecord& op);
  void* mutable_tensor_data(uint32_t tensor_id) const;

  const Model* model_ = nullptr;
  uint8_t* arena_ = nullptr;
  const KernelSet* kernels_ = nullptr;
};

// A short static description of a status code ("arena too small", ...).
const char* status_code_name(StatusCode code);

}  // namespace edgeae
