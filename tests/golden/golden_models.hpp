// The bit-exact golden suite: quantized blobs of the shipped models, the
// inputs they run on and the output bytes the reference build produced,
// committed under tests/golden/. Every build (x86 reference and each SIMD
// level, aarch64 with and without dot product, armv7) must reproduce the
// bytes exactly. tests/converter/golden_update_test.cpp regenerates them
// (EDGEAE_UPDATE_GOLDEN=1) and otherwise checks the converter still makes
// the same blobs.
#pragma once

#include <string>

namespace edgeae::testing {

struct GoldenModel {
  const char* name;        // tests/golden/<name>.eab and <name>.out
  const char* onnx;        // models/<onnx>
  const char* samples;     // models/<samples>: calibration data and inputs
  const char* precision;   // "int8", "int16" (16x16), "int16x8" or "mixed"
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
};

inline std::string golden_path(const std::string& file) {
  return std::string(EDGEAE_SOURCE_DIR) + "/tests/golden/" + file;
}
inline std::string model_path(const std::string& file) {
  return std::string(EDGEAE_SOURCE_DIR) + "/models/" + file;
}

}  // namespace edgeae::testing
