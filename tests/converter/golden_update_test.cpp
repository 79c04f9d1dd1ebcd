// The golden suite's files (tests/golden/): with EDGEAE_UPDATE_GOLDEN=1 this
// rewrites them from the current converter and the reference kernels;
// otherwise it checks that the converter still makes byte-identical blobs
// from the shipped models, so a change of quantization is a deliberate,
// reviewed regeneration.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

#include "blob/dsp_pairs.hpp"
#include "convert.hpp"
#include "edgeae/kernel_sets.hpp"
#include "edgeae/shape_rules.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"

namespace edgeae {
namespace {

convert::Precision precision_of(const std::string& p) {
  return p == "int16" || p == "int16x8" ? convert::Precision::kInt16
         : p == "mixed"                 ? convert::Precision::kMixed
                                        : convert::Precision::kInt8;
}

blob::Blob golden_blob(const testing::GoldenModel& g, const io::NpyArray& samples) {
  if (testing::is_float(g)) return convert::convert_onnx_file(testing::model_path(g.onnx));
  const blob::Blob f = convert::float_blob_for_quantization_file(testing::model_path(g.onnx));
  Model m;
  REQUIRE(m.load(f.bytes.data(), f.bytes.size()).ok());
  const size_t n = m.input(0).element_count();
  quant::QuantizeOptions o;
  o.int16_weights = std::string(g.precision) != "int16x8";
  return convert::convert_quantized(f, {samples.data.data(), samples.data.size() / n},
                                    precision_of(g.precision), o)
      .blob;
}

std::vector<uint8_t> reference_outputs(const blob::Blob& b, const testing::GoldenModel& g,
                                       const io::NpyArray& samples) {
  Model m;
  REQUIRE(m.load(b.bytes.data(), b.bytes.size()).ok());
  std::vector<uint8_t> arena(m.arena_bytes());
  Session s;
  REQUIRE(s.init(m, arena.data(), arena.size(), reference_kernels()).ok());
  const size_t in_n = m.input(0).element_count();
  const size_t out_bytes = m.tensor(m.output_tensor(0)).bytes;
  std::vector<uint8_t> out;
  for (unsigned i = 0; i < g.golden_inputs; ++i) {
    REQUIRE(s.set_input(0, samples.data.data() + i * in_n, in_n).ok());
    REQUIRE(s.run().ok());
    const auto* p = static_cast<const uint8_t*>(s.output_data(0));
    out.insert(out.end(), p, p + out_bytes);
  }
  return out;
}

TEST_CASE(
    "golden: the converter makes the committed blobs (EDGEAE_UPDATE_GOLDEN=1 rewrites them)") {
  const bool update = std::getenv("EDGEAE_UPDATE_GOLDEN") != nullptr;
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    const io::NpyArray samples = io::read_npy(testing::model_path(g.samples));
    const blob::Blob b = golden_blob(g, samples);
    const std::string blob_path = testing::golden_path(std::string(g.name) + ".eab");
    if (update) {
      const std::vector<uint8_t> out = reference_outputs(b, g, samples);
      io::write_file_atomic(blob_path, b.bytes.data(), b.bytes.size());
      io::write_file_atomic(testing::golden_path(std::string(g.name) + ".out"), out.data(),
                            out.size());
      MESSAGE("rewrote ", g.name);
    }
    CHECK(io::read_file(blob_path) == b.bytes);
    // Its DSP-pair blobs: the repacking of these bytes (outputs: the .out above).
    for (const testing::GoldenPairsBlob& pairs : testing::kGoldenPairsBlobs) {
      if (std::string(pairs.quads) != g.name) continue;
      CAPTURE(pairs.name);
      std::vector<uint8_t> repacked = b.bytes;
      CHECK(blob::repack_int8_dsp_pairs(repacked) > 0);
      const std::string pairs_path = testing::golden_path(std::string(pairs.name) + ".eab");
      if (update) {
        io::write_file_atomic(pairs_path, repacked.data(), repacked.size());
        MESSAGE("rewrote ", pairs.name);
      }
      CHECK(io::read_file(pairs_path) == repacked);
    }
  }
  // Every DSP-pair blob repacks a listed quad blob.
  for (const testing::GoldenPairsBlob& pairs : testing::kGoldenPairsBlobs) {
    CAPTURE(pairs.name);
    CHECK(testing::golden_model(pairs.quads) != nullptr);
  }
}

}  // namespace
}  // namespace edgeae

namespace edgeae {
namespace {

uint64_t total_macs(const std::vector<uint8_t>& bytes) {
  Model m;
  REQUIRE(m.load(bytes.data(), bytes.size()).ok());
  uint64_t macs = 0;
  for (uint32_t i = 0; i < m.op_count(); ++i) macs += op_macs(m, m.op(i));
  return macs;
}

TEST_CASE("op_macs: packed int8 and int16 blobs count the MACs of their float model") {
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(std::string(g.name));
    const blob::Blob f = convert::convert_onnx_file(testing::model_path(g.onnx));
    const uint64_t float_macs = total_macs(f.bytes);
    CHECK(float_macs > 0);
    CHECK(total_macs(io::read_file(testing::golden_path(std::string(g.name) + ".eab"))) ==
          float_macs);
  }
  // 64 -> 32 -> 16 -> 32 -> 64 dense layers, by hand.
  CHECK(total_macs(
            convert::convert_onnx_file(testing::model_path("digits_dae/digits_dae.onnx")).bytes) ==
        64 * 32 + 32 * 16 + 16 * 32 + 32 * 64);
}

}  // namespace
}  // namespace edgeae
