#!/usr/bin/env python3
"""Sparse overcomplete denoising autoencoder on the 8x8 digits, exported to ONNX.

Model (dense, one hidden layer wider than the input):
  --penalty l1   64 -> 128 ReLU    -> 64 Sigmoid, loss MSE + lambda * mean|h|
  --penalty kl   64 -> 128 Sigmoid -> 64 Sigmoid, loss MSE + beta * sum_j
                 KL(rho || rho_hat_j), rho_hat_j = mean activation of hidden
                 unit j over the batch, KL(p||q) = p log(p/q) + (1-p) log((1-p)/(1-q))
(--dropout P adds a Dropout after the hidden activation; it exports to nothing.)
With 128 hidden units for 64 inputs the code is overcomplete: the penalty, not
a bottleneck, is what keeps it from copying its input.

Data, split and noise are those of digits_dae (models/common/aetrain.py): 100
test, 255 validation, 1442 training images; additive Gaussian noise sigma 0.3
clipped to [0, 1] (--noise none trains a plain sparse autoencoder).  Early
stopping watches the validation objective (MSE + penalty).  metrics.json adds
a "sparsity" section measured on the 100 noisy test images: the mean hidden
activation (next to rho for kl), the per-unit mean activations (min, median,
max), the fraction of activations below 0.01 (and exactly 0 for ReLU) and the
number of units never above 0.01.

Outputs (in --out, default: this script's directory / PENALTY):
  digits_sparse_PENALTY.onnx  opset 13, "noisy" [batch, 64] -> "denoised" [batch, 64]
  test_noisy.npy / test_clean.npy / test_torch_out.npy   float32 [16, 64]
  metrics.json

  /usr/bin/python3 models/digits_sparse/train.py --penalty l1
  /usr/bin/python3 models/digits_sparse/train.py --penalty kl
The defaults reproduce the committed files (same torch build, CPU).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import aetrain  # noqa: E402  (first: it sets up OpenMP before torch loads)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

NEAR_ZERO = 0.01


class SparseAE(nn.Module):
    def __init__(self, hidden, activation, drop=()):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, hidden), activation)
        self.drop = nn.Sequential(*drop)
        self.decoder = nn.Sequential(nn.Linear(hidden, 64), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.drop(self.encoder(x)))


def kl_sparsity(rho, rho_hat):
    rho_hat = rho_hat.clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat)
            + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def objective(args):
    """loss(model, inputs, targets) = MSE + the sparsity penalty on the hidden code."""
    def loss(model, inputs, targets):
        h = model.encoder(inputs)
        err = nn.functional.mse_loss(model.decoder(model.drop(h)), targets)
        if args.penalty == "l1":
            return err + args.l1 * h.abs().mean()
        return err + args.beta * kl_sparsity(args.rho, h.mean(0))
    return loss


def sparsity(args, h):
    unit_mean = h.mean(0)
    s = {
        "mean_activation": float(h.mean()),
        "unit_mean_activation_min": float(unit_mean.min()),
        "unit_mean_activation_median": float(unit_mean.median()),
        "unit_mean_activation_max": float(unit_mean.max()),
        "fraction_below_0.01": float((h < NEAR_ZERO).float().mean()),
        "units_never_above_0.01": int((h.max(0).values < NEAR_ZERO).sum()),
        "measured_on": "the noisy test images",
    }
    if args.penalty == "kl":
        s = {"rho": args.rho, **s}
    else:
        s["fraction_exactly_zero"] = float((h == 0).float().mean())
        s["mean_active_units_per_image"] = float((h > 0).float().sum(1).mean())
    return s


def main():
    ap = aetrain.digits_parser(__doc__, 1000, 30)
    ap.add_argument("--penalty", choices=("l1", "kl"), required=True)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--l1", type=float, default=1e-3,
                    help="l1: weight of the mean absolute hidden activation")
    ap.add_argument("--rho", type=float, default=0.05, help="kl: target mean activation")
    ap.add_argument("--beta", type=float, default=1e-3, help="kl: weight of the KL sum")
    aetrain.add_output_args(ap, None, None, 16)
    args = aetrain.parse(ap)
    args.name = args.name or f"digits_sparse_{args.penalty}"
    args.out = args.out or os.path.join(HERE, args.penalty)

    act = nn.ReLU() if args.penalty == "l1" else nn.Sigmoid()
    aetrain.train_digits(
        args, SparseAE(args.hidden, act, aetrain.dropout(args)),
        f"64 -> {args.hidden} {type(act).__name__} -> 64 Sigmoid", loss=objective(args),
        extra=lambda model, noisy: {"sparsity": sparsity(args, model.encoder(noisy))})

if __name__ == "__main__":
    main()
