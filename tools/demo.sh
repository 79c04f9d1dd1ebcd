#!/usr/bin/env bash
# The main job, from a fresh clone: install dependencies, build, convert the
# shipped digits denoiser (trained in PyTorch, exported to ONNX) and denoise
# the 100 held-out noisy digits with it, printing MSE and PSNR before and
# after denoising and the time per sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target edgeae
edgeae=build/release/converters/edgeae
out=build/demo
mkdir -p "$out"
echo "== convert models/digits_dae/digits_dae.onnx"
"$edgeae" convert models/digits_dae/digits_dae.onnx -o "$out/digits_dae.eab" --emit-c "$out/digits_dae"
echo "== denoise models/digits_dae/test_noisy.npy -> $out/denoised.npy"
"$edgeae" run "$out/digits_dae.eab" --input models/digits_dae/test_noisy.npy --output "$out/denoised.npy"
echo "== quality against the clean digits"
"$edgeae" eval "$out/digits_dae.eab" --input models/digits_dae/test_noisy.npy \
  --target models/digits_dae/test_clean.npy --peak 1
