// Arena planner: places every buffer that the runtime keeps in the arena
// (activations and per-op scratch) so that no two buffers whose live ranges
// meet share a byte, while keeping the arena small.
//
// A buffer is live from the op that writes it (`first`) to the last op that
// reads it (`last`), inclusive; two buffers conflict when their ranges
// intersect. The best any placement can do is the lower bound: the largest
// total of (aligned) bytes live at any single op. Finding the optimum is NP-hard
// (dynamic storage allocation). When no three buffers are ever live together
// (chains) the planner places them from both ends of the arena, which is
// optimal. Otherwise it runs several greedy orders (by size, by live-range
// length, by size x length, by start, and "greedy by breadth" of Pisarchyk &
// Lee 2020), each with best-fit and first-fit gaps, keeps the smallest arena
// and, if that is above the lower bound, improves the best order with a short
// fixed-seed local search. The result is deterministic. Cost: O(B^2 log B) per
// order for B buffers plus a local search capped at ~2e7 steps, nothing
// noticeable for the graphs edgeae targets.
//
// Throws std::invalid_argument for an alignment that is not a power of two or
// a buffer with first > last, std::overflow_error if sizes overflow 64 bits.
#pragma once

#include <cstdint>
#include <vector>

namespace edgeae::planner {

struct Buffer {
  uint64_t bytes = 0;  // 0 bytes: placed at offset 0, takes no space
  uint32_t first = 0;  // first op index at which the buffer holds data
  uint32_t last = 0;   // last op index at which it is read (>= first)
};

struct Plan {
  std::vector<uint64_t> offsets;  // one per buffer, multiples of `alignment`
  uint64_t arena_bytes = 0;       // max over buffers of offset + aligned bytes
};

// Rounds `bytes` up to a multiple of `alignment` (a power of two).
uint64_t align_up(uint64_t bytes, uint64_t alignment);

// The largest sum of aligned buffer sizes live at one op: no placement can
// use fewer bytes.
uint64_t lower_bound(const std::vector<Buffer>& buffers, uint64_t alignment);

// Places the buffers; the result never exceeds the sum of aligned sizes and
// equals lower_bound() when live ranges form a chain.
Plan plan_arena(const std::vector<Buffer>& buffers, uint64_t alignment);

}  // namespace edgeae::planner
