#!/usr/bin/env python3
"""Denoising autoencoder on scikit-learn's 8x8 digits, exported to ONNX.

Model (dense):  64 -> 32 ReLU -> 16 ReLU (latent) -> 32 ReLU -> 64 Sigmoid

Data: sklearn.datasets.load_digits (bundled with scikit-learn, no download),
1797 images of 8x8 pixels with values 0..16, scaled to [0, 1] by dividing by 16
and flattened row-major to 64 features.  A fixed permutation (seed) splits the
set into 100 test, 15 % of the rest validation, the remainder training.

Noise: additive Gaussian, sigma 0.3 by default, and the noisy image is CLIPPED
to [0, 1].  Clipping keeps the network input inside the physical pixel range,
exactly what a real sensor/ADC would deliver, and gives the quantizer a known,
bounded input range for int8/int16 calibration.  Training draws fresh noise
every epoch (a seeded torch.Generator); the validation and test noisy sets are
drawn once from fixed seeds so early stopping and the committed test vectors
are reproducible.

Training: MSE loss, Adam, mini-batches, early stopping on validation loss
(patience epochs without improvement), best weights restored.  2 threads.

Outputs (in --out, default: this script's directory):
  digits_dae.onnx      opset 13, input "noisy" [batch, 64], output "denoised"
                       [batch, 64], dynamic axis "batch"
  test_noisy.npy       float32 [100, 64] noisy (clipped) held-out test inputs
  test_clean.npy       float32 [100, 64] the corresponding clean images
  test_torch_out.npy   float32 [100, 64] PyTorch model output on test_noisy
  metrics.json         loss curves, test MSE/PSNR (peak 1.0), timing, config

Run with /usr/bin/python3 (Debian python3-torch, python3-onnx, python3-sklearn):
  /usr/bin/python3 models/digits_dae/train.py
The defaults reproduce the committed files (same torch build, CPU).
"""

import argparse
import json
import math
import os
import warnings
import time

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

# torch.onnx shape-inference chatter (prim::Constant) is harmless here.
warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")

HERE = os.path.dirname(os.path.abspath(__file__))
N_TEST = 100


class DAE(nn.Module):
    def __init__(self, n_in=64, hidden=32, latent=16):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, latent), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, hidden), nn.ReLU(),
            nn.Linear(hidden, n_in), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def add_noise(clean, sigma, generator, clip):
    noisy = clean + sigma * torch.randn(clean.shape, generator=generator)
    return noisy.clamp(0.0, 1.0) if clip else noisy


def mse(a, b):
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def psnr(m, peak=1.0):
    return float(10.0 * math.log10(peak * peak / m)) if m > 0 else float("inf")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=1000, help="maximum epochs")
    ap.add_argument("--patience", type=int, default=30,
                    help="early stopping: epochs without validation improvement")
    ap.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--sigma", type=float, default=0.3, help="Gaussian noise sigma")
    ap.add_argument("--no-clip", dest="clip", action="store_false",
                    help="do not clip noisy inputs to [0, 1] (default: clip)")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--latent", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=HERE, help="output directory")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    # ---- data -------------------------------------------------------------
    x = (load_digits().data / 16.0).astype(np.float32)  # [1797, 64] in [0, 1]
    perm = np.random.RandomState(args.seed).permutation(len(x))
    test_idx = perm[:N_TEST]
    rest = perm[N_TEST:]
    n_val = int(round(0.15 * len(rest)))
    val_idx, train_idx = rest[:n_val], rest[n_val:]
    x_train = torch.from_numpy(x[train_idx])
    x_val = torch.from_numpy(x[val_idx])
    x_test = torch.from_numpy(x[test_idx])

    g_val = torch.Generator().manual_seed(args.seed + 1)
    g_test = torch.Generator().manual_seed(args.seed + 2)
    g_train = torch.Generator().manual_seed(args.seed + 3)
    g_shuffle = torch.Generator().manual_seed(args.seed + 4)
    x_val_noisy = add_noise(x_val, args.sigma, g_val, args.clip)
    x_test_noisy = add_noise(x_test, args.sigma, g_test, args.clip)

    # ---- model / training -------------------------------------------------
    model = DAE(64, args.hidden, args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()

    history = {"epoch": [], "train_loss": [], "val_loss": []}
    best = (float("inf"), -1, None)
    t0 = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_train), generator=g_shuffle)
        total, count = 0.0, 0
        for i in range(0, len(order), args.batch_size):
            clean = x_train[order[i:i + args.batch_size]]
            noisy = add_noise(clean, args.sigma, g_train, args.clip)
            opt.zero_grad()
            loss = loss_fn(model(noisy), clean)
            loss.backward()
            opt.step()
            total += loss.item() * len(clean)
            count += len(clean)
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(x_val_noisy), x_val).item()
        history["epoch"].append(epoch)
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
        if val_loss < best[0]:
            best = (val_loss, epoch, {k: v.clone() for k, v in model.state_dict().items()})
        elif epoch - best[1] >= args.patience:
            break
    train_seconds = time.perf_counter() - t0
    model.load_state_dict(best[2])
    model.eval()
    print(f"trained {history['epoch'][-1]} epochs in {train_seconds:.1f} s, "
          f"best val loss {best[0]:.6f} at epoch {best[1]}")

    # ---- test -------------------------------------------------------------
    with torch.no_grad():
        y_test = model(x_test_noisy)
    noisy_np = x_test_noisy.numpy().astype(np.float32)
    clean_np = x_test.numpy().astype(np.float32)
    out_np = y_test.numpy().astype(np.float32)
    mse_noisy, mse_den = mse(noisy_np, clean_np), mse(out_np, clean_np)
    metrics = {
        "config": {k: v for k, v in vars(args).items() if k != "out"},
        "architecture": f"64 -> {args.hidden} ReLU -> {args.latent} ReLU -> "
                        f"{args.hidden} ReLU -> 64 Sigmoid",
        "split": {"train": len(train_idx), "val": len(val_idx), "test": len(test_idx)},
        "torch_version": torch.__version__,
        "train_seconds": round(train_seconds, 2),
        "epochs_run": history["epoch"][-1],
        "best_epoch": best[1],
        "best_val_loss": best[0],
        "test": {
            "n": N_TEST,
            "mse_noisy_vs_clean": mse_noisy,
            "mse_denoised_vs_clean": mse_den,
            "psnr_noisy_db": psnr(mse_noisy),
            "psnr_denoised_db": psnr(mse_den),
            "psnr_gain_db": psnr(mse_den) - psnr(mse_noisy),
            "psnr_peak": 1.0,
        },
        "history": history,
    }
    print(f"test PSNR noisy {metrics['test']['psnr_noisy_db']:.2f} dB -> "
          f"denoised {metrics['test']['psnr_denoised_db']:.2f} dB "
          f"(MSE {mse_noisy:.5f} -> {mse_den:.5f})")

    # ---- write ------------------------------------------------------------
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "digits_dae.onnx")
    torch.onnx.export(
        model, x_test_noisy[:1], onnx_path,
        input_names=["noisy"], output_names=["denoised"],
        dynamic_axes={"noisy": {0: "batch"}, "denoised": {0: "batch"}},
        opset_version=13, do_constant_folding=True)
    np.save(os.path.join(args.out, "test_noisy.npy"), noisy_np)
    np.save(os.path.join(args.out, "test_clean.npy"), clean_np)
    np.save(os.path.join(args.out, "test_torch_out.npy"), out_np)
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes) and test data")


if __name__ == "__main__":
    main()
