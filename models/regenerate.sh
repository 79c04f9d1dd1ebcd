#!/usr/bin/env bash
# Retrains and re-exports every model in models/ with its default options (the
# committed files) and checks them. Needs `bash tools/setup.sh --models`.
#   bash models/regenerate.sh          # rewrites models/*
#   bash models/regenerate.sh DIR      # writes DIR/<model>/ instead (to compare:
#                                      # only train_seconds should differ)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-models}"
py=/usr/bin/python3
$py models/digits_dae/train.py --out "$out/digits_dae"
$py models/digits_dae/train.py --noise masking --save-test 16 \
  --name digits_dae_masking --out "$out/digits_dae_masking"
$py models/digits_sparse/train.py --penalty l1 --out "$out/digits_sparse/l1"
$py models/digits_sparse/train.py --penalty kl --out "$out/digits_sparse/kl"
$py models/digits_conv_dae/train.py --out "$out/digits_conv_dae"
$py models/speech_unet1d/train.py --out "$out/speech_unet1d"
$py models/conv2d_ae/export.py --out "$out/conv2d_ae"
$py models/unet1d/export.py --out "$out/unet1d"
$py models/make_calibration.py --out "$out"
if [ "$out" = models ]; then $py models/check_onnx.py -q; fi
