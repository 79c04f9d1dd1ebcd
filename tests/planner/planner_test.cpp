// Tests for the arena planner (converters/planner). Every plan is checked by
// an independent brute-force validator written here, not by the planner's own
// bookkeeping.
#include "planner/planner.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using edgeae::planner::align_up;
using edgeae::planner::Buffer;
using edgeae::planner::lower_bound;
using edgeae::planner::Plan;
using edgeae::planner::plan_arena;

uint64_t round_up(uint64_t bytes, uint64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;  // independent of align_up
}

// Brute force: every op, every buffer.
uint64_t brute_lower_bound(const std::vector<Buffer>& bufs, uint64_t alignment) {
  uint64_t best = 0;
  uint32_t max_op = 0;
  for (const Buffer& b : bufs) max_op = std::max(max_op, b.last);
  for (uint32_t op = 0; op <= max_op && !bufs.empty(); ++op) {
    uint64_t sum = 0;
    for (const Buffer& b : bufs) {
      if (b.first <= op && op <= b.last) sum += round_up(b.bytes, alignment);
    }
    best = std::max(best, sum);
  }
  return best;
}

uint64_t total_bytes(const std::vector<Buffer>& bufs, uint64_t alignment) {
  uint64_t sum = 0;
  for (const Buffer& b : bufs) sum += round_up(b.bytes, alignment);
  return sum;
}

// Returns an empty string if `plan` is a valid placement of `bufs`, else the
// first problem found.
std::string check_plan(const std::vector<Buffer>& bufs, const Plan& plan, uint64_t alignment) {
  std::ostringstream err;
  if (plan.offsets.size() != bufs.size()) {
    err << "offsets.size() " << plan.offsets.size() << " != " << bufs.size();
    return err.str();
  }
  uint64_t max_end = 0;
  for (size_t i = 0; i < bufs.size(); ++i) {
    const uint64_t size = round_up(bufs[i].bytes, alignment);
    if (plan.offsets[i] % alignment != 0) {
      err << "buffer " << i << " offset " << plan.offsets[i] << " not aligned";
      return err.str();
    }
    if (size == 0 && plan.offsets[i] != 0) {
      err << "zero-size buffer " << i << " at offset " << plan.offsets[i];
      return err.str();
    }
    const uint64_t end = plan.offsets[i] + size;
    if (end > plan.arena_bytes) {
      err << "buffer " << i << " ends at " << end << " > arena " << plan.arena_bytes;
      return err.str();
    }
    max_end = std::max(max_end, end);
  }
  if (max_end != plan.arena_bytes) {
    err << "arena " << plan.arena_bytes << " != max end " << max_end;
    return err.str();
  }
  for (size_t i = 0; i < bufs.size(); ++i) {
    for (size_t j = i + 1; j < bufs.size(); ++j) {
      const Buffer& a = bufs[i];
      const Buffer& b = bufs[j];
      const bool live_together = a.first <= b.last && b.first <= a.last;
      if (!live_together) continue;
      const uint64_t a0 = plan.offsets[i], a1 = a0 + round_up(a.bytes, alignment);
      const uint64_t b0 = plan.offsets[j], b1 = b0 + round_up(b.bytes, alignment);
      if (a0 == a1 || b0 == b1) continue;  // an empty range overlaps nothing
      if (a0 < b1 && b0 < a1) {
        err << "buffers " << i << " [" << a0 << "," << a1 << ") and " << j << " [" << b0 << ","
            << b1 << ") overlap while both live";
        return err.str();
      }
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Graph builders.

// Chain: op i reads buffer i-1 and writes buffer i, so buffer i is live over
// [i-1, i] (buffer 0, the input, over [0, 0]).
std::vector<Buffer> chain(const std::vector<uint64_t>& sizes) {
  std::vector<Buffer> bufs;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const auto op = static_cast<uint32_t>(i);
    bufs.push_back({sizes[i], op == 0 ? 0 : op - 1, op});
  }
  return bufs;
}

// Records a network op by op: every op reads tensors (extending their live
// range to this op), writes one tensor and may use a scratch buffer live only
// during the op.
class NetBuilder {
 public:
  size_t input(uint64_t bytes) {
    bufs_.push_back({bytes, 0, 0});
    return bufs_.size() - 1;
  }
  size_t op(const std::vector<size_t>& inputs, uint64_t out_bytes, uint64_t scratch_bytes = 0) {
    for (size_t in : inputs) bufs_[in].last = std::max(bufs_[in].last, next_);
    if (scratch_bytes > 0) bufs_.push_back({scratch_bytes, next_, next_});
    bufs_.push_back({out_bytes, next_, next_});
    ++next_;
    return bufs_.size() - 1;
  }
  const std::vector<Buffer>& buffers() const { return bufs_; }

 private:
  std::vector<Buffer> bufs_;
  uint32_t next_ = 0;
};

enum class Skip { kConcat, kAdd };

// 1-D U-Net over float32: `depth` levels, channels doubling and length
// halving per level, two k=3 convolutions per level (with an im2col scratch
// buffer when `scratch`), max-pool down, transposed-conv up, and the encoder
// output of each level kept alive until the decoder's skip Concat/Add.
std::vector<Buffer> unet1d(int depth, uint64_t in_ch, uint64_t base_ch, uint64_t length, Skip skip,
                           bool scratch, bool residual = false) {
  NetBuilder g;
  auto conv = [&](size_t x, uint64_t cin, uint64_t cout, uint64_t len) {
    return g.op({x}, 4 * cout * len, scratch ? 4 * 3 * cin * len : 0);
  };
  // Two convolutions, or with `residual` a + conv(conv(a)) after the first.
  auto block = [&](size_t in, uint64_t ci, uint64_t co, uint64_t n) {
    const size_t a = conv(in, ci, co, n);
    const size_t b = conv(a, co, co, n);
    if (!residual) return b;
    return g.op({a, conv(b, co, co, n)}, 4 * co * n);
  };
  size_t x = g.input(4 * in_ch * length);
  uint64_t cin = in_ch;
  std::vector<size_t> skips;
  for (int l = 0; l < depth; ++l) {
    const uint64_t c = base_ch << l, len = length >> l;
    x = block(x, cin, c, len);
    skips.push_back(x);
    x = g.op({x}, 4 * c * (len / 2));  // max-pool
    cin = c;
  }
  const uint64_t cb = base_ch << depth, lb = length >> depth;
  x = block(x, cin, cb, lb);
  cin = cb;
  for (int l = depth - 1; l >= 0; --l) {
    const uint64_t c = base_ch << l, len = length >> l;
    const size_t up = g.op({x}, 4 * c * len, scratch ? 4 * cin * (len / 2) * 2 : 0);  // conv-T
    size_t merged;
    uint64_t merged_ch;
    if (skip == Skip::kConcat) {
      merged = g.op({up, skips[static_cast<size_t>(l)]}, 4 * 2 * c * len);
      merged_ch = 2 * c;
    } else {
      merged = g.op({up, skips[static_cast<size_t>(l)]}, 4 * c * len);
      merged_ch = c;
    }
    x = block(merged, merged_ch, c, len);
    cin = c;
  }
  g.op({x}, 4 * in_ch * length, 0);  // 1x1 head
  return g.buffers();
}

// 2-D U-Net over float32: as unet1d but with H x W maps halving both sides and
// 3x3 convolutions (im2col scratch 9 * cin * H * W).
std::vector<Buffer> unet2d(int depth, uint64_t in_ch, uint64_t base_ch, uint64_t h, uint64_t w,
                           Skip skip, bool scratch, bool residual = false) {
  NetBuilder g;
  auto conv = [&](size_t x, uint64_t cin, uint64_t cout, uint64_t hw) {
    return g.op({x}, 4 * cout * hw, scratch ? 4 * 9 * cin * hw : 0);
  };
  // Two convolutions, or with `residual` a + conv(conv(a)) after the first.
  auto block = [&](size_t in, uint64_t ci, uint64_t co, uint64_t n) {
    const size_t a = conv(in, ci, co, n);
    const size_t b = conv(a, co, co, n);
    if (!residual) return b;
    return g.op({a, conv(b, co, co, n)}, 4 * co * n);
  };
  size_t x = g.input(4 * in_ch * h * w);
  uint64_t cin = in_ch;
  std::vector<size_t> skips;
  for (int l = 0; l < depth; ++l) {
    const uint64_t c = base_ch << l, hw = (h >> l) * (w >> l);
    x = block(x, cin, c, hw);
    skips.push_back(x);
    x = g.op({x}, 4 * c * hw / 4);  // 2x2 max-pool
    cin = c;
  }
  const uint64_t cb = base_ch << depth, hwb = (h >> depth) * (w >> depth);
  x = block(x, cin, cb, hwb);
  cin = cb;
  for (int l = depth - 1; l >= 0; --l) {
    const uint64_t c = base_ch << l, hw = (h >> l) * (w >> l);
    const size_t up = g.op({x}, 4 * c * hw, scratch ? 4 * cin * hw / 4 * 4 : 0);  // conv-T 2x2
    size_t merged;
    uint64_t merged_ch;
    if (skip == Skip::kConcat) {
      merged = g.op({up, skips[static_cast<size_t>(l)]}, 4 * 2 * c * hw);
      merged_ch = 2 * c;
    } else {
      merged = g.op({up, skips[static_cast<size_t>(l)]}, 4 * c * hw);
      merged_ch = c;
    }
    x = block(merged, merged_ch, c, hw);
    cin = c;
  }
  g.op({x}, 4 * in_ch * h * w, 0);  // 1x1 head
  return g.buffers();
}

// Random DAG-like liveness: tensors produced in op order, each read by a few
// later ops, plus per-op scratch; sizes random including 0 and odd values.
std::vector<Buffer> random_graph(std::mt19937_64& rng) {
  std::uniform_int_distribution<uint32_t> n_ops_d(1, 30);
  const uint32_t n_ops = n_ops_d(rng);
  std::vector<Buffer> bufs;
  auto random_size = [&]() -> uint64_t {
    switch (rng() % 6) {
      case 0:
        return 0;
      case 1:
        return 1 + rng() % 63;
      case 2:
        return 64 * (1 + rng() % 16);
      default:
        return rng() % 20000;
    }
  };
  for (uint32_t op = 0; op < n_ops; ++op) {
    const uint64_t outputs = rng() % 3;  // 0, 1 or 2 tensors written here
    for (uint64_t k = 0; k < outputs; ++k) {
      // Last reader: usually soon, sometimes far (a skip connection).
      uint32_t reach = (rng() % 4 == 0) ? static_cast<uint32_t>(rng() % n_ops)
                                        : static_cast<uint32_t>(rng() % 3);
      bufs.push_back({random_size(), op, std::min(n_ops - 1, op + reach)});
    }
    if (rng() % 3 == 0) bufs.push_back({random_size(), op, op});  // scratch
  }
  std::shuffle(bufs.begin(), bufs.end(), rng);  // the planner must not rely on order
  return bufs;
}

double ratio(const std::vector<Buffer>& bufs, uint64_t alignment) {
  const Plan plan = plan_arena(bufs, alignment);
  const std::string err = check_plan(bufs, plan, alignment);
  REQUIRE_MESSAGE(err.empty(), err);
  const uint64_t lb = lower_bound(bufs, alignment);
  REQUIRE(lb == brute_lower_bound(bufs, alignment));
  REQUIRE(lb > 0);
  return static_cast<double>(plan.arena_bytes) / static_cast<double>(lb);
}

}  // namespace

TEST_CASE("planner: align_up") {
  CHECK(align_up(0, 64) == 0);
  CHECK(align_up(1, 64) == 64);
  CHECK(align_up(63, 64) == 64);
  CHECK(align_up(64, 64) == 64);
  CHECK(align_up(65, 64) == 128);
  CHECK(align_up(1000, 16) == 1008);
  CHECK(align_up(7, 1) == 7);
  CHECK(align_up(5, 4) == 8);
  CHECK(align_up(uint64_t{1} << 40, 4096) == uint64_t{1} << 40);
  CHECK_THROWS(align_up(10, 48));  // not a power of two
  CHECK_THROWS(align_up(10, 0));
  CHECK_THROWS(align_up(~uint64_t{0}, 64));  // would wrap around
}

TEST_CASE("planner: lower_bound on a hand-checked example") {
  // op:      0    1    2    3
  // A(100)  [=========]            -> 128
  // B(64)        [====]            ->  64
  // C(1)              [=========]  ->  64
  // D(0)    [===================]  ->   0
  // E(129)                 [====]  -> 192
  // Live at op 0: 128; op 1: 128+64 = 192; op 2: 128+64+64 = 256; op 3: 64+192 = 256.
  const std::vector<Buffer> bufs = {{100, 0, 2}, {64, 1, 2}, {1, 2, 3}, {0, 0, 3}, {129, 3, 3}};
  CHECK(lower_bound(bufs, 64) == 256);
  CHECK(lower_bound(bufs, 1) == 100 + 64 + 1);  // op 2; op 3 is only 1 + 129 = 130
  CHECK(lower_bound({}, 64) == 0);
  CHECK(lower_bound({{0, 0, 5}}, 64) == 0);
  // Touching ranges do not add up: [0,1] and [2,3] never meet.
  CHECK(lower_bound({{64, 0, 1}, {64, 2, 3}}, 64) == 64);
  CHECK(lower_bound({{64, 0, 2}, {64, 2, 3}}, 64) == 128);

  const Plan plan = plan_arena(bufs, 64);
  CHECK(check_plan(bufs, plan, 64).empty());
  CHECK(plan.arena_bytes == 256);
  CHECK(plan.offsets[3] == 0);
}

TEST_CASE("planner: edge cases") {
  const Plan empty = plan_arena({}, 64);
  CHECK(empty.offsets.empty());
  CHECK(empty.arena_bytes == 0);

  const std::vector<Buffer> zeros = {{0, 0, 3}, {0, 1, 1}};
  const Plan z = plan_arena(zeros, 64);
  CHECK(z.arena_bytes == 0);
  CHECK(z.offsets == std::vector<uint64_t>{0, 0});

  // Disjoint in time: all can share offset 0.
  const std::vector<Buffer> seq = {{100, 0, 0}, {50, 1, 1}, {200, 2, 2}};
  const Plan s = plan_arena(seq, 64);
  CHECK(check_plan(seq, s, 64).empty());
  CHECK(s.arena_bytes == 256);

  CHECK_THROWS_AS(plan_arena({{10, 3, 2}}, 64), std::invalid_argument);
  CHECK_THROWS_AS(plan_arena({{10, 0, 0}}, 24), std::invalid_argument);
  CHECK_THROWS(lower_bound({{10, 3, 2}}, 64));
}

TEST_CASE("planner: random graphs give valid plans within bounds") {
  std::mt19937_64 rng(12345);
  const uint64_t alignments[] = {1, 4, 16, 64};
  int at_bound = 0;
  const int kGraphs = 400;
  for (int g = 0; g < kGraphs; ++g) {
    const std::vector<Buffer> bufs = random_graph(rng);
    const uint64_t alignment = alignments[rng() % 4];
    CAPTURE(g);
    CAPTURE(alignment);
    const Plan plan = plan_arena(bufs, alignment);
    const std::string err = check_plan(bufs, plan, alignment);
    REQUIRE_MESSAGE(err.empty(), err);
    const uint64_t lb = lower_bound(bufs, alignment);
    REQUIRE(lb == brute_lower_bound(bufs, alignment));
    CHECK(lb <= plan.arena_bytes);
    CHECK(plan.arena_bytes <= total_bytes(bufs, alignment));
    at_bound += plan.arena_bytes == lb;
  }
  MESSAGE("random graphs at the lower bound: " << at_bound << " / " << kGraphs);
}

TEST_CASE("planner: chains reach the lower bound exactly") {
  std::vector<std::vector<uint64_t>> cases = {
      {10, 1, 10, 1, 10},
      {1, 10, 1, 10, 1},
      {640, 64, 640, 64, 640},
      {5},
      {0, 0, 0},
      {100, 0, 100, 0, 100},
      {1, 2, 3, 4, 5, 6, 7, 8},
      {8, 7, 6, 5, 4, 3, 2, 1},
      {1, 5, 2, 8, 3, 9, 1, 1, 7, 4, 6},
      {3, 100, 3, 3, 100, 3},
      {64, 128, 256, 512, 1024, 512, 256, 128, 64},
      {1000, 999, 1, 998, 2, 997, 3},
  };
  std::mt19937_64 rng(777);
  for (int k = 0; k < 300; ++k) {
    const size_t n = 1 + static_cast<size_t>(rng() % 40);
    std::vector<uint64_t> sizes(n);
    const uint64_t scale = (k % 3 == 0) ? 16 : (k % 3 == 1) ? 1000 : 100000;
    for (auto& s : sizes) s = (rng() % 8 == 0) ? 0 : rng() % scale;
    cases.push_back(sizes);
  }
  for (size_t c = 0; c < cases.size(); ++c) {
    for (uint64_t alignment : {uint64_t{1}, uint64_t{64}}) {
      const std::vector<Buffer> bufs = chain(cases[c]);
      CAPTURE(c);
      CAPTURE(alignment);
      const Plan plan = plan_arena(bufs, alignment);
      const std::string err = check_plan(bufs, plan, alignment);
      REQUIRE_MESSAGE(err.empty(), err);
      REQUIRE(lower_bound(bufs, alignment) == brute_lower_bound(bufs, alignment));
      CHECK(plan.arena_bytes == lower_bound(bufs, alignment));
    }
  }
  // Not a chain but still never three buffers live at once: a long buffer
  // (a skip tensor) next to a sequence of short ones.
  const std::vector<Buffer> caterpillar = {{300, 0, 6}, {100, 0, 0},  {500, 1, 2},
                                           {64, 3, 3},  {1000, 4, 4}, {7, 5, 6}};
  const Plan cp = plan_arena(caterpillar, 64);
  CHECK(check_plan(caterpillar, cp, 64).empty());
  CHECK(cp.arena_bytes == 320 + 1024);
  CHECK(lower_bound(caterpillar, 64) == 320 + 1024);

  const std::vector<Buffer> named = chain({10, 1, 10, 1, 10});
  CHECK(lower_bound(named, 1) == 11);
  CHECK(plan_arena(named, 1).arena_bytes == 11);
  MESSAGE("chain ratio (10,1,10,1,10 and " << cases.size() - 1 << " others): 1.0000");
}

TEST_CASE("planner: U-Net liveness stays within 5% of the lower bound") {
  struct Case {
    std::string name;
    std::vector<Buffer> bufs;
  };
  std::vector<Case> cases;
  for (int depth : {2, 3, 4, 5}) {
    for (Skip skip : {Skip::kConcat, Skip::kAdd}) {
      for (bool scratch : {false, true}) {
        std::ostringstream name;
        name << "unet1d depth=" << depth << (skip == Skip::kConcat ? " concat" : " add")
             << (scratch ? " +scratch" : "");
        cases.push_back({name.str(), unet1d(depth, 1, 16, 16000, skip, scratch)});
        cases.push_back(
            {name.str() + " residual", unet1d(depth, 1, 16, 16000, skip, scratch, true)});
      }
    }
  }
  for (int depth : {2, 3, 4}) {
    for (Skip skip : {Skip::kConcat, Skip::kAdd}) {
      for (bool scratch : {false, true}) {
        std::ostringstream name;
        name << "unet2d depth=" << depth << (skip == Skip::kConcat ? " concat" : " add")
             << (scratch ? " +scratch" : "");
        cases.push_back({name.str(), unet2d(depth, 3, 8, 64, 64, skip, scratch)});
        cases.push_back(
            {name.str() + " residual", unet2d(depth, 3, 8, 64, 64, skip, scratch, true)});
      }
    }
  }
  // Odd sizes that are not multiples of the alignment.
  cases.push_back(
      {"unet1d depth=4 concat +scratch odd", unet1d(4, 1, 5, 1001, Skip::kConcat, true)});
  cases.push_back({"unet2d depth=3 add +scratch odd", unet2d(3, 1, 3, 37, 29, Skip::kAdd, true)});

  for (const Case& c : cases) {
    CAPTURE(c.name);
    const double r = ratio(c.bufs, 64);
    std::ostringstream text;
    text << std::fixed << std::setprecision(4) << r;
    MESSAGE("ratio " << c.name << " (" << c.bufs.size() << " buffers): " << text.str());
    CHECK(r <= 1.05);
  }
}

TEST_CASE("planner: deterministic") {
  std::mt19937_64 rng(99);
  for (int g = 0; g < 20; ++g) {
    const std::vector<Buffer> bufs = random_graph(rng);
    const Plan a = plan_arena(bufs, 64);
    const std::vector<Buffer> copy = bufs;
    const Plan b = plan_arena(copy, 64);
    CHECK(a.offsets == b.offsets);
    CHECK(a.arena_bytes == b.arena_bytes);
  }
  const std::vector<Buffer> net = unet2d(4, 3, 8, 64, 64, Skip::kConcat, true);
  const Plan a = plan_arena(net, 64);
  const Plan b = plan_arena(net, 64);
  CHECK(a.offsets == b.offsets);
  CHECK(a.arena_bytes == b.arena_bytes);
}
