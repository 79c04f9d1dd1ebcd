/* edgeae C API: the same runtime for C firmware. No heap: the caller owns the
 * storage of the model and session objects (plain structs of opaque bytes).
 *
 *   #include "edgeae/edgeae.h"
 *   #include "denoiser.h"   // from `edgeae convert --emit-c denoiser`
 *
 *   static eae_model model;
 *   static eae_session session;
 *   static EAE_ALIGNED uint8_t arena[DENOISER_ARENA_BYTES];
 *
 *   int denoise(const float* noisy, float* clean, size_t n) {
 *     eae_status s = eae_model_load_with(&model, denoiser_blob, sizeof denoiser_blob,
 *                                        denoiser_ops);  // links only its ops
 *     if (s != EAE_OK) return (int)s;          // eae_model_message(&model) says why
 *     s = eae_session_init(&session, &model, arena, sizeof arena);
 *     if (s != EAE_OK) return (int)s;
 *     s = eae_session_set_input_f32(&session, 0, noisy, n);
 *     if (s == EAE_OK) s = eae_session_run(&session);
 *     if (s == EAE_OK) s = eae_session_get_output_f32(&session, 0, clean, n);
 *     return (int)s;
 *   }
 *
 * Every call returns a status; eae_model_message()/eae_session_message()
 * give the short static text of the last error on that object.
 */
#ifndef EDGEAE_EDGEAE_H
#define EDGEAE_EDGEAE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EAE_ALIGNED __attribute__((aligned(16)))

typedef enum eae_status {
  EAE_OK = 0,
  EAE_INVALID_ARGUMENT,
  EAE_MISALIGNED,
  EAE_TRUNCATED,
  EAE_BAD_MAGIC,
  EAE_UNSUPPORTED_VERSION,
  EAE_CHECKSUM_MISMATCH,
  EAE_MALFORMED,
  EAE_UNSUPPORTED,
  EAE_ARENA_TOO_SMALL,
  EAE_NOT_READY
} eae_status;

typedef enum eae_dtype { EAE_FLOAT32 = 1, EAE_INT8 = 2, EAE_INT16 = 3, EAE_INT32 = 4 } eae_dtype;

/* Opaque storage for edgeae::Model / edgeae::Session (sizes checked at compile time). */
typedef struct eae_model {
  EAE_ALIGNED unsigned char opaque[128];
} eae_model;
typedef struct eae_session {
  EAE_ALIGNED unsigned char opaque[64];
} eae_session;

typedef struct eae_tensor_info {
  eae_dtype dtype;
  uint32_t rank;
  uint32_t dims[6];
  float scale; /* quantized: real = scale * (q - zero_point) */
  int32_t zero_point;
  const char* name;
} eae_tensor_info;

/* Op implementations (checks and kernels of one op type on one data type).
 * A model loads with a table of them, EAE_OP_TABLE_SIZE entries indexed by
 * op type * EAE_OP_FORMS + form (0 float32, 1 int8, 2 int16), null where the
 * build leaves an op out. `edgeae convert --emit-c NAME` writes NAME_ops,
 * the table of exactly the ops NAME uses: firmware that loads with it links
 * only those ops' checks and kernels (with --gc-sections). A blob with an op
 * outside the table is refused as EAE_UNSUPPORTED. */
typedef struct eae_op_impl eae_op_impl;
#define EAE_OP_FORMS 3
#define EAE_OP_TYPES 20
#define EAE_OP_TABLE_SIZE (EAE_OP_TYPES * EAE_OP_FORMS)

/* Loads with every op of this build (links them all). */
eae_status eae_model_load(eae_model* model, const void* blob, size_t bytes);
/* Loads with the op table `ops` (e.g. NAME_ops of --emit-c). */
eae_status eae_model_load_with(eae_model* model, const void* blob, size_t bytes,
                               const eae_op_impl* const* ops);
const char* eae_model_message(const eae_model* model);
size_t eae_model_arena_bytes(const eae_model* model);
size_t eae_model_input_count(const eae_model* model);
size_t eae_model_output_count(const eae_model* model);
eae_status eae_model_input_info(const eae_model* model, size_t i, eae_tensor_info* info);
eae_status eae_model_output_info(const eae_model* model, size_t i, eae_tensor_info* info);

eae_status eae_session_init(eae_session* session, const eae_model* model, void* arena,
                            size_t arena_bytes);
const char* eae_session_message(const eae_session* session);
eae_status eae_session_set_input_f32(eae_session* session, size_t i, const float* values,
                                     size_t count);
eae_status eae_session_set_input_raw(eae_session* session, size_t i, const void* data,
                                     size_t bytes);
eae_status eae_session_run(eae_session* session);
eae_status eae_session_get_output_f32(eae_session* session, size_t i, float* values, size_t count);
const void* eae_session_output_data(const eae_session* session, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* EDGEAE_EDGEAE_H */
