// blob::repack_int8_dsp_pairs (`--int8-layout dsp-pairs`): every golden blob
// repacked loads as format 1.3 with its int8 layers in DSP column pairs and
// gives its committed outputs on every kernel set; a blob without int8
// layers is left as it was; a weight the layout cannot hold is refused.
#include "blob/dsp_pairs.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/golden_outputs.hpp"
#include "support/int8_layer_edit.hpp"

namespace edgeae {
namespace {

uint16_t minor_version(const std::vector<uint8_t>& blob) {
  format::BlobHeader h;
  std::memcpy(&h, blob.data(), sizeof h);
  return h.version_minor;
}

TEST_CASE("dsp pairs: every golden blob repacked gives its committed outputs on every kernel set") {
  size_t repacked_models = 0;
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    const std::vector<uint8_t> quads =
        io::read_file(testing::golden_path(std::string(g.name) + ".eab"));
    const std::vector<testing::PackedInt8Layer> before = testing::packed_int8_layers(quads);
    std::vector<uint8_t> pairs = quads;
    const uint32_t repacked = blob::repack_int8_dsp_pairs(pairs);
    CHECK(repacked == before.size());
    if (before.empty()) {  // float32, int16: nothing to do, nothing changed
      CHECK(pairs == quads);
      continue;
    }
    ++repacked_models;
    CHECK(minor_version(pairs) == 3);
    CHECK(pairs.size() == quads.size());
    const std::vector<testing::PackedInt8Layer> after = testing::packed_int8_layers(pairs);
    REQUIRE(after.size() == before.size());
    for (size_t l = 0; l < after.size(); ++l) {
      CHECK(before[l].packing == 1);
      CHECK(after[l].packing == 2);
      // Same weights, in the other layout; same column sums.
      size_t differ = 0;
      for (uint32_t r = 0; r < after[l].kp; ++r)
        for (uint32_t c = 0; c < after[l].n; ++c) {
          const auto* qb = reinterpret_cast<const int8_t*>(quads.data() + before[l].weights_at);
          const auto* pb = reinterpret_cast<const int8_t*>(pairs.data() + after[l].weights_at);
          differ +=
              format::packed_dense_weight(qb, 1, r, c, before[l].kp, before[l].n,
                                          before[l].block) !=
              format::packed_dense_weight(pb, 2, r, c, after[l].kp, after[l].n, after[l].block);
        }
      CHECK(differ == 0);
    }
    // Outputs: the quad blob's, byte for byte, on every kernel set.
    testing::check_committed_outputs(pairs, g);
    // Repacking again finds nothing in quads and changes nothing.
    std::vector<uint8_t> again = pairs;
    CHECK(blob::repack_int8_dsp_pairs(again) == 0);
    CHECK(again == pairs);
  }
  CHECK(repacked_models >= 3);  // digits_dae, conv2d_ae and unet1d int8, unet1d mixed
}

TEST_CASE(
    "dsp pairs: a -128 weight in an odd column next to a negative one is refused, the blob "
    "unchanged") {
  std::vector<uint8_t> blob = io::read_file(testing::golden_path("digits_dae_int8.eab"));
  const std::vector<testing::PackedInt8Layer> layers = testing::packed_int8_layers(blob);
  REQUIRE(!layers.empty());
  // The last layer: the layers before it are repackable, and a refusal
  // must not leave them repacked.
  const testing::PackedInt8Layer& l = layers.back();
  REQUIRE(l.n >= 2);
  REQUIRE((l.block == 0 || l.block >= 2));
  // Quad weights (0, 0) = -5 and (0, 1) = -128, the column sums kept right:
  // a valid quad blob, whose column 1 has no DSP-pair form.
  const auto set_weight = [&](uint32_t c, int8_t v) {
    const auto old = static_cast<int8_t>(blob[l.offset(0, c)]);
    blob[l.offset(0, c)] = static_cast<uint8_t>(v);
    const size_t sum = l.sums_at + 4 * size_t{c};
    testing::write_i32(blob, sum, testing::read_i32(blob, sum) + v - old);
  };
  set_weight(0, -5);
  set_weight(1, -128);
  blob::reseal(blob);
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  const std::vector<uint8_t> before = blob;
  std::string message;
  try {
    blob::repack_int8_dsp_pairs(blob);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message.find("-128 in an odd column") != std::string::npos);
  CHECK(blob == before);
  // With a non-negative partner the same -128 has a form.
  blob = before;
  set_weight(0, 5);
  blob::reseal(blob);
  CHECK(blob::repack_int8_dsp_pairs(blob) == layers.size());
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  const testing::PackedInt8Layer p = testing::packed_int8_layers(blob).back();
  const auto* w = reinterpret_cast<const int8_t*>(blob.data() + p.weights_at);
  CHECK(format::packed_dense_weight(w, 2, 0, 1, p.kp, p.n, p.block) == -128);
  CHECK(format::packed_dense_weight(w, 2, 0, 0, p.kp, p.n, p.block) == 5);
}

}  // namespace
}  // namespace edgeae
