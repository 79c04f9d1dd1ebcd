// --emit-c has two writers: converters/cli/emit_c.cpp (`edgeae convert
// --emit-c`) and firmware/embed.cmake (the firmware build, which has no host
// tool). Both must write the same NAME.h and NAME.c for every golden blob:
// the blob array, the arena constant and the op table, which the cmake
// script reads from the records on its own, so each checks the other.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "blob/dsp_pairs.hpp"
#include "blob/graph_builder.hpp"
#include "cli/commands.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/golden_outputs.hpp"
#include "support/int8_layer_edit.hpp"
#include "support/temp_dir.hpp"

namespace edgeae {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// NAME.h and NAME.c from both writers for the blob tests/golden/NAME.eab,
// embedded with the inputs and outputs of golden model g.
void check_writers_agree(const std::string& name, const testing::GoldenModel& g) {
  const std::string root = EDGEAE_SOURCE_DIR;
  CAPTURE(name);
  testing::TempDir dir;
  const std::string blob_path = testing::golden_path(name + ".eab");
  const std::vector<uint8_t> blob = io::read_file(blob_path);
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  const std::string cmd = "cmake -DNAME=" + name + " -DBLOB=" + blob_path +
                          " -DGOLDEN=" + testing::golden_path(std::string(g.name) + ".out") +
                          " -DINPUTS=" + testing::model_path(g.samples) +
                          " -DSAMPLES=" + std::to_string(g.golden_inputs) +
                          " -DOUT_DIR=" + dir.file("") + " -DFORMAT_HEADER=" + root +
                          "/runtime/include/edgeae/blob_format.hpp -P " + root +
                          "/firmware/embed.cmake";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto files = cli::emit_c(name, blob, m.arena_bytes());
  REQUIRE(files.size() == 2);
  for (const auto& [file, text] : files) {
    CAPTURE(file);
    CHECK(text == read_text(dir.file(file)));
  }
  // The table names its ops (a Dense-only model would hold one entry).
  CHECK(files[1].second.find("_ops[EAE_OP_TABLE_SIZE] = {\n  [") != std::string::npos);
}

TEST_CASE("emit-c: the converter and the firmware build's embed.cmake write the same C") {
  for (const testing::GoldenModel& g : testing::kGoldenModels) check_writers_agree(g.name, g);
  // The DSP-pair blobs: the tables' _pairs forms from both writers.
  for (const testing::GoldenPairsBlob& p : testing::kGoldenPairsBlobs) {
    const testing::GoldenModel* g = testing::golden_model(p.quads);
    REQUIRE(g != nullptr);
    check_writers_agree(p.name, *g);
  }
}

// The op table --emit-c writes for `blob`.
std::string emitted_table(const std::vector<uint8_t>& blob) {
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  const auto files = cli::emit_c("m", blob, m.arena_bytes());
  REQUIRE(files.size() == 2);
  const std::string& c = files[1].second;
  return c.substr(c.find("extern const eae_op_impl"));
}

bool names(const std::string& table, const std::string& symbol) {
  return table.find("&" + symbol + ",\n") != std::string::npos &&
         table.find("extern const eae_op_impl " + symbol + ";\n") != std::string::npos;
}

TEST_CASE("emit-c: an int8 layer's table entry names its weights' layout, _any for both") {
  const std::vector<uint8_t> quads = io::read_file(testing::golden_path("digits_dae_int8.eab"));
  const std::vector<uint8_t> pairs =
      io::read_file(testing::golden_path("digits_dae_int8_pairs.eab"));
  std::string t = emitted_table(quads);
  CHECK(names(t, "eae_op_Dense_int8"));
  CHECK(t.find("_pairs") == std::string::npos);
  t = emitted_table(pairs);
  CHECK(names(t, "eae_op_Dense_int8_pairs"));
  CHECK_FALSE(names(t, "eae_op_Dense_int8"));
  t = emitted_table(io::read_file(testing::golden_path("unet1d_int8_pairs.eab")));
  CHECK(names(t, "eae_op_Conv_int8_pairs"));
  CHECK_FALSE(names(t, "eae_op_Conv_int8"));
  std::vector<uint8_t> conv2d = io::read_file(testing::golden_path("conv2d_ae_int8.eab"));
  CHECK(names(emitted_table(conv2d), "eae_op_ConvTranspose_int8"));
  REQUIRE(blob::repack_int8_dsp_pairs(conv2d) > 0);
  t = emitted_table(conv2d);
  CHECK(names(t, "eae_op_Conv_int8_pairs"));
  CHECK(names(t, "eae_op_ConvTranspose_int8_pairs"));
  CHECK_FALSE(names(t, "eae_op_ConvTranspose_int8"));

  // The pairs blob with its first Dense put back in quads: both layouts.
  const std::vector<testing::PackedInt8Layer> q = testing::packed_int8_layers(quads);
  const std::vector<testing::PackedInt8Layer> p = testing::packed_int8_layers(pairs);
  REQUIRE(q.size() >= 2);
  REQUIRE(p.size() == q.size());
  std::vector<uint8_t> both = pairs;
  std::copy_n(quads.begin() + static_cast<std::ptrdiff_t>(q[0].weights_at),
              size_t{q[0].kp} * q[0].n,
              both.begin() + static_cast<std::ptrdiff_t>(p[0].weights_at));
  testing::write_i32(both, p[0].packing_at, 1);
  testing::write_i32(both, p[0].block_at, static_cast<int32_t>(q[0].block));
  blob::reseal(both);
  t = emitted_table(both);
  CHECK(names(t, "eae_op_Dense_int8_any"));
  CHECK_FALSE(names(t, "eae_op_Dense_int8_pairs"));
  // It runs with the full table (all_ops holds the _any forms), with the
  // quad model's outputs.
  const testing::GoldenModel* g = testing::golden_model("digits_dae_int8");
  REQUIRE(g != nullptr);
  testing::check_committed_outputs(both, *g);
}

}  // namespace
}  // namespace edgeae
