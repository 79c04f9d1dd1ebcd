#include <string.h>

#include "edgeae/edgeae.hpp"
#include "executor.hpp"
#include "record_access.hpp"
#include "status_message.hpp"

namespace edgeae {
namespace {

using format::DType;
using format::Storage;

Status invalid(const char* message) {
  return Status{StatusCode::kInvalidArgument, message, Status::kNoIndex};
}

// Round half away from zero, then clamp: the same integer on every target,
// since the division before it is exact IEEE arithmetic. (v + 0.5 truncated
// is floor(v + 0.5) for v >= 0, v - 0.5 truncated ceil(v - 0.5) below: no
// libm on a microcontroller. |v| is bounded first so the cast is defined.)
int32_t quantize(float x, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  const float v = x / scale;
  if (!(v == v)) return zero_point < lo ? lo : (zero_point > hi ? hi : zero_point);
  constexpr float kBeyond = 131072.0f;  // past every int16 value and zero point
  if (v >= kBeyond) return hi;
  if (v <= -kBeyond) return lo;
  const auto r = static_cast<int32_t>(v >= 0.0f ? v + 0.5f : v - 0.5f);
  const int32_t q = r + zero_point;
  return q < lo ? lo : (q > hi ? hi : q);
}

}  // namespace

Status Session::init(const Model& model, void* arena, size_t arena_bytes,
                     const KernelSet* kernels) {
  model_ = nullptr;
  arena_ = nullptr;
  kernels_ = nullptr;
  if (!model.loaded())
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("model is not loaded"), Status::kNoIndex};
  if (!arena && model.arena_bytes() > 0) return invalid(EDGEAE_MESSAGE("arena is null"));
  if (reinterpret_cast<uintptr_t>(arena) % format::kMemoryAlign != 0)
    return Status{StatusCode::kMisaligned, EDGEAE_MESSAGE("arena must be 16-byte aligned"),
                  Status::kNoIndex};
  if (arena_bytes < model.arena_bytes())
    return Status{StatusCode::kArenaTooSmall,
                  EDGEAE_MESSAGE("arena smaller than the model's arena_bytes()"), Status::kNoIndex};
  model_ = &model;
  arena_ = static_cast<uint8_t*>(arena);
#if defined(EDGEAE_STATIC_KERNELS)
  kernels_ = kernels;  // null: each op calls this build's kernels directly
#else
  kernels_ = kernels ? kernels : best_kernels();
#endif
  return Status::Ok();
}

void* Session::mutable_tensor_data(uint32_t id) const {
  const format::TensorRecord* t = &model_->tensors_[id];
  if (t->storage == static_cast<uint8_t>(Storage::kAlias)) t = &model_->tensors_[t->alias_of];
  if (t->storage == static_cast<uint8_t>(Storage::kArena)) return arena_ + t->offset;
  // Constants are never written; the const_cast only serves one accessor.
  return const_cast<uint8_t*>(model_->constants_ + t->offset);
}

const void* Session::tensor_data(uint32_t id) const {
  if (!model_ || id >= model_->tensor_count_) return nullptr;
  return mutable_tensor_data(id);
}

Status Session::set_input(size_t i, const float* values, size_t count) {
  if (!model_)
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("session is not initialized"),
                  Status::kNoIndex};
  if (i >= model_->input_count_) return invalid(EDGEAE_MESSAGE("input index out of range"));
  const format::TensorRecord& t = model_->tensors_[model_->io_[i].tensor];
  const size_t n = detail::element_count(t);
  if (!values || count != n)
    return invalid(EDGEAE_MESSAGE("input element count differs from the model's input"));
  void* dst = arena_ + t.offset;
  switch (static_cast<DType>(t.dtype)) {
    case DType::kFloat32:
      memcpy(dst, values, n * sizeof(float));
      break;
    case DType::kInt8: {
      auto* q = static_cast<int8_t*>(dst);
      for (size_t k = 0; k < n; ++k)
        q[k] = static_cast<int8_t>(quantize(values[k], t.scale, t.zero_point, -128, 127));
      break;
    }
    case DType::kInt16: {
      auto* q = static_cast<int16_t*>(dst);
      for (size_t k = 0; k < n; ++k)
        q[k] = static_cast<int16_t>(quantize(values[k], t.scale, t.zero_point, -32768, 32767));
      break;
    }
    case DType::kInt32:
    case DType::kInt64:
      return Status{StatusCode::kUnsupported,
                    EDGEAE_MESSAGE("int32/int64 inputs take raw values (set_input_raw)"),
                    Status::kNoIndex};
  }
  return Status::Ok();
}

Status Session::set_input_raw(size_t i, const void* data, size_t bytes) {
  if (!model_)
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("session is not initialized"),
                  Status::kNoIndex};
  if (i >= model_->input_count_) return invalid(EDGEAE_MESSAGE("input index out of range"));
  const format::TensorRecord& t = model_->tensors_[model_->io_[i].tensor];
  if (!data || bytes != t.bytes)
    return invalid(EDGEAE_MESSAGE("input byte count differs from the model's input"));
  memcpy(arena_ + t.offset, data, bytes);
  return Status::Ok();
}

Status Session::run() {
  if (!model_)
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("session is not initialized"),
                  Status::kNoIndex};
  for (uint32_t i = 0; i < model_->op_count_; ++i) detail::execute_op(*this, model_->ops_[i]);
  return Status::Ok();
}

Status Session::run_ops(uint32_t begin, uint32_t end) {
  if (!model_)
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("session is not initialized"),
                  Status::kNoIndex};
  if (begin > end || end > model_->op_count_)
    return invalid(EDGEAE_MESSAGE("op range out of bounds"));
  for (uint32_t i = begin; i < end; ++i) detail::execute_op(*this, model_->ops_[i]);
  return Status::Ok();
}

Status Session::get_output(size_t i, float* values, size_t count) const {
  if (!model_)
    return Status{StatusCode::kNotReady, EDGEAE_MESSAGE("session is not initialized"),
                  Status::kNoIndex};
  if (i >= model_->output_count_) return invalid(EDGEAE_MESSAGE("output index out of range"));
  const uint32_t id = model_->io_[model_->input_count_ + i].tensor;
  const format::TensorRecord& t = model_->tensors_[id];
  const size_t n = detail::element_count(t);
  if (!values || count != n)
    return invalid(EDGEAE_MESSAGE("output element count differs from the model's output"));
  const void* src = tensor_data(id);
  switch (static_cast<DType>(t.dtype)) {
    case DType::kFloat32:
      memcpy(values, src, n * sizeof(float));
      break;
    case DType::kInt8:
      for (size_t k = 0; k < n; ++k)
        values[k] = t.scale * static_cast<float>(static_cast<const int8_t*>(src)[k] - t.zero_point);
      break;
    case DType::kInt16:
      for (size_t k = 0; k < n; ++k)
        values[k] =
            t.scale * static_cast<float>(static_cast<const int16_t*>(src)[k] - t.zero_point);
      break;
    case DType::kInt32:
    case DType::kInt64:
      return Status{StatusCode::kUnsupported,
                    EDGEAE_MESSAGE("int32/int64 outputs are read raw (output_data)"),
                    Status::kNoIndex};
  }
  return Status::Ok();
}

const void* Session::output_data(size_t i) const {
  if (!model_ || i >= model_->output_count_) return nullptr;
  return tensor_data(model_->io_[model_->input_count_ + i].tensor);
}

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kMisaligned:
      return "misaligned";
    case StatusCode::kTruncated:
      return "truncated blob";
    case StatusCode::kBadMagic:
      return "not an edgeae blob";
    case StatusCode::kUnsupportedVersion:
      return "unsupported blob version";
    case StatusCode::kChecksumMismatch:
      return "checksum mismatch";
    case StatusCode::kMalformed:
      return "malformed blob";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kArenaTooSmall:
      return "arena too small";
    case StatusCode::kNotReady:
      return "not ready";
  }
  return "unknown status";
}

}  // namespace edgeae
