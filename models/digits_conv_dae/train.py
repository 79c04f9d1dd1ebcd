#!/usr/bin/env python3
"""Convolutional denoising autoencoder on the 8x8 digits, exported to ONNX.

  noisy [batch,1,8,8]
  Conv2d(1->12,  k3, s1, p1) + BatchNorm2d + ReLU                 [12, 8, 8]
  Conv2d(12->24, k3, s2, p1) + BatchNorm2d + ReLU                 [24, 4, 4]
  Conv2d(24->24, k3, s2, p1) + BatchNorm2d + ReLU    (code)       [24, 2, 2]
  ConvTranspose2d(24->24, k3, s2, p1, output_padding 1) + BN + ReLU [24, 4, 4]
  ConvTranspose2d(24->12, k3, s2, p1, output_padding 1) + BN + ReLU [12, 8, 8]
  Conv2d(12->1,  k3, s1, p1) + Sigmoid                            [1, 8, 8]
(--dropout P adds a Dropout after the code and after the first ConvTranspose;
it exports to nothing; --channels C scales the widths C, 2C.)

Data, split and noise are those of digits_dae (models/common/aetrain.py): 100
test, 255 validation, 1442 training images, each as [1, 8, 8]; additive
Gaussian noise sigma 0.3 clipped to [0, 1] (--noise masking|both also work).

Exported from model.eval() with the exporter's default (TrainingMode.EVAL):
torch 1.13 folds each BatchNorm that follows a Conv into the Conv itself, and
leaves the two after the ConvTranspose layers as BatchNormalization nodes,
which the edgeae converter folds.

Outputs (in --out, default: this script's directory):
  digits_conv_dae.onnx   opset 13, "noisy" [batch,1,8,8] -> "denoised" [batch,1,8,8]
  test_noisy.npy / test_clean.npy / test_torch_out.npy   float32 [16, 1, 8, 8]
  metrics.json

  /usr/bin/python3 models/digits_conv_dae/train.py
The defaults reproduce the committed files (same torch build, CPU).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import aetrain  # noqa: E402  (first: it sets up OpenMP before torch loads)
import torch.nn as nn  # noqa: E402


def block(conv, channels):
    return [conv, nn.BatchNorm2d(channels), nn.ReLU()]


class ConvDAE(nn.Module):
    def __init__(self, c, drop=()):
        super().__init__()
        self.net = nn.Sequential(
            *block(nn.Conv2d(1, c, 3, 1, 1), c),
            *block(nn.Conv2d(c, 2 * c, 3, 2, 1), 2 * c),
            *block(nn.Conv2d(2 * c, 2 * c, 3, 2, 1), 2 * c), *drop,
            *block(nn.ConvTranspose2d(2 * c, 2 * c, 3, 2, 1, output_padding=1), 2 * c), *drop,
            *block(nn.ConvTranspose2d(2 * c, c, 3, 2, 1, output_padding=1), c),
            nn.Conv2d(c, 1, 3, 1, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)


def main():
    ap = aetrain.digits_parser(__doc__, 300, 20)
    ap.add_argument("--channels", type=int, default=12)
    aetrain.add_output_args(ap, "digits_conv_dae", HERE, 16)
    args = aetrain.parse(ap)

    c = args.channels
    arch = (f"[1,8,8] -> Conv {c} s1 -> Conv {2 * c} s2 -> Conv {2 * c} s2 [{2 * c},2,2] -> "
            f"ConvT {2 * c} s2 -> ConvT {c} s2 (each + BN + ReLU) -> Conv 1 + Sigmoid")
    aetrain.train_digits(args, ConvDAE(c, aetrain.dropout(args)), arch, shape=(-1, 1, 8, 8))

if __name__ == "__main__":
    main()
