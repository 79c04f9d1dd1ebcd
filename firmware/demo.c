/* The firmware demo: one quantized denoiser linked in as a const C array
 * (in flash, used in place), one static arena of exactly the converter's
 * NAME_ARENA_BYTES, the C API only. Denoises the embedded sample inputs,
 * prints each result over the board's console, compares the output bytes
 * with the golden bytes the x86 reference computed for the same blob, and
 * returns 0 only when every output is identical (the board passes the
 * status to QEMU, and QEMU to ctest).
 *
 * The inputs are the float32 model inputs, quantized at the boundary by
 * eae_session_set_input_f32, exactly as the host golden test feeds them, so
 * the comparison also covers the input quantization. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "console.h"
#include "demo_data.h"
#include "demo_model.h"
#include "edgeae/edgeae.h"
#include "golden_compare.h"

#ifndef EDGEAE_BOARD_NAME
#define EDGEAE_BOARD_NAME "unknown board"
#endif

static eae_model model;
static eae_session session;
static EAE_ALIGNED uint8_t arena[DEMO_ARENA_BYTES];

/* v with three decimals, without printf's float support. */
static void put_fixed3(float v) {
  long milli = (long)(v * 1000.0f + (v < 0.0f ? -0.5f : 0.5f));
  if (milli < 0) {
    board_write("-");
    milli = -milli;
  }
  console_uint((unsigned long)(milli / 1000));
  board_write(".");
  const char digits[4] = {(char)('0' + milli / 100 % 10), (char)('0' + milli / 10 % 10),
                          (char)('0' + milli % 10), '\0'};
  board_write(digits);
}

/* v >= 0 as d.ddde-N (small differences), without printf's float support. */
static void put_scientific(float v) {
  int exponent = 0;
  if (v > 0.0f) {
    while (v < 1.0f) {
      v *= 10.0f;
      --exponent;
    }
    while (v >= 10.0f) {
      v /= 10.0f;
      ++exponent;
    }
  }
  put_fixed3(v);
  board_write("e");
  console_int(exponent);
}

static const char* dtype_name(eae_dtype t) {
  switch (t) {
    case EAE_FLOAT32:
      return "float32";
    case EAE_INT8:
      return "int8";
    case EAE_INT16:
      return "int16";
    case EAE_INT32:
      return "int32";
  }
  return "?";
}

static void put_info(const char* what, const eae_tensor_info* info) {
  board_write(what);
  board_write(" [");
  for (uint32_t d = 0; d < info->rank; ++d) {
    if (d) board_write(",");
    console_uint(info->dims[d]);
  }
  board_write("] ");
  board_write(dtype_name(info->dtype));
  if (info->dtype != EAE_FLOAT32) {
    board_write(" zero point ");
    console_int(info->zero_point);
  }
}

/* Output element k of the raw output bytes, dequantized (real value). */
static float output_value(const void* data, const eae_tensor_info* info, size_t k) {
  switch (info->dtype) {
    case EAE_INT8:
      return info->scale * (float)(((const int8_t*)data)[k] - info->zero_point);
    case EAE_INT16:
      return info->scale * (float)(((const int16_t*)data)[k] - info->zero_point);
    case EAE_FLOAT32: {
      float v;
      memcpy(&v, (const char*)data + 4 * k, sizeof v);
      return v;
    }
    case EAE_INT32:
      break;
  }
  return 0.0f;
}

static char shade(float v) {
  static const char ramp[] = " .:-=+*#%@";
  int i = (int)(v * 10.0f);
  if (i < 0) i = 0;
  if (i > 9) i = 9;
  return ramp[i];
}

/* An 8x8 image (the digits model): noisy input and denoised output side by side. */
static void show_image(const float* in, const void* out, const eae_tensor_info* info) {
  for (size_t r = 0; r < 8; ++r) {
    char line[32];
    size_t n = 0;
    line[n++] = ' ';
    line[n++] = ' ';
    for (size_t c = 0; c < 8; ++c) line[n++] = shade(in[r * 8 + c]);
    memcpy(line + n, "  ->  ", 6);
    n += 6;
    for (size_t c = 0; c < 8; ++c) line[n++] = shade(output_value(out, info, r * 8 + c));
    line[n++] = '\n';
    line[n] = '\0';
    board_write(line);
  }
}

/* A signal (the 1-D denoiser): its first values in and out. */
static void show_signal(const float* in, const void* out, const eae_tensor_info* info) {
  board_write("  in: ");
  for (size_t k = 0; k < 6; ++k) {
    put_fixed3(in[k]);
    board_write(" ");
  }
  board_write("...\n  out:");
  for (size_t k = 0; k < 6; ++k) {
    board_write(" ");
    put_fixed3(output_value(out, info, k));
  }
  board_write(" ...\n");
}

static int fail(const char* what, eae_status s, const char* message) {
  board_write("FAIL: ");
  board_write(what);
  board_write(": ");
  board_write(message ? message : "?");
  board_write("\n");
  return 10 + (int)s;
}

int main(void) {
  board_write("edgeae firmware demo: " DEMO_NAME " on " EDGEAE_BOARD_NAME "\n");
  eae_status s = eae_model_load_with(&model, DEMO_BLOB, DEMO_BLOB_BYTES, DEMO_OPS);
  if (s != EAE_OK) return fail("load", s, eae_model_message(&model));
  board_write("model: ");
  console_uint(DEMO_BLOB_BYTES);
  board_write(" bytes, used in place from flash; arena ");
  console_uint(sizeof arena);
  board_write(" bytes (blob header: ");
  console_uint(eae_model_arena_bytes(&model));
  board_write(")\n");
  if (eae_model_arena_bytes(&model) != DEMO_ARENA_BYTES)
    return fail("arena", EAE_ARENA_TOO_SMALL, "NAME_ARENA_BYTES differs from the blob");

  eae_tensor_info in_info, out_info;
  if ((s = eae_model_input_info(&model, 0, &in_info)) != EAE_OK ||
      (s = eae_model_output_info(&model, 0, &out_info)) != EAE_OK)
    return fail("tensor info", s, eae_model_message(&model));
  put_info("input", &in_info);
  board_write(" (set from float32)\n");
  put_info("output", &out_info);
  board_write("\n");

  s = eae_session_init(&session, &model, arena, sizeof arena);
  if (s != EAE_OK) return fail("session", s, eae_session_message(&session));

  const int is_float = out_info.dtype == EAE_FLOAT32;
  unsigned matched = 0;
  for (unsigned i = 0; i < DEMO_SAMPLES; ++i) {
    const float* in = demo_inputs.values + (size_t)i * DEMO_INPUT_VALUES;
    s = eae_session_set_input_f32(&session, 0, in, DEMO_INPUT_VALUES);
    if (s == EAE_OK) s = eae_session_run(&session);
    if (s != EAE_OK) return fail("run", s, eae_session_message(&session));
    const void* out = eae_session_output_data(&session, 0);
    const unsigned char* golden = demo_golden + (size_t)i * DEMO_OUTPUT_BYTES;
    float diff;
    const int same = golden_agrees(is_float, out, golden, DEMO_OUTPUT_BYTES, &diff);
    matched += (unsigned)same;
    board_write("sample ");
    console_uint(i);
    if (is_float) {
      board_write(same ? ": within tolerance of the x86 reference, max |difference| "
                       : ": OUTSIDE TOLERANCE of the x86 reference, max |difference| ");
      put_scientific(diff);
      board_write("\n");
    } else {
      board_write(same ? ": output bytes identical to the x86 reference\n"
                       : ": OUTPUT BYTES DIFFER from the x86 reference\n");
    }
    if (i >= 2) continue; /* show the first two results */
    if (DEMO_INPUT_VALUES == 64)
      show_image(in, out, &out_info);
    else
      show_signal(in, out, &out_info);
  }
  console_uint(matched);
  board_write("/");
  console_uint(DEMO_SAMPLES);
  board_write(is_float ? " outputs within tolerance; stack used "
                       : " outputs bit-exact; stack used ");
  console_uint(board_stack_used());
  board_write(" of ");
  console_uint(board_stack_size());
  board_write(" bytes\n");
  board_write(matched == DEMO_SAMPLES ? "PASS\n" : "FAIL\n");
  return matched == DEMO_SAMPLES ? 0 : 1;
}
