// Bit-exactness across targets: each committed quantized blob, run on its
// committed inputs with every kernel set this build has, gives exactly the
// committed output bytes (made by the x86 reference build); each float32
// blob, outputs within the suite's tolerance (golden_models.hpp).
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"

namespace edgeae {
namespace {

// The blob gives golden model g's committed outputs (tests/golden/NAME.out)
// on its committed inputs with every kernel set of the build.
void check_committed_outputs(const std::vector<uint8_t>& blob, const testing::GoldenModel& g) {
  const std::vector<uint8_t> golden =
      io::read_file(testing::golden_path(std::string(g.name) + ".out"));
  const io::NpyArray inputs = io::read_npy(testing::model_path(g.samples));
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  const size_t in_n = m.input(0).element_count();
  const auto out_bytes = static_cast<size_t>(m.tensor(m.output_tensor(0)).bytes);
  REQUIRE(golden.size() == out_bytes * g.golden_inputs);
  REQUIRE(inputs.data.size() >= in_n * g.golden_inputs);
  for (size_t k = 0; k < kernel_set_count(); ++k) {
    const KernelSet* set = kernel_set(k);
    CAPTURE(kernel_set_name(set));
    std::vector<uint8_t> arena(m.arena_bytes());
    Session s;
    REQUIRE(s.init(m, arena.data(), arena.size(), set).ok());
    size_t mismatched = 0;
    for (unsigned i = 0; i < g.golden_inputs; ++i) {
      REQUIRE(s.set_input(0, inputs.data.data() + i * in_n, in_n).ok());
      REQUIRE(s.run().ok());
      mismatched +=
          !testing::outputs_agree(g, s.output_data(0), golden.data() + i * out_bytes, out_bytes);
    }
    CHECK(mismatched == 0);
  }
}

TEST_CASE("golden: the models give the committed outputs with every kernel set") {
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    check_committed_outputs(io::read_file(testing::golden_path(std::string(g.name) + ".eab")), g);
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
    check_committed_outputs(blob, *g);
  }
}

}  // namespace
}  // namespace edgeae
