#!/usr/bin/env bash
# Builds the release preset and runs the benchmark suite (bench/README.md):
# whole-model latency of edgeae's kernel sets against XNNPACK and Eigen, and
# per-kernel GFLOP/s, single thread, batch 1; then prints the summary table of
# the medians of this one run. Extra arguments go to edgeae_bench, e.g.
#   bash tools/bench.sh --benchmark_filter=conv1d_unet
# Takes about a minute with the defaults below (once built).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target edgeae_bench

# Five repetitions of at least 0.2 s each, interleaved in random order across
# benchmarks (so a noisy spell of the shared machine hits every contender
# alike); the summary uses the median of the five.
exec build/release/bench/edgeae_bench \
  --benchmark_min_time=0.2 \
  --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  "$@"
