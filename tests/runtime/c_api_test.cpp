#include <doctest/doctest.h>

#include "edgeae/edgeae.h"
#include "test_models.hpp"

extern "C" int edgeae_c_api_denoise(const void* blob, size_t blob_bytes, void* arena,
                                    size_t arena_bytes, const float* input, float* output,
                                    size_t count, const char** message);

namespace edgeae {
namespace {

TEST_CASE("C API: firmware-style use gives the C++ API's output") {
  const blob::Blob b = testing::dense_autoencoder(5);
  Model m = testing::load_or_fail(b);
  const auto input = testing::random_values(16, 6);
  const std::vector<float> expected = testing::run_model(m, input);
  std::vector<uint8_t> arena(static_cast<size_t>(b.arena_bytes));
  std::vector<float> output(16);
  const char* message = "";
  const int step = edgeae_c_api_denoise(b.bytes.data(), b.bytes.size(), arena.data(), arena.size(),
                                        input.data(), output.data(), 16, &message);
  CHECK_MESSAGE(step == 0, "failed at step ", step, ": ", message);
  CHECK(output == expected);
}

TEST_CASE("C API: a corrupted blob reports the loader's message") {
  const blob::Blob b = testing::dense_autoencoder(5);
  std::vector<uint8_t> bytes = b.bytes;
  bytes[bytes.size() / 2] ^= 0x10;
  eae_model model;
  CHECK(eae_model_load(&model, bytes.data(), bytes.size()) == EAE_CHECKSUM_MISMATCH);
  CHECK(std::string(eae_model_message(&model)).find("checksum") != std::string::npos);
  CHECK(eae_model_arena_bytes(&model) == 0);
}

}  // namespace
}  // namespace edgeae
