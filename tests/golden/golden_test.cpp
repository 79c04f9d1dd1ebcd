// Bit-exactness across targets: each committed quantized blob, run on its
// committed inputs with every kernel set this build has, gives exactly the
// committed output bytes (made by the x86 reference build); each float32
// blob, outputs within the suite's tolerance (golden_models.hpp).
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "edgeae/edgeae.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/golden_outputs.hpp"

namespace edgeae {
namespace {

TEST_CASE("golden: the models give the committed outputs with every kernel set") {
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    testing::check_committed_outputs(
        io::read_file(testing::golden_path(std::string(g.name) + ".eab")), g);
  }
}

TEST_CASE("golden: the DSP-pair blobs give their quad models' outputs with every kernel set") {
  for (const testing::GoldenPairsBlob& pairs : testing::kGoldenPairsBlobs) {
    CAPTURE(pairs.name);
    const testing::GoldenModel* g = testing::golden_model(pairs.quads);
    REQUIRE(g != nullptr);
    REQUIRE_FALSE(testing::is_float(*g));  // an integer model: its outputs compare exactly
    const std::vector<uint8_t> blob =
        io::read_file(testing::golden_path(std::string(pairs.name) + ".eab"));
    Model m;
    REQUIRE(m.load(blob.data(), blob.size()).ok());
    format::BlobHeader h;
    std::memcpy(&h, blob.data(), sizeof h);
    CHECK(h.version_minor == 3);
    // At least one layer in pairs (the blob is not a copy of the quads).
    uint32_t pair_layers = 0;
    for (uint32_t i = 0; i < m.op_count(); ++i) {
      const format::OpRecord& op = m.op(i);
      if (op.type == static_cast<uint16_t>(format::OpType::kDense))
        pair_layers += format::params_as<format::DenseParams>(op).b_packing == 2;
      else if (op.type == static_cast<uint16_t>(format::OpType::kConv) ||
               op.type == static_cast<uint16_t>(format::OpType::kConvTranspose))
        pair_layers += format::params_as<format::ConvParams>(op).w_packing == 2;
    }
    CHECK(pair_layers > 0);
    testing::check_committed_outputs(blob, *g);
  }
}

}  // namespace
}  // namespace edgeae
