// Hostile quantized blobs: random byte changes anywhere in the records and
// constants of the committed golden blobs, with the checksum recomputed so
// they reach the validator. Each must either be rejected by the loader or,
// when it loads, run to completion on every kernel set (under the dev
// preset's AddressSanitizer and UndefinedBehaviorSanitizer: no overflow, no
// out-of-bounds access). This is what the loader's integer-parameter checks
// promise: no blob can make a kernel misbehave.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "blob/graph_builder.hpp"
#include "edgeae/edgeae.hpp"
#include "edgeae/kernel_sets.hpp"
#include "golden/golden_models.hpp"
#include "io/atomic_file.hpp"
#include "support/int8_layer_edit.hpp"

namespace edgeae {
namespace {

TEST_CASE("hostile quantized blobs: mutated records and parameters are rejected or run safely") {
  std::mt19937 rng(31337);
  size_t rejected = 0, loaded = 0;
  for (const char* name : {"digits_dae_int8", "digits_dae_int16", "unet1d_int8", "unet1d_mixed",
                           "digits_dae_int8_pairs", "unet1d_int8_pairs"}) {
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

// The loader's answer to `blob` resealed: kMalformed at op `op`, its message
// containing `part`.
void check_malformed(std::vector<uint8_t> blob, uint32_t op, const char* part) {
  blob::reseal(blob);
  Model m;
  const Status st = m.load(blob.data(), blob.size());
  CAPTURE(st.message);
  CHECK(st.code == StatusCode::kMalformed);
  CHECK(st.index == op);
  CHECK(std::string(st.message).find(part) != std::string::npos);
  CHECK_FALSE(m.loaded());
}

// Column c's sum recomputed from its decoded weights (what a careful
// forger of the layer would write).
void fix_column_sum(std::vector<uint8_t>& blob, const testing::PackedInt8Layer& l, uint32_t c) {
  const auto* w = reinterpret_cast<const int8_t*>(blob.data() + l.weights_at);
  int32_t sum = 0;
  for (uint32_t r = 0; r < l.kp; ++r)
    sum += format::packed_dense_weight(w, l.packing, r, c, l.kp, l.n, l.block);
  testing::write_i32(blob, l.sums_at + 4 * size_t{c}, sum);
}

// The byte offset of op `i`'s params in `blob` (which loads).
size_t params_at(const std::vector<uint8_t>& blob, uint32_t i) {
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  return static_cast<size_t>(reinterpret_cast<const uint8_t*>(m.op(i).params) - blob.data());
}

// The first op of `type` in `blob` (which loads).
uint32_t first_op(const std::vector<uint8_t>& blob, format::OpType type) {
  Model m;
  REQUIRE(m.load(blob.data(), blob.size()).ok());
  for (uint32_t i = 0; i < m.op_count(); ++i)
    if (m.op(i).type == static_cast<uint16_t>(type)) return i;
  FAIL("no such op");
  return 0;
}

TEST_CASE("hostile DSP-pair blobs: each broken promise of the layout is refused by name") {
  const std::vector<uint8_t> dense =
      io::read_file(testing::golden_path("digits_dae_int8_pairs.eab"));
  const std::vector<uint8_t> conv = io::read_file(testing::golden_path("unet1d_int8_pairs.eab"));
  const std::vector<testing::PackedInt8Layer> dense_layers = testing::packed_int8_layers(dense);
  const std::vector<testing::PackedInt8Layer> conv_layers = testing::packed_int8_layers(conv);
  REQUIRE(!dense_layers.empty());
  REQUIRE(!conv_layers.empty());
  const testing::PackedInt8Layer& d = dense_layers[0];
  REQUIRE(d.packing == 2);
  REQUIRE(d.n >= 2);

  SUBCASE("an odd column's byte that decodes to 128") {
    std::vector<uint8_t> b = dense;
    b[d.offset(0, 0)] = static_cast<uint8_t>(-3);  // a negative partner: v(1) = w(1) - 1
    b[d.offset(0, 1)] = 127;                       // decodes to 128
    fix_column_sum(b, d, 0);
    fix_column_sum(b, d, 1);
    check_malformed(b, d.op, "decodes to 128");
  }
  SUBCASE("a non-zero weight in the padding past K") {
    // A Conv whose R = KW * Cin is not a multiple of 4.
    const testing::PackedInt8Layer* l = nullptr;
    for (const auto& c : conv_layers)
      if (c.k < c.kp && c.n >= 2) l = &c;
    REQUIRE(l != nullptr);
    std::vector<uint8_t> b = conv;
    b[l->offset(l->kp - 1, 1)] = 1;
    fix_column_sum(b, *l, 1);
    check_malformed(b, l->op, "padding must be zero");
  }
  SUBCASE("a column sum that is not its weights'") {
    std::vector<uint8_t> b = dense;
    const size_t at = d.sums_at + 4 * size_t{d.n - 1};
    testing::write_i32(b, at, testing::read_i32(b, at) + 1);
    check_malformed(b, d.op, "column sums differ");
  }
  SUBCASE("quad bytes relabelled as pairs (their sums no longer match)") {
    // The quad blob's first Dense with b_packing 2: its bytes decode to
    // other weights (or not at all).
    std::vector<uint8_t> b = io::read_file(testing::golden_path("digits_dae_int8.eab"));
    testing::write_i32(b, d.packing_at, 2);
    blob::reseal(b);
    Model m;
    CHECK(m.load(b.data(), b.size()).code == StatusCode::kMalformed);
  }
  SUBCASE("b_packing 3, w_packing 3") {
    std::vector<uint8_t> b = dense;
    testing::write_i32(b, d.packing_at, 3);
    check_malformed(b, d.op, "packed (quads or pairs) for int8");
    b = conv;
    testing::write_i32(b, conv_layers[0].packing_at, 3);
    check_malformed(b, conv_layers[0].op, "w_packing must be 0, 1 or 2");
  }
  SUBCASE("packing 2 on an int16 or a float Gemm") {
    for (const char* name : {"digits_dae_int16", "digits_dae_f32"}) {
      CAPTURE(name);
      std::vector<uint8_t> b = io::read_file(testing::golden_path(std::string(name) + ".eab"));
      const uint32_t op = first_op(b, format::OpType::kDense);
      testing::write_i32(b, params_at(b, op) + offsetof(format::DenseParams, b_packing), 2);
      check_malformed(b, op, "for int8");
    }
  }
}

}  // namespace
}  // namespace edgeae
