#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs dependencies (Debian
# packages), then builds and tests every preset:
#   release    host, optimized: unit, end-to-end, ONNX conformance and invariant
#              tests (ctest)
#   dev        host, debug, ASan + UBSan: the same suite
#   aarch64    AArch64 Linux (NEON): kernel, planner, runtime and invariant
#              tests under qemu-aarch64 (default CPU: every feature)
#   aarch64-a53  the same build on a Cortex-A53 (no dot product)
#   armv7      ARMv7-A Linux (NEON-VFPv4, hard float): the same tests under
#              qemu-arm
#   cortex-m4  bare-metal runtime library: must compile freestanding, with the
#              no-heap/no-exceptions/no-globals check and its flash size
#   cortex-m4, cortex-m7, cortex-m55  firmware demos (firmware/): every golden
#              int8/int16 blob of digits_dae and unet1d under qemu-system-arm,
#              bit-exact against the x86 reference; then their flash/RAM table
# Takes about 7 minutes on 2 cores from a clone once the packages are
# installed (measured 6.5 min: release and dev builds dominate; ARM Linux
# about 2 minutes; firmware about 30 seconds), plus the first package install
# on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash tools/setup.sh

echo "== clang-format"
files=$(git ls-files '*.cpp' '*.hpp' '*.h' '*.c' 2>/dev/null || true)
[ -n "$files" ] && clang-format --dry-run --Werror $files

for preset in release dev; do
  echo "== $preset: build and test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done

echo "== ONNX node-test conformance (release build): what ran, what was skipped and why"
build/release/tests/edgeae_conformance ../shared/onnx-node-tests

# ARM Linux cross builds (no converter: ONNX/protobuf are host-only), tests
# under qemu-user.
cross_start=$SECONDS
for preset in aarch64 armv7; do
  echo "== $preset: cross build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
done
for preset in aarch64 aarch64-a53 armv7; do
  echo "== $preset: tests under qemu-user"
  ctest --preset "$preset" -j "$jobs"
done
echo "== ARM Linux builds and tests took $((SECONDS - cross_start)) s"

echo "== cortex-m4: freestanding runtime library"
cmake --preset cortex-m4 >/dev/null
cmake --build --preset cortex-m4 -j "$jobs"
lib=build/cortex-m4/runtime/libedgeae_runtime.a
NM=arm-none-eabi-nm bash tests/invariants/check_freestanding.sh "$lib"
arm-none-eabi-size -t "$lib" | tail -1 | awk '{print "cortex-m4 runtime library (reference kernels and the arm-dsp int8 Dense, -Os): text " $1 " bytes"}'

# Bare-metal firmware demos (the cortex-m4 build above made them too): each
# golden blob denoises its embedded inputs under qemu-system-arm and must give
# the x86 reference's output bytes exactly; then flash/RAM per board and model.
fw_start=$SECONDS
for preset in cortex-m4 cortex-m7 cortex-m55; do
  echo "== $preset: firmware demos under qemu-system-arm"
  [ "$preset" = cortex-m4 ] || cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
done
bash tools/firmware_size.sh
echo "== firmware builds and runs took $((SECONDS - fw_start)) s"
echo "== all presets passed"
