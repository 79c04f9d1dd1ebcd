#!/usr/bin/env bash
# Applies clang-format to every tracked C/C++ file (tools/test.sh checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format -i
