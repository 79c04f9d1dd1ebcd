/* Compiled as C: proves edgeae.h is a C header and exercises the C API the
 * way firmware would. Returns 0 on success, or the step that failed. */
#include <string.h>

#include "edgeae/edgeae.h"

int edgeae_c_api_denoise(const void* blob, size_t blob_bytes, void* arena, size_t arena_bytes,
                         const float* input, float* output, size_t count, const char** message) {
  static eae_model model;
  static eae_session session;
  eae_tensor_info info;
  eae_status s = eae_model_load(&model, blob, blob_bytes);
  *message = eae_model_message(&model);
  if (s != EAE_OK) return 1;
  if (eae_model_arena_bytes(&model) > arena_bytes) return 2;
  if (eae_model_input_info(&model, 0, &info) != EAE_OK || info.dtype != EAE_FLOAT32) return 3;
  if (eae_model_input_info(&model, 9, &info) != EAE_INVALID_ARGUMENT) return 4;
  s = eae_session_init(&session, &model, arena, arena_bytes);
  *message = eae_session_message(&session);
  if (s != EAE_OK) return 5;
  if (eae_session_set_input_f32(&session, 0, input, count + 1) != EAE_INVALID_ARGUMENT) return 6;
  if (strlen(eae_session_message(&session)) == 0) return 7;
  if (eae_session_set_input_f32(&session, 0, input, count) != EAE_OK) return 8;
  if (eae_session_run(&session) != EAE_OK) return 9;
  if (eae_session_get_output_f32(&session, 0, output, count) != EAE_OK) return 10;
  if (eae_session_output_data(&session, 0) == NULL) return 11;
  return 0;
}
