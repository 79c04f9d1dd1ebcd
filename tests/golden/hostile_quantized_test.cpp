// Hostile quantized blobs: random byte changes anywhere in the records and
// constants of the committed golden blobs, with the checksum recomputed so
// they reach the validator. Each must either be rejected by the loader or,
// when it loads, run to completion on every kernel set (under the dev
// preset's AddressSanitizer and UndefinedBehaviorSanitizer: no overflow, no
// out-of-bounds access). This is what the loader's integer-parameter checks
// promise: no blob can make a kernel misbehave.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"

namespace edgeae {
namespace {

TEST_CASE("hostile quantized blobs: mutated records and parameters are rejected or run safely") {
  std::mt19937 rng(31337);
  size_t rejected = 0, loaded = 0;
  for (const char* name : {"digits_dae_int8", "digits_dae_int16", "unet1d_int8", "unet1d_mixed"}) {
    CAPTURE(std::string(name));
    const std::vector<uint8_t> good =
        io::read_file(testing::golden_path(std::string(name) + ".eab"));
    const size_t header = sizeof(format::BlobHeader);
    for (int trial = 0; trial < 150; ++trial) {
      std::vector<uint8_t> bytes = good;
      // 1 to 4 changes past the header: byte values, or small integer nudges
      // (off-by-one counts, shifts and zero points are the dangerous ones).
      const int changes = 1 + trial % 4;
      for (int c = 0; c < changes; ++c) {
        const size_t at =
            header + std::uniform_int_distribution<size_t>(0, good.size() - header - 1)(rng);
        bytes[at] = trial % 2 ? static_cast<uint8_t>(rng())
                              : static_cast<uint8_t>(bytes[at] + (rng() % 2 ? 1 : 255));
      }
      blob::reseal(bytes);
      Model m;
      if (!m.load(bytes.data(), bytes.size()).ok()) {
        ++rejected;
        continue;
      }
      ++loaded;
      for (size_t k = 0; k < kernel_set_count(); ++k) {
        std::vector<uint8_t> arena(m.arena_bytes() + 64);
        Session s;
        REQUIRE(s.init(m, arena.data(), m.arena_bytes(), kernel_set(k)).ok());
        std::vector<float> in(m.input(0).element_count(), 0.25f);
        if (m.input(0).dtype == format::DType::kFloat32 ||
            m.input(0).dtype == format::DType::kInt8 || m.input(0).dtype == format::DType::kInt16)
          (void)s.set_input(0, in.data(), in.size());
        CHECK(s.run().ok());
      }
    }
  }
  MESSAGE(rejected, " mutated blobs rejected, ", loaded, " loaded and ran on every kernel set");
  CHECK(rejected > 0);
}

}  // namespace
}  // namespace edgeae
