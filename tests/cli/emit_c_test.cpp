// --emit-c has two writers: converters/cli/emit_c.cpp (`edgeae convert
// --emit-c`) and firmware/embed.cmake (the firmware build, which has no host
// tool). Both must write the same NAME.h and NAME.c for every golden blob:
// the blob array, the arena constant and the op table, which the cmake
// script reads from the records on its own, so each checks the other.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/temp_dir.hpp"

namespace edgeae {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST_CASE("emit-c: the converter and the firmware build's embed.cmake write the same C") {
  const std::string root = EDGEAE_SOURCE_DIR;
  for (const testing::GoldenModel& g : testing::kGoldenModels) {
    CAPTURE(g.name);
    testing::TempDir dir;
    const std::string blob_path = testing::golden_path(std::string(g.name) + ".eab");
    const std::vector<uint8_t> blob = io::read_file(blob_path);
    Model m;
    REQUIRE(m.load(blob.data(), blob.size()).ok());
    const std::string cmd = "cmake -DNAME=" + std::string(g.name) + " -DBLOB=" + blob_path +
                            " -DGOLDEN=" + testing::golden_path(std::string(g.name) + ".out") +
                            " -DINPUTS=" + testing::model_path(g.samples) +
                            " -DSAMPLES=" + std::to_string(g.golden_inputs) +
                            " -DOUT_DIR=" + dir.file("") + " -DFORMAT_HEADER=" + root +
                            "/runtime/include/edgeae/blob_format.hpp -P " + root +
                            "/firmware/embed.cmake";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const auto files = cli::emit_c(g.name, blob, m.arena_bytes());
    REQUIRE(files.size() == 2);
    for (const auto& [name, text] : files) {
      CAPTURE(name);
      CHECK(text == read_text(dir.file(name)));
    }
    // The table names its ops (a Dense-only model would hold one entry).
    CHECK(files[1].second.find("_ops[EAE_OP_TABLE_SIZE] = {\n  [") != std::string::npos);
  }
}

}  // namespace
}  // namespace edgeae
