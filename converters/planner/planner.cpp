// Arena planner; see planner.hpp for the contract.
//
// Chains (no three buffers live together) are solved exactly by a two-sided
// placement (place_two_sided). Other graphs use greedy placement: a buffer
// order fixes which buffer is placed next; each buffer then goes into a gap
// between the already placed buffers it conflicts with.
// This is the "greedy by size for offset calculation" family (Pisarchyk & Lee,
// "Efficient Memory Management for Deep Neural Net Inference", 2020; TFLite
// Micro's GreedyMemoryPlanner is the size-descending, first-fit member). We
// try several orders, including the paper's "greedy by breadth" order, each
// with best-fit and first-fit gaps, keep the smallest arena, and, when it is
// still above the lower bound, refine the best order by a short deterministic
// local search (swap two buffers in the order, keep the change if the arena
// does not grow). Everything is deterministic: ties break by buffer index and
// the search uses a fixed-seed generator.
#include "planner/planner.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace edgeae::planner {

namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

void check_alignment(uint64_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    throw std::invalid_argument("planner: alignment must be a power of two");
  }
}

void check_ranges(const std::vector<Buffer>& buffers) {
  for (const Buffer& b : buffers) {
    if (b.first > b.last) throw std::invalid_argument("planner: buffer with first > last");
  }
}

uint64_t checked_add(uint64_t a, uint64_t b) {
  if (a > kMax - b) throw std::overflow_error("planner: arena size overflows 64 bits");
  return a + b;
}

struct Problem {
  std::vector<uint64_t> size;               // aligned bytes
  std::vector<uint32_t> first, last;        // live range
  std::vector<std::vector<size_t>> others;  // conflicting buffers with size > 0
  std::vector<size_t> active;               // buffers with size > 0
};

enum class Fit { kBest, kFirst };

// Places `order` (indices of buffers with size > 0) one by one. Returns the
// arena size; offsets are written to `offsets` (entries for zero-size buffers
// are left untouched). `placed`, `spans` are scratch space.
uint64_t place(const Problem& p, const std::vector<size_t>& order, Fit fit,
               std::vector<uint64_t>& offsets, std::vector<char>& placed,
               std::vector<std::pair<uint64_t, uint64_t>>& spans) {
  for (size_t i : order) placed[i] = 0;
  uint64_t arena = 0;
  for (size_t i : order) {
    spans.clear();
    for (size_t j : p.others[i]) {
      if (placed[j]) spans.emplace_back(offsets[j], offsets[j] + p.size[j]);
    }
    std::sort(spans.begin(), spans.end());
    const uint64_t need = p.size[i];
    uint64_t cursor = 0;  // lowest free byte above the spans seen so far
    uint64_t best = kMax, best_gap = kMax;
    for (const auto& span : spans) {
      if (span.first > cursor) {
        const uint64_t gap = span.first - cursor;
        if (gap >= need && (fit == Fit::kFirst || gap < best_gap)) {
          best = cursor;
          best_gap = gap;
          if (fit == Fit::kFirst) break;
        }
      }
      cursor = std::max(cursor, span.second);
    }
    if (best == kMax) best = cursor;  // no gap fits: on top of everything
    offsets[i] = best;
    placed[i] = 1;
    arena = std::max(arena, checked_add(best, need));
  }
  return arena;
}

// Sorts the active buffers by `less`, breaking ties by index.
template <typename Less>
std::vector<size_t> sorted_order(const Problem& p, Less less) {
  std::vector<size_t> order = p.active;
  std::stable_sort(order.begin(), order.end(), less);
  return order;
}

// "Greedy by breadth": visit ops from the most to the least loaded and, within
// an op, place its live buffers by decreasing size.
std::vector<size_t> breadth_order(const Problem& p) {
  // Distinct op indices where something starts: the load only changes there.
  std::vector<uint32_t> ops;
  for (size_t i : p.active) ops.push_back(p.first[i]);
  std::sort(ops.begin(), ops.end());
  ops.erase(std::unique(ops.begin(), ops.end()), ops.end());
  std::vector<std::vector<size_t>> live(ops.size());
  std::vector<uint64_t> load(ops.size(), 0);
  for (size_t i : p.active) {
    auto lo = std::lower_bound(ops.begin(), ops.end(), p.first[i]);
    auto hi = std::upper_bound(ops.begin(), ops.end(), p.last[i]);
    for (auto it = lo; it != hi; ++it) {
      const size_t k = static_cast<size_t>(it - ops.begin());
      live[k].push_back(i);
      load[k] += p.size[i];
    }
  }
  std::vector<size_t> op_order(ops.size());
  std::iota(op_order.begin(), op_order.end(), size_t{0});
  std::stable_sort(op_order.begin(), op_order.end(),
                   [&](size_t a, size_t b) { return load[a] > load[b]; });
  std::vector<char> taken(p.size.size(), 0);
  std::vector<size_t> order;
  for (size_t k : op_order) {
    std::vector<size_t>& here = live[k];
    std::stable_sort(here.begin(), here.end(),
                     [&](size_t a, size_t b) { return p.size[a] > p.size[b]; });
    for (size_t i : here) {
      if (!taken[i]) {
        taken[i] = 1;
        order.push_back(i);
      }
    }
  }
  return order;
}

// When no three non-empty buffers are ever live together (chains, where each
// op reads only its predecessor's output), the conflict graph has no triangle;
// being an interval graph (chordal), it then has no odd cycle and is
// 2-colourable. One colour goes at offset 0, the other flush against the top
// of an arena of exactly the lower bound: conflicting buffers have different
// colours and are live at a common op, so their sizes sum to at most the bound
// and they never overlap. Returns false (leaving `plan` alone) otherwise.
bool place_two_sided(const Problem& p, uint64_t bound, Plan& plan) {
  std::vector<int> colour(p.size.size(), -1);
  std::vector<size_t> queue;
  for (size_t root : p.active) {
    if (colour[root] != -1) continue;
    colour[root] = 0;
    queue.assign(1, root);
    for (size_t q = 0; q < queue.size(); ++q) {
      const size_t i = queue[q];
      for (size_t j : p.others[i]) {
        if (colour[j] == -1) {
          colour[j] = 1 - colour[i];
          queue.push_back(j);
        } else if (colour[j] == colour[i]) {
          return false;  // odd cycle: three buffers live together somewhere
        }
      }
    }
  }
  plan.offsets.assign(p.size.size(), 0);
  for (size_t i : p.active) plan.offsets[i] = colour[i] == 0 ? 0 : bound - p.size[i];
  plan.arena_bytes = bound;
  return true;
}

// Small deterministic generator (xorshift64*), so plans never depend on the
// standard library's distributions.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

}  // namespace

uint64_t align_up(uint64_t bytes, uint64_t alignment) {
  check_alignment(alignment);
  const uint64_t mask = alignment - 1;
  return checked_add(bytes, mask) & ~mask;
}

uint64_t lower_bound(const std::vector<Buffer>& buffers, uint64_t alignment) {
  check_alignment(alignment);
  check_ranges(buffers);
  // Sweep: +size at `first`, -size at `last + 1`; at equal positions the
  // removals go first, since a buffer ending at op t-1 and one starting at t
  // never meet.
  std::vector<std::pair<uint64_t, int64_t>> events;  // (position, 0 = remove / 1 = add)
  std::vector<uint64_t> sizes;
  events.reserve(2 * buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const uint64_t s = align_up(buffers[i].bytes, alignment);
    if (s == 0) continue;
    sizes.push_back(s);
    const auto id = static_cast<int64_t>(sizes.size());  // 1-based so that the sign encodes kind
    events.emplace_back(buffers[i].first, id);
    events.emplace_back(uint64_t{buffers[i].last} + 1, -id);
  }
  std::sort(events.begin(), events.end());  // negative (removal) ids sort first
  uint64_t live = 0, best = 0;
  for (const auto& e : events) {
    if (e.second < 0) {
      live -= sizes[static_cast<size_t>(-e.second - 1)];
    } else {
      live = checked_add(live, sizes[static_cast<size_t>(e.second - 1)]);
      best = std::max(best, live);
    }
  }
  return best;
}

Plan plan_arena(const std::vector<Buffer>& buffers, uint64_t alignment) {
  check_alignment(alignment);
  check_ranges(buffers);
  const size_t n = buffers.size();
  Problem p;
  p.size.resize(n);
  p.first.resize(n);
  p.last.resize(n);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    p.size[i] = align_up(buffers[i].bytes, alignment);
    p.first[i] = buffers[i].first;
    p.last[i] = buffers[i].last;
    total = checked_add(total, p.size[i]);  // guarantees no placement overflows
    if (p.size[i] > 0) p.active.push_back(i);
  }
  p.others.resize(n);
  // Conflict lists via a sweep by start: O(B log B + conflicts).
  {
    std::vector<size_t> by_first = p.active;
    std::stable_sort(by_first.begin(), by_first.end(),
                     [&](size_t a, size_t b) { return p.first[a] < p.first[b]; });
    for (size_t a = 0; a < by_first.size(); ++a) {
      for (size_t b = a + 1; b < by_first.size(); ++b) {
        const size_t i = by_first[a], j = by_first[b];
        if (p.first[j] > p.last[i]) break;
        p.others[i].push_back(j);
        p.others[j].push_back(i);
      }
    }
  }

  Plan plan;
  plan.offsets.assign(n, 0);
  plan.arena_bytes = 0;
  if (p.active.empty()) return plan;

  const uint64_t bound = lower_bound(buffers, alignment);
  {
    Plan two_sided;
    if (place_two_sided(p, bound, two_sided)) return two_sided;
  }
  auto len = [&](size_t i) { return uint64_t{p.last[i]} - p.first[i] + 1; };
  // size * length can exceed 64 bits in principle; compare in long double.
  auto area = [&](size_t i) {
    return static_cast<long double>(p.size[i]) * static_cast<long double>(len(i));
  };
  std::vector<std::vector<size_t>> orders;
  orders.push_back(sorted_order(p, [&](size_t a, size_t b) {
    if (p.size[a] != p.size[b]) return p.size[a] > p.size[b];
    return len(a) > len(b);
  }));
  orders.push_back(sorted_order(p, [&](size_t a, size_t b) {
    if (len(a) != len(b)) return len(a) > len(b);
    return p.size[a] > p.size[b];
  }));
  orders.push_back(sorted_order(p, [&](size_t a, size_t b) { return area(a) > area(b); }));
  orders.push_back(sorted_order(p, [&](size_t a, size_t b) {
    if (p.first[a] != p.first[b]) return p.first[a] < p.first[b];
    return p.size[a] > p.size[b];
  }));
  orders.push_back(breadth_order(p));

  std::vector<uint64_t> offsets(n, 0), best_offsets;
  std::vector<char> placed(n, 0);
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  uint64_t best = kMax;
  std::vector<size_t> best_order;
  Fit best_fit = Fit::kBest;
  for (const auto& order : orders) {
    for (Fit fit : {Fit::kBest, Fit::kFirst}) {
      const uint64_t arena = place(p, order, fit, offsets, placed, spans);
      if (arena < best) {
        best = arena;
        best_offsets = offsets;
        best_order = order;
        best_fit = fit;
      }
    }
  }

  // Local search on the best order: swap two buffers, keep the swap unless
  // the arena grows (sideways moves let it cross plateaus). The budget keeps
  // the total work near 2e7 conflict visits, so large graphs stay fast.
  const size_t m = best_order.size();
  if (best > bound && m >= 2) {
    size_t edges = 0;
    for (size_t i : p.active) edges += p.others[i].size();
    const size_t per_try = std::max<size_t>(edges + m, 1);
    const size_t tries = std::min<size_t>(4000, 20'000'000 / per_try);
    Rng rng;
    std::vector<size_t> order = best_order;
    uint64_t current = best;
    for (size_t t = 0; t < tries && best > bound; ++t) {
      const size_t a = rng.below(m);
      size_t b = rng.below(m - 1);
      if (b >= a) ++b;
      std::swap(order[a], order[b]);
      const uint64_t arena = place(p, order, best_fit, offsets, placed, spans);
      if (arena <= current) {
        current = arena;
        if (arena < best) {
          best = arena;
          best_offsets = offsets;
        }
      } else {
        std::swap(order[a], order[b]);
      }
    }
  }

  plan.offsets = std::move(best_offsets);
  for (size_t i = 0; i < n; ++i) {
    if (p.size[i] == 0) plan.offsets[i] = 0;
  }
  plan.arena_bytes = best;
  return plan;
}

}  // namespace edgeae::planner
