#!/usr/bin/env python3
"""Small convolutional autoencoder for 1x8x8 images, random weights, to ONNX.

Purpose: a converter/runtime conformance model (Conv 2-D with stride and
padding, BatchNormalization to fold, ConvTranspose 2-D with output_padding,
Relu, Sigmoid).  Weights are random (fixed seed), not trained.

  x [batch,1,8,8]
  Conv2d(1->8,  k3, s1, p1) + BatchNorm2d(8)  + ReLU   -> [batch, 8, 8, 8]
  Conv2d(8->16, k3, s2, p1) + BatchNorm2d(16) + ReLU   -> [batch,16, 4, 4]
  ConvTranspose2d(16->8, k3, s2, p1, output_padding=1)
                            + BatchNorm2d(8)  + ReLU   -> [batch, 8, 8, 8]
  Conv2d(8->1,  k3, s1, p1) + Sigmoid                  -> [batch, 1, 8, 8]

Conv weights are He-normal, biases N(0, 0.1).  BatchNorm running_mean,
running_var (positive), weight and bias are set to non-trivial random values
(near the real channel statistics of a random calibration batch, so that
activations stay O(1)) so that BN folding is really exercised.  The model
is exported in eval mode with do_constant_folding=False so that the
BatchNormalization nodes stay in the graph (PyTorch would otherwise fold them
itself and the converter's BN-folding pass would never be tested).

Outputs (in --out, default: this script's directory):
  conv2d_ae.onnx       opset 13, input "x" [batch,1,8,8], output "y", dynamic "batch"
  test_input.npy       float32 [16,1,8,8], uniform [0, 1)
  test_torch_out.npy   float32 [16,1,8,8], PyTorch output on test_input

  /usr/bin/python3 models/conv2d_ae/export.py
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
N_TEST = 16


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, 8, 3, stride=1, padding=1),
                                  nn.BatchNorm2d(8), nn.ReLU())
        self.enc2 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.dec1 = nn.Sequential(nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1,
                                                     output_padding=1),
                                  nn.BatchNorm2d(8), nn.ReLU())
        self.dec2 = nn.Sequential(nn.Conv2d(8, 1, 3, stride=1, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.dec2(self.dec1(self.enc2(self.enc1(x))))


def randomize(model, x, g):
    """Random conv weights (He-normal, so ReLU layers keep unit-ish scale) and
    random-but-plausible BatchNorm statistics: per channel, running_mean is the
    true mean of that channel on `x` plus a random offset, running_var is the true
    variance times a random factor in [0.5, 2), gamma in [0.5, 2), beta ~ N(0, 0.3).
    Activations so stay O(1) and the sigmoid output spans a useful range."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = m.weight[0].numel() if isinstance(m, nn.Conv2d) else \
                    m.weight.shape[0] * m.weight[0, 0].numel() / (m.stride[0] * m.stride[1])
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        h = x
        for block in (model.enc1, model.enc2, model.dec1, model.dec2):
            for layer in block:
                if isinstance(layer, nn.BatchNorm2d):
                    c = layer.num_features
                    mean = h.mean(dim=(0, 2, 3))
                    var = h.var(dim=(0, 2, 3))
                    layer.running_mean.copy_(mean + torch.randn(c, generator=g) * 0.3 * var.sqrt())
                    layer.running_var.copy_(var * (torch.rand(c, generator=g) * 1.5 + 0.5))
                    layer.weight.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
                    layer.bias.copy_(torch.randn(c, generator=g) * 0.3)
                    layer.eps = 1e-5
                h = layer.eval()(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=HERE, help="output directory")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    model = ConvAE()
    g = torch.Generator().manual_seed(args.seed + 1)
    # BN statistics come from a separate calibration batch, not the test inputs.
    calib = torch.rand((256, 1, 8, 8), generator=g)
    randomize(model, calib, g)
    model.eval()

    x = np.random.RandomState(args.seed + 2).uniform(0.0, 1.0, (N_TEST, 1, 8, 8)).astype(np.float32)
    xt = torch.from_numpy(x)
    with torch.no_grad():
        y = model(xt).numpy().astype(np.float32)
    print(f"output range [{y.min():.4f}, {y.max():.4f}], mean {y.mean():.4f}, std {y.std():.4f}")

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "conv2d_ae.onnx")
    torch.onnx.export(model, xt[:1], path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                      opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    np.save(os.path.join(args.out, "test_input.npy"), x)
    np.save(os.path.join(args.out, "test_torch_out.npy"), y)
    print(f"wrote {path} ({os.path.getsize(path)} bytes) and test data")


if __name__ == "__main__":
    main()
