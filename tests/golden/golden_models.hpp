// The bit-exact golden suite: quantized blobs of the shipped models, the
// inputs they run on and the output bytes the reference build produced,
// committed under tests/golden/. Every build (x86 reference and each SIMD
// level, aarch64 with and without dot product, armv7, the Cortex-M boards)
// must reproduce the bytes exactly; float32 blobs of two of the models,
// within a tolerance. tests/converter/golden_update_test.cpp regenerates them
// (EDGEAE_UPDATE_GOLDEN=1) and otherwise checks the converter still makes
// the same blobs.
#pragma once

#include <cmath>
#include <cstring>
#include <string>

namespace edgeae::testing {

struct GoldenModel {
  const char* name;        // tests/golden/<name>.eab and <name>.out
  const char* onnx;        // models/<onnx>
  const char* samples;     // models/<samples>: calibration data and inputs
  const char* precision;   // "int8", "int16" (16x16), "int16x8", "mixed" or "float32"
  unsigned golden_inputs;  // the first samples that are run and recorded
};

inline constexpr GoldenModel kGoldenModels[] = {
    {"digits_dae_int8", "digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy", "int8", 8},
    {"digits_dae_int16", "digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy", "int16", 8},
    {"digits_dae_int16x8", "digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy", "int16x8", 8},
    {"conv2d_ae_int8", "conv2d_ae/conv2d_ae.onnx", "conv2d_ae/test_input.npy", "int8", 4},
    {"conv2d_ae_int16", "conv2d_ae/conv2d_ae.onnx", "conv2d_ae/test_input.npy", "int16", 4},
    {"conv2d_ae_int16x8", "conv2d_ae/conv2d_ae.onnx", "conv2d_ae/test_input.npy", "int16x8", 4},
    {"unet1d_int8", "unet1d/unet1d.onnx", "unet1d/test_input.npy", "int8", 4},
    {"unet1d_int16", "unet1d/unet1d.onnx", "unet1d/test_input.npy", "int16", 4},
    {"unet1d_int16x8", "unet1d/unet1d.onnx", "unet1d/test_input.npy", "int16x8", 4},
    {"unet1d_mixed", "unet1d/unet1d.onnx", "unet1d/test_input.npy", "mixed", 4},
    // float32 (`edgeae convert` as is), for the firmware demos' float runs.
    {"digits_dae_f32", "digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy", "float32", 8},
    {"unet1d_f32", "unet1d/unet1d.onnx", "unet1d/test_input.npy", "float32", 4},
};

// int8 blobs with their weights in DSP column pairs (format 1.3, packing 2),
// for the Cortex-M DSP kernels: each the repacking (blob::
// repack_int8_dsp_pairs) of a quad blob above, whose inputs and .out it
// shares (same outputs, byte for byte). golden_update_test.cpp writes them
// with the quad blobs and checks that they are that repacking.
struct GoldenPairsBlob {
  const char* name;   // tests/golden/<name>.eab
  const char* quads;  // the GoldenModel it repacks
};

inline constexpr GoldenPairsBlob kGoldenPairsBlobs[] = {
    {"digits_dae_int8_pairs", "digits_dae_int8"},
    {"unet1d_int8_pairs", "unet1d_int8"},
};

// The golden model named `name` (nullptr: none).
inline const GoldenModel* golden_model(const std::string& name) {
  for (const GoldenModel& g : kGoldenModels)
    if (name == g.name) return &g;
  return nullptr;
}

inline bool is_float(const GoldenModel& g) {
  return std::string(g.precision) == "float32";
}

// Integer outputs must equal the golden bytes. Float32 ones may differ in
// their last bits between kernel sets and compilers (fused multiply-adds,
// summation order, libm), so they agree within |got - want| <= 1e-4 * (1 +
// |want|) — the tolerance firmware/golden_compare.h applies on the boards.
inline bool outputs_agree(const GoldenModel& g, const void* got, const void* want, size_t bytes) {
  if (!is_float(g)) return std::memcmp(got, want, bytes) == 0;
  for (size_t k = 0; k + 4 <= bytes; k += 4) {
    float a, b;
    std::memcpy(&a, static_cast<const char*>(got) + k, 4);
    std::memcpy(&b, static_cast<const char*>(want) + k, 4);
    if (!(std::fabs(a - b) <= 1e-4f * (1.0f + std::fabs(b)))) return false;
  }
  return true;
}

inline std::string golden_path(const std::string& file) {
  return std::string(EDGEAE_SOURCE_DIR) + "/tests/golden/" + file;
}
inline std::string model_path(const std::string& file) {
  return std::string(EDGEAE_SOURCE_DIR) + "/models/" + file;
}

}  // namespace edgeae::testing
