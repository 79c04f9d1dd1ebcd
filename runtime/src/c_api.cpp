// The C API: thin wrappers that keep a C++ Model/Session and the message of
// the last error inside the caller's opaque storage.
#include <new>

#include "edgeae/edgeae.h"
#include "edgeae/edgeae.hpp"

namespace {

struct ModelBox {
  edgeae::Model model;
  const char* message;
};
struct SessionBox {
  edgeae::Session session;
  const char* message;
};
static_assert(sizeof(ModelBox) <= sizeof(eae_model::opaque), "eae_model storage too small");
static_assert(sizeof(SessionBox) <= sizeof(eae_session::opaque), "eae_session storage too small");
static_assert(alignof(ModelBox) <= 16 && alignof(SessionBox) <= 16, "opaque storage alignment");
static_assert(static_cast<int>(edgeae::StatusCode::kNotReady) == EAE_NOT_READY,
              "status codes match");

// The boxes live in caller storage, constructed there in place at load/init.
const ModelBox* box(const eae_model* m) {
  return std::launder(reinterpret_cast<const ModelBox*>(m->opaque));
}
SessionBox* box(eae_session* s) {
  return std::launder(reinterpret_cast<SessionBox*>(s->opaque));
}
const SessionBox* box(const eae_session* s) {
  return std::launder(reinterpret_cast<const SessionBox*>(s->opaque));
}

eae_status record(const char** slot, edgeae::Status s) {
  *slot = s.message;
  return static_cast<eae_status>(s.code);
}

// (Not inlined: one copy for the input and output queries, for small flash.)
__attribute__((noinline)) eae_status fill(const edgeae::TensorInfo& t, size_t i, size_t count,
                                          eae_tensor_info* info) {
  if (!info || i >= count) return EAE_INVALID_ARGUMENT;
  info->dtype = static_cast<eae_dtype>(t.dtype);
  info->rank = t.rank;
  for (int k = 0; k < 6; ++k) info->dims[k] = t.dims[k];
  info->scale = t.scale;
  info->zero_point = t.zero_point;
  info->name = t.name;
  return EAE_OK;
}

}  // namespace

extern "C" {

eae_status eae_model_load_with(eae_model* model, const void* blob, size_t bytes,
                               const eae_op_impl* const* ops) {
  if (!model) return EAE_INVALID_ARGUMENT;
  ModelBox* b = new (model->opaque) ModelBox{edgeae::Model{}, "ok"};
  return record(&b->message, b->model.load(blob, bytes, ops));
}

eae_status eae_model_load(eae_model* model, const void* blob, size_t bytes) {
  return eae_model_load_with(model, blob, bytes, edgeae::all_ops());
}

const char* eae_model_message(const eae_model* model) {
  return model ? box(model)->message : "model is null";
}

size_t eae_model_arena_bytes(const eae_model* model) {
  return model ? box(model)->model.arena_bytes() : 0;
}
size_t eae_model_input_count(const eae_model* model) {
  return model ? box(model)->model.input_count() : 0;
}
size_t eae_model_output_count(const eae_model* model) {
  return model ? box(model)->model.output_count() : 0;
}

eae_status eae_model_input_info(const eae_model* model, size_t i, eae_tensor_info* info) {
  if (!model) return EAE_INVALID_ARGUMENT;
  const edgeae::Model& m = box(model)->model;
  return fill(m.input(i), i, m.input_count(), info);
}

eae_status eae_model_output_info(const eae_model* model, size_t i, eae_tensor_info* info) {
  if (!model) return EAE_INVALID_ARGUMENT;
  const edgeae::Model& m = box(model)->model;
  return fill(m.output(i), i, m.output_count(), info);
}

eae_status eae_session_init(eae_session* session, const eae_model* model, void* arena,
                            size_t arena_bytes) {
  if (!session || !model) return EAE_INVALID_ARGUMENT;
  SessionBox* b = new (session->opaque) SessionBox{edgeae::Session{}, "ok"};
  return record(&b->message, b->session.init(box(model)->model, arena, arena_bytes));
}

const char* eae_session_message(const eae_session* session) {
  return session ? box(session)->message : "session is null";
}

eae_status eae_session_set_input_f32(eae_session* session, size_t i, const float* values,
                                     size_t count) {
  if (!session) return EAE_INVALID_ARGUMENT;
  SessionBox* b = box(session);
  return record(&b->message, b->session.set_input(i, values, count));
}

eae_status eae_session_set_input_raw(eae_session* session, size_t i, const void* data,
                                     size_t bytes) {
  if (!session) return EAE_INVALID_ARGUMENT;
  SessionBox* b = box(session);
  return record(&b->message, b->session.set_input_raw(i, data, bytes));
}

eae_status eae_session_run(eae_session* session) {
  if (!session) return EAE_INVALID_ARGUMENT;
  SessionBox* b = box(session);
  return record(&b->message, b->session.run());
}

eae_status eae_session_get_output_f32(eae_session* session, size_t i, float* values, size_t count) {
  if (!session) return EAE_INVALID_ARGUMENT;
  SessionBox* b = box(session);
  return record(&b->message, b->session.get_output(i, values, count));
}

const void* eae_session_output_data(const eae_session* session, size_t i) {
  return session ? box(session)->session.output_data(i) : nullptr;
}

}  // extern "C"
