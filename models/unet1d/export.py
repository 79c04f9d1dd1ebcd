#!/usr/bin/env python3
"""1-D U-Net residual denoiser, random weights, to ONNX.

Purpose: a converter/runtime conformance model for the 1-D ops and the skip
structure of a U-Net (Conv 1-D with stride, MaxPool, LeakyRelu, Relu, Resize
nearest, Add skip, Concat skip, Sub residual).  Weights are random (fixed
seed), not trained, and rescaled layer by layer on a calibration batch so that
every conv output has a standard deviation near 1 (the last one near 0.5):
activations stay O(1) throughout, which makes a float32 comparison meaningful
and a later int8/int16 calibration sane.

  x [batch,1,256]
  e1 = LeakyReLU0.1(Conv1d(1->8, k5, p2)(x))                      [b, 8,256]
  p  = MaxPool1d(2)(e1)                                           [b, 8,128]
  e2 = LeakyReLU0.1(Conv1d(8->16, k5, p2)(p))                     [b,16,128]
  d  = ReLU(Conv1d(16->16, k3, s2, p1)(e2))                       [b,16, 64]
  b  = ReLU(Conv1d(16->16, k3, p1)(d))            bottleneck      [b,16, 64]
  u2 = Conv1d(16->16, k3, p1)(Upsample x2 nearest(b)) + e2        [b,16,128]
  u1 = LeakyReLU0.1(Conv1d(16->8, k3, p1)(Upsample x2 nearest(u2)))[b, 8,256]
  r  = Conv1d(16->1, k3, p1)(cat([u1, e1], dim=1))                [b, 1,256]
  y  = x - r                                      residual        [b, 1,256]

Outputs (in --out, default: this script's directory):
  unet1d.onnx          opset 13, input "x" [batch,1,256], output "y", dynamic "batch"
  test_input.npy       float32 [8,1,256]: sines (random frequency, phase,
                       amplitude) plus Gaussian noise sigma 0.2
  test_torch_out.npy   float32 [8,1,256], PyTorch output on test_input

  /usr/bin/python3 models/unet1d/export.py
"""

import argparse
import os
import warnings

import numpy as np
import torch
import torch.nn as nn

# torch.onnx shape-inference chatter (prim::Constant) is harmless here.
warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")

HERE = os.path.dirname(os.path.abspath(__file__))
N_TEST = 8
LENGTH = 256


class UNet1D(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv1d(1, 8, 5, padding=2)
        self.act1 = nn.LeakyReLU(0.1)
        self.pool = nn.MaxPool1d(2)
        self.enc2 = nn.Conv1d(8, 16, 5, padding=2)
        self.act2 = nn.LeakyReLU(0.1)
        self.down = nn.Conv1d(16, 16, 3, stride=2, padding=1)
        self.act3 = nn.ReLU()
        self.bottleneck = nn.Conv1d(16, 16, 3, padding=1)
        self.act4 = nn.ReLU()
        self.up2 = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec2 = nn.Conv1d(16, 16, 3, padding=1)
        self.up1 = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec1 = nn.Conv1d(16, 8, 3, padding=1)
        self.act5 = nn.LeakyReLU(0.1)
        self.head = nn.Conv1d(16, 1, 3, padding=1)

    def forward(self, x):
        e1 = self.act1(self.enc1(x))
        e2 = self.act2(self.enc2(self.pool(e1)))
        b = self.act4(self.bottleneck(self.act3(self.down(e2))))
        u2 = self.dec2(self.up2(b)) + e2
        u1 = self.act5(self.dec1(self.up1(u2)))
        r = self.head(torch.cat([u1, e1], dim=1))
        return x - r


def noisy_sines(n, rng, sigma=0.2):
    t = np.arange(LENGTH, dtype=np.float64)
    freq = rng.uniform(1.0, 12.0, (n, 1)) / LENGTH           # 1..12 periods per window
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 1.0, (n, 1))
    clean = amp * np.sin(2 * np.pi * freq * t + phase)
    noisy = clean + sigma * rng.standard_normal((n, LENGTH))
    return noisy.astype(np.float32).reshape(n, 1, LENGTH)


def randomize(model, calib, g):
    """He-normal weights, N(0, 0.1) biases, then per conv (in forward order) one
    scale factor so that its output std on `calib` is 1 (0.5 for the head)."""
    convs = [model.enc1, model.enc2, model.down, model.bottleneck,
             model.dec2, model.dec1, model.head]
    with torch.no_grad():
        for c in convs:
            fan_in = c.weight[0].numel()
            c.weight.copy_(torch.randn(c.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
            c.bias.copy_(torch.randn(c.bias.shape, generator=g) * 0.1)
        for c in convs:
            seen = {}

            def hook(module, inputs, output):
                seen["std"] = output.std().item()

            h = c.register_forward_hook(hook)
            model(calib)
            h.remove()
            target = 0.5 if c is model.head else 1.0
            s = target / seen["std"]
            c.weight.mul_(s)
            c.bias.mul_(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=HERE, help="output directory")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    model = UNet1D().eval()
    g = torch.Generator().manual_seed(args.seed + 1)
    calib = torch.from_numpy(noisy_sines(64, np.random.RandomState(args.seed + 3)))
    randomize(model, calib, g)

    x = noisy_sines(N_TEST, np.random.RandomState(args.seed + 2))
    xt = torch.from_numpy(x)
    with torch.no_grad():
        y = model(xt).numpy().astype(np.float32)
    print(f"input std {x.std():.3f}; output range [{y.min():.3f}, {y.max():.3f}], "
          f"std {y.std():.3f}; residual std {(x - y).std():.3f}")

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "unet1d.onnx")
    torch.onnx.export(model, xt[:1], path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                      opset_version=13, do_constant_folding=True)
    np.save(os.path.join(args.out, "test_input.npy"), x)
    np.save(os.path.join(args.out, "test_torch_out.npy"), y)
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and test data")


if __name__ == "__main__":
    main()
