// The portable table kernels (runtime/kernels/portable/) against the
// reference, bit for bit: int8 PRelu/LeakyRelu through tables, one slope and
// per-channel slopes, element counts below and above the table threshold,
// zero points and activation bounds at the int8 extremes, slopes of either
// sign and zero, shifts of both signs; int8 Concat through a table per
// requantized input, along every axis, inputs copied and requantized, sizes
// below and above the table threshold.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "kernels/portable/portable_kernels.hpp"

namespace edgeae {
namespace {

TEST_CASE("portable int8 PRelu tables equal ref::prelu_s8 bit for bit") {
  std::mt19937 rng(4242);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int tabled = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const uint32_t channels = static_cast<uint32_t>(between(1, 12));
    const uint32_t pixels =
        static_cast<uint32_t>(trial % 3 == 0 ? between(1, 60) : between(40, 900));
    const uint32_t count = channels * pixels;
    const bool per_channel = trial % 2 == 0;
    const uint32_t slopes = per_channel ? channels : 1;
    std::vector<int32_t> neg_multiplier(slopes), neg_shift(slopes);
    for (uint32_t c = 0; c < slopes; ++c) {
      const int kind = between(0, 5);
      neg_multiplier[c] = kind == 0 ? 0 : between(1 << 30, 0x7FFFFFFF) * (kind == 1 ? -1 : 1);
      neg_shift[c] = between(-12, 2);
    }
    ref::PReluQuant q;
    const bool extreme = trial % 5 == 0;
    q.in_zp = extreme ? (between(0, 1) ? 127 : -128) : between(-128, 127);
    q.pos_multiplier = between(1 << 30, 0x7FFFFFFF);
    q.pos_shift = between(-8, 3);
    q.neg_multiplier = neg_multiplier.data();
    q.neg_shift = neg_shift.data();
    q.neg_count = slopes;
    q.out_zp = extreme ? (between(0, 1) ? 127 : -128) : between(-128, 127);
    q.act_min = trial % 4 == 0 ? q.out_zp : -128;
    q.act_max = trial % 6 == 1 && q.act_min < 90 ? 90 : 127;
    std::vector<int8_t> x(count);
    for (auto& v : x) v = static_cast<int8_t>(between(-128, 127));
    std::vector<int8_t> want(count), got(count + 16, 0x55);
    ref::prelu_s8(q, count, channels, x.data(), want.data());
    portable::prelu_s8_tables(q, count, channels, x.data(), got.data());
    const std::string label = "channels=" + std::to_string(channels) +
                              " count=" + std::to_string(count) +
                              " per_channel=" + std::to_string(per_channel);
    CAPTURE(label);
    CHECK(std::vector<int8_t>(got.begin(), got.begin() + count) == want);
    for (size_t i = count; i < got.size(); ++i) CHECK(got[i] == 0x55);
    tabled += count / slopes >= 512 ? 1 : 0;
  }
  CHECK(tabled >= 100);  // the tables' path ran, not only the reference
}

TEST_CASE("portable int8 Concat tables equal ref::concat_s8 bit for bit") {
  std::mt19937 rng(4343);
  auto between = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int tabled = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const uint32_t rank = static_cast<uint32_t>(between(1, 3));
    const uint32_t axis = static_cast<uint32_t>(between(0, static_cast<int>(rank) - 1));
    const uint32_t input_count = static_cast<uint32_t>(between(1, 4));
    ref::Shape base;
    base.rank = rank;
    for (uint32_t i = 0; i < rank; ++i)
      base.dims[i] = static_cast<uint32_t>(trial % 3 == 0 ? between(1, 6) : between(4, 40));
    std::vector<ref::Shape> shapes(input_count, base);
    std::vector<ref::ConcatInputQuant> iq(input_count);
    std::vector<std::vector<int8_t>> data(input_count);
    std::vector<const int8_t*> pointers(input_count);
    ref::Shape out = base;
    out.dims[axis] = 0;
    bool any_table = false;
    for (uint32_t t = 0; t < input_count; ++t) {
      shapes[t].dims[axis] = static_cast<uint32_t>(between(1, 24));
      out.dims[axis] += shapes[t].dims[axis];
      size_t n = 1;
      for (uint32_t i = 0; i < rank; ++i) n *= shapes[t].dims[i];
      data[t].resize(n);
      for (auto& v : data[t]) v = static_cast<int8_t>(between(-128, 127));
      pointers[t] = data[t].data();
      iq[t].same_as_output = between(0, 3) == 0 ? 1 : 0;
      iq[t].zp = trial % 5 == 0 ? (between(0, 1) ? 127 : -128) : between(-128, 127);
      iq[t].multiplier = between(1 << 30, 0x7FFFFFFF);
      iq[t].shift = between(-10, 2);
      any_table |= iq[t].same_as_output == 0 && n >= 512;
    }
    const ref::ConcatQuant q{iq.data(), trial % 5 == 0 ? 127 : between(-128, 127)};
    size_t count = 1;
    for (uint32_t i = 0; i < rank; ++i) count *= out.dims[i];
    std::vector<int8_t> want(count), got(count + 16, 0x55);
    ref::concat_s8(input_count, shapes.data(), pointers.data(), q, axis, want.data());
    portable::concat_s8_tables(input_count, shapes.data(), pointers.data(), q, axis, got.data());
    const std::string label = "rank=" + std::to_string(rank) + " axis=" + std::to_string(axis) +
                              " inputs=" + std::to_string(input_count);
    CAPTURE(label);
    CHECK(std::vector<int8_t>(got.begin(), got.begin() + count) == want);
    for (size_t i = count; i < got.size(); ++i) CHECK(got[i] == 0x55);
    tabled += any_table ? 1 : 0;
  }
  CHECK(tabled >= 50);  // the tables' path ran, not only the reference
}

}  // namespace
}  // namespace edgeae
