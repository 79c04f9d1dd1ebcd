// End to end: the shipped PyTorch-exported models, converted and run by
// edgeae in float32, against the outputs PyTorch saved when they were
// exported (max abs difference <= 1e-4).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "convert.hpp"
#include "edgeae/edgeae.hpp"
#include "io/npy.hpp"

namespace edgeae {
namespace {

struct Shipped {
  const char* onnx;
  const char* input;
  const char* torch_output;
};

double max_abs_difference(const Shipped& m) {
  const std::string root = std::string(EDGEAE_SOURCE_DIR) + "/models/";
  const blob::Blob blob = convert::convert_onnx_file(root + m.onnx);
  Model model;
  REQUIRE(model.load(blob.bytes.data(), blob.bytes.size()).ok());
  const io::NpyArray in = io::read_npy(root + m.input);
  const io::NpyArray expected = io::read_npy(root + m.torch_output);
  const size_t in_n = model.input(0).element_count(), out_n = model.output(0).element_count();
  REQUIRE(in.data.size() % in_n == 0);
  const size_t samples = in.data.size() / in_n;
  REQUIRE(expected.data.size() == samples * out_n);
  std::vector<uint8_t> arena(model.arena_bytes());
  Session s;
  REQUIRE(s.init(model, arena.data(), arena.size()).ok());
  std::vector<float> out(out_n);
  double worst = 0;
  for (size_t i = 0; i < samples; ++i) {
    REQUIRE(s.set_input(0, in.data.data() + i * in_n, in_n).ok());
    REQUIRE(s.run().ok());
    REQUIRE(s.get_output(0, out.data(), out_n).ok());
    for (size_t k = 0; k < out_n; ++k)
      worst =
          std::max(worst, std::fabs(static_cast<double>(out[k]) - expected.data[i * out_n + k]));
  }
  MESSAGE(std::string(m.onnx), ": ", samples, " samples, max |edgeae - PyTorch| = ", worst);
  return worst;
}

TEST_CASE("trained models: digits denoising autoencoder matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy",
                            "digits_dae/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE(
    "trained models: digits denoising autoencoder, masking noise, matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"digits_dae_masking/digits_dae_masking.onnx",
                            "digits_dae_masking/test_noisy.npy",
                            "digits_dae_masking/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE("trained models: sparse overcomplete autoencoder (L1) matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"digits_sparse/l1/digits_sparse_l1.onnx",
                            "digits_sparse/l1/test_noisy.npy",
                            "digits_sparse/l1/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE("trained models: sparse overcomplete autoencoder (KL) matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"digits_sparse/kl/digits_sparse_kl.onnx",
                            "digits_sparse/kl/test_noisy.npy",
                            "digits_sparse/kl/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE(
    "trained models: digits conv denoiser (BatchNorm, ConvTranspose) matches PyTorch within 1e-4") {
  CHECK(
      max_abs_difference({"digits_conv_dae/digits_conv_dae.onnx", "digits_conv_dae/test_noisy.npy",
                          "digits_conv_dae/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE("trained models: speech 1-D U-Net denoiser matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"speech_unet1d/speech_unet1d.onnx", "speech_unet1d/test_noisy.npy",
                            "speech_unet1d/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE(
    "trained models: conv2d autoencoder (BatchNorm, ConvTranspose) matches PyTorch within 1e-4") {
  CHECK(max_abs_difference({"conv2d_ae/conv2d_ae.onnx", "conv2d_ae/test_input.npy",
                            "conv2d_ae/test_torch_out.npy"}) <= 1e-4);
}

TEST_CASE(
    "trained models: 1-D U-Net denoiser (skips, MaxPool, Upsample) matches PyTorch within 1e-4") {
  CHECK(max_abs_difference(
            {"unet1d/unet1d.onnx", "unet1d/test_input.npy", "unet1d/test_torch_out.npy"}) <= 1e-4);
}

}  // namespace
}  // namespace edgeae
