// The memory plan as written into blobs: its size against the lower bound on
// a chain and on U-Net shapes, and an independent overlap check of what the
// loader accepted.
#include <doctest/doctest.h>

#include "test_models.hpp"

namespace edgeae {
namespace {

// Brute force over the loaded records: no two arena tensors live at one op
// share a byte, and the bound is what the records say is live.
void check_plan(const Model& m) {
  uint64_t bound = 0;
  for (uint32_t op = 0; op < (m.op_count() ? m.op_count() : 1); ++op) {
    uint64_t live = 0;
    for (uint32_t i = 0; i < m.tensor_count(); ++i) {
      const auto& a = m.tensor(i);
      if (a.storage != static_cast<uint8_t>(format::Storage::kArena)) continue;
      if (a.first_op > op || a.last_op < op) continue;
      live += (a.bytes + 63) / 64 * 64;
      for (uint32_t j = i + 1; j < m.tensor_count(); ++j) {
        const auto& b = m.tensor(j);
        if (b.storage != static_cast<uint8_t>(format::Storage::kArena)) continue;
        if (b.first_op > op || b.last_op < op) continue;
        const bool disjoint = a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset;
        CHECK_MESSAGE(disjoint, "tensors ", i, " and ", j, " overlap at op ", op);
      }
    }
    bound = std::max(bound, live);
  }
  CHECK(m.header().arena_lower_bound == bound);
}

// A 2-D U-Net of the given depth: channels double and the image halves on the
// way down; each decoder level upsamples (nearest) and concatenates the
// encoder tensor of its level, which stays live across the whole bottleneck.
blob::Blob unet_2d(uint32_t depth, uint32_t size, uint32_t base_channels) {
  blob::GraphBuilder g;
  const uint32_t x =
      g.input("x", {1, size, size, 1}, format::DType::kFloat32, format::Layout::kChannelsLast);
  auto conv = [&](uint32_t in, uint32_t cout, int stride) {
    const uint32_t cin = g.dims(in)[3];
    const uint32_t w =
        g.constant("w", {3, 3, cin, cout}, testing::random_values(cout * 9 * cin, cout));
    return g.conv(in, w, format::kNoId, testing::conv_params(3, 3, stride, stride, 1, 1, 1, 1),
                  {format::Activation::kRelu});
  };
  std::vector<uint32_t> skips;
  uint32_t t = conv(x, base_channels, 1);
  for (uint32_t level = 0; level < depth; ++level) {
    skips.push_back(t);
    t = conv(t, base_channels << (level + 1), 2);
  }
  for (uint32_t level = depth; level-- > 0;) {
    blob::OpDesc up;
    up.type = format::OpType::kResize;
    up.inputs.push_back(t);
    up.with(format::ResizeParams{{1, 2, 2, 1, 0, 0}});
    t = g.op(up);
    blob::OpDesc cat;
    cat.type = format::OpType::kConcat;
    cat.inputs.assign({t, skips[level]});
    cat.with(format::ConcatParams{3});
    t = conv(g.op(cat), base_channels << level, 1);
  }
  g.output(conv(t, 1, 1), "y");
  return g.build();
}

TEST_CASE("memory plan: a chain uses exactly the lower bound") {
  const blob::Blob b = testing::dense_autoencoder();
  Model m = testing::load_or_fail(b);
  check_plan(m);
  CHECK(b.arena_bytes == b.arena_lower_bound);
}

TEST_CASE("memory plan: U-Nets with skip connections stay within 1.05x of the lower bound") {
  for (uint32_t depth : {1u, 2u, 3u}) {
    const blob::Blob b = unet_2d(depth, 32, 4);
    Model m = testing::load_or_fail(b);
    check_plan(m);
    const double ratio =
        static_cast<double>(b.arena_bytes) / static_cast<double>(b.arena_lower_bound);
    MESSAGE("unet_2d depth ", depth, ": arena ", b.arena_bytes, " B, lower bound ",
            b.arena_lower_bound, " B, ratio ", ratio);
    CHECK(ratio <= 1.05);
  }
  const blob::Blob b1 = testing::unet_1d();
  Model m1 = testing::load_or_fail(b1);
  check_plan(m1);
  MESSAGE("unet_1d: arena ", b1.arena_bytes, " B, lower bound ", b1.arena_lower_bound, " B");
  CHECK(static_cast<double>(b1.arena_bytes) <= 1.05 * static_cast<double>(b1.arena_lower_bound));
}

TEST_CASE("memory plan: a U-Net runs correctly in exactly arena_bytes") {
  const blob::Blob b = unet_2d(2, 16, 4);
  Model m = testing::load_or_fail(b);
  // Poison the arena first: a plan that let live tensors share bytes, or a
  // kernel that read outside its tensors, would change the result.
  const auto input = testing::random_values(256, 9);
  std::vector<float> results[2];
  for (int fill : {0x00, 0xFF}) {
    std::vector<uint8_t> arena(m.arena_bytes(), static_cast<uint8_t>(fill));
    Session s;
    REQUIRE(s.init(m, arena.data(), arena.size()).ok());
    REQUIRE(s.set_input(0, input.data(), input.size()).ok());
    REQUIRE(s.run().ok());
    results[fill ? 1 : 0].resize(m.output(0).element_count());
    REQUIRE(s.get_output(0, results[fill ? 1 : 0].data(), results[fill ? 1 : 0].size()).ok());
  }
  CHECK(results[0] == results[1]);
}

}  // namespace
}  // namespace edgeae
