// The committed outputs of a golden model (tests/golden/NAME.out) from a
// blob: the same model, or one rewritten to give the same bytes (a DSP-pair
// repacking, a table of other op forms).
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "io/npy.hpp"

namespace edgeae::testing {

// The blob, loaded with `ops`, gives golden model g's outputs on its
// committed inputs with every kernel set of the build.
inline void check_committed_outputs(const std::vector<uint8_t>& blob, const GoldenModel& g,
                                    OpTable ops = all_ops()) {
  const std::vector<uint8_t> golden = io::read_file(golden_path(std::string(g.name) + ".out"));
  const io::NpyArray inputs = io::read_npy(model_path(g.samples));
  Model m;
  REQUIRE(m.load(blob.data(), blob.size(), ops).ok());
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
      mismatched += !outputs_agree(g, s.output_data(0), golden.data() + i * out_bytes, out_bytes);
    }
    CHECK(mismatched == 0);
  }
}

}  // namespace edgeae::testing
