#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (nothing else
# is downloaded). Safe to run repeatedly; skips apt when all are present.
#   bash tools/setup.sh            build and test dependencies
#   bash tools/setup.sh --models   also what retraining models/ needs (PyTorch,
#                                  ONNX, scikit-learn, SciPy, matplotlib, and
#                                  alsa-utils for its speech recordings); the
#                                  tests never need these
set -euo pipefail
packages=(
  cmake ninja-build g++ binutils clang-format
  doctest-dev libxsimd-dev libbenchmark-dev
  libxnnpack-dev libpthreadpool-dev libeigen3-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
  g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user qemu-system-arm
)
case "${1:-}" in
  "") ;;
  --models)
    packages+=(python3-torch python3-onnx python3-numpy python3-sklearn python3-scipy
      python3-matplotlib alsa-utils)
    ;;
  *)
    echo "usage: bash tools/setup.sh [--models]" >&2
    exit 2
    ;;
esac
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
