#!/usr/bin/env python3
"""Denoising autoencoder on scikit-learn's 8x8 digits, exported to ONNX.

Model (dense):  64 -> 32 ReLU -> 16 ReLU (latent) -> 32 ReLU -> 64 Sigmoid
(--dropout P adds a Dropout after each hidden ReLU; it exports to nothing).

Data: sklearn.datasets.load_digits (bundled with scikit-learn, no download),
1797 images of 8x8 pixels with values 0..16, scaled to [0, 1] by dividing by 16
and flattened row-major to 64 features.  A fixed permutation (seed) splits the
set into 100 test, 15 % of the rest validation, the remainder training.

Noise (--noise):
  gaussian (default)  additive Gaussian, sigma 0.3, and the noisy image is
                      CLIPPED to [0, 1].  Clipping keeps the network input inside
                      the physical pixel range, exactly what a real sensor/ADC
                      would deliver, and gives the quantizer a known, bounded
                      input range for int8/int16 calibration.
  masking             a random --mask-fraction of the pixels set to 0 (the
                      shipped variant: models/digits_dae_masking/, fraction 0.3)
  both                Gaussian (clipped), then masking
Training draws fresh noise for every batch (a seeded torch.Generator); the
validation and test noisy sets are drawn once from fixed seeds so early
stopping and the committed test vectors are reproducible.

Training: MSE loss, Adam by default (--optimizer), mini-batches, early stopping
on validation loss (patience epochs without improvement), best weights
restored; optional L2 weight decay, dropout and random +-1 pixel shifts
(--augment).  2 threads.  The machinery is models/common/aetrain.py.

Outputs (in --out, default: this script's directory):
  NAME.onnx            (--name, default digits_dae) opset 13, input "noisy"
                       [batch, 64], output "denoised" [batch, 64], dynamic
                       axis "batch"
  test_noisy.npy       float32 [T, 64] noisy held-out test inputs
  test_clean.npy       float32 [T, 64] the corresponding clean images
  test_torch_out.npy   float32 [T, 64] PyTorch model output on test_noisy
  metrics.json         loss curves, test MSE/PSNR (peak 1.0)/SNR, timing, config
T is --save-test (default 100, all test images); the metrics always use all 100.

Run with /usr/bin/python3 (Debian python3-torch, python3-onnx, python3-sklearn):
  /usr/bin/python3 models/digits_dae/train.py
  /usr/bin/python3 models/digits_dae/train.py --noise masking --save-test 16 \\
      --name digits_dae_masking --out models/digits_dae_masking
The defaults reproduce the committed files (same torch build, CPU).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import aetrain  # noqa: E402  (first: it sets up OpenMP before torch loads)
import torch.nn as nn  # noqa: E402

class DAE(nn.Module):
    def __init__(self, n_in=64, hidden=32, latent=16, drop=()):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), *drop,
            nn.Linear(hidden, latent), nn.ReLU(), *drop,
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.ReLU(), *drop,
            nn.Linear(hidden, n_in), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    ap = aetrain.digits_parser(__doc__, 1000, 30)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--latent", type=int, default=16)
    aetrain.add_output_args(ap, "digits_dae", HERE, 100)
    args = aetrain.parse(ap)

    arch = (f"64 -> {args.hidden} ReLU -> {args.latent} ReLU -> {args.hidden} ReLU -> "
            "64 Sigmoid")
    aetrain.train_digits(args, DAE(64, args.hidden, args.latent, aetrain.dropout(args)), arch)

if __name__ == "__main__":
    main()
