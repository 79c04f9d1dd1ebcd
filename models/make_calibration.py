#!/usr/bin/env python3
"""Writes calib.npy, the int8/int16 calibration inputs, into each shipped model's
directory: a small, deterministic sample of that model's TRAINING data with the
noise it was trained with, never its held-out test data.

  digits_dae, digits_dae_masking,     128 training images of the digits split
  digits_sparse/l1, digits_sparse/kl  (aetrain.digits_split), corrupted with
                                      aetrain.corrupt and the noise options of
                                      the model's metrics.json (Gaussian sigma
                                      0.3 clipped, or 30 % masking): [128, 64]
  digits_conv_dae                     the same images as [128, 1, 8, 8]
  speech_unet1d                       12 frames of 1024 samples from the six
                                      training recordings (the two loudest
                                      non-overlapping frames of each), white
                                      noise at 12 SNRs spread evenly over the
                                      training range [snr_min, snr_max] =
                                      [0, 30] dB: [12, 1, 1024]
  conv2d_ae   (random weights)        RANDOM inputs like its test inputs:
                                      128 uniform [0, 1) images [128, 1, 8, 8]
  unet1d      (random weights)        RANDOM inputs like its test inputs:
                                      32 noisy sines [32, 1, 256]

The images (and frames) are a fixed function of the model's seed; the noise
comes from a torch.Generator seeded with seed + CALIB_SEED_OFFSET (100), away
from the training scripts' generators (seed + 1 .. seed + 5). The random
models' inputs come from RandomState(seed + 100), away from their export
scripts' seeds (seed .. seed + 3). Each file is float32, C order, at most
64 KB. A re-run writes identical bytes.

Needs what training needs (Debian python3-torch, python3-numpy,
python3-sklearn, python3-scipy, alsa-utils for the speech recordings):

  /usr/bin/python3 models/make_calibration.py            # all models
  /usr/bin/python3 models/make_calibration.py --out DIR  # DIR/<model>/calib.npy
"""

import argparse
import importlib.util
import json
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "common"))
import aetrain  # noqa: E402  (first: it sets up OpenMP before torch loads)
import numpy as np  # noqa: E402
import torch  # noqa: E402

CALIB_SEED_OFFSET = 100
N_DIGITS = 128
N_SPEECH = 12
N_CONV2D = 128
N_UNET1D = 32
MAX_BYTES = 64 * 1024

# model directory -> input shape of one sample for the digits models
DIGITS = {
    "digits_dae": (-1, 64),
    "digits_dae_masking": (-1, 64),
    "digits_sparse/l1": (-1, 64),
    "digits_sparse/kl": (-1, 64),
    "digits_conv_dae": (-1, 1, 8, 8),
}


def script(relpath, name):
    """Imports models/RELPATH as a module (the training/export scripts guard
    main(), so importing only defines their helpers)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, relpath))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def config(model_dir):
    with open(os.path.join(HERE, model_dir, "metrics.json")) as f:
        return types.SimpleNamespace(**json.load(f)["config"])


def digits_calib(model_dir, shape):
    """N_DIGITS training images (the first of the fixed training permutation),
    corrupted with the model's own noise options."""
    cfg = config(model_dir)
    x = aetrain.digits()
    train_idx, _, test_idx = aetrain.digits_split(len(x), cfg.seed)
    pick = train_idx[:N_DIGITS]
    assert not set(pick.tolist()) & set(test_idx.tolist())
    clean = torch.from_numpy(x[pick]).reshape(shape)
    g = torch.Generator().manual_seed(cfg.seed + CALIB_SEED_OFFSET)
    return aetrain.corrupt(clean, cfg, g).numpy()


def speech_calib():
    """N_SPEECH frames of the training recordings, noise at evenly spread SNRs."""
    speech = script("speech_unet1d/train.py", "speech_train")
    cfg = config("speech_unet1d")
    per = N_SPEECH // len(speech.TRAIN)
    clean, ref = [], []
    for name in speech.TRAIN:
        assert name not in (speech.TEST, speech.VAL)
        audio = speech.load(name)
        whole = speech.frames(audio, cfg.frame)[:len(audio) // cfg.frame]  # full frames only
        energy = np.square(whole, dtype=np.float64).sum(axis=(1, 2))
        loudest = np.sort(np.argsort(-energy, kind="stable")[:per])
        clean.append(whole[loudest])
        ref += [speech.rms(audio)] * per
    clean = torch.from_numpy(np.concatenate(clean))
    snr_db = torch.linspace(cfg.snr_min, cfg.snr_max, len(clean))
    # Spread the levels over the recordings rather than in recording order.
    g = torch.Generator().manual_seed(cfg.seed + CALIB_SEED_OFFSET)
    snr_db = snr_db[torch.randperm(len(clean), generator=g)]
    noisy = speech.add_white_noise(clean, torch.tensor(ref), snr_db, g)
    return noisy.numpy()


def conv2d_calib(seed=0):
    """RANDOM inputs (random-weight model): uniform [0, 1) like its test inputs."""
    rng = np.random.RandomState(seed + CALIB_SEED_OFFSET)
    return rng.uniform(0.0, 1.0, (N_CONV2D, 1, 8, 8)).astype(np.float32)


def unet1d_calib(seed=0):
    """RANDOM inputs (random-weight model): noisy sines like its test inputs."""
    unet = script("unet1d/export.py", "unet1d_export")
    return unet.noisy_sines(N_UNET1D, np.random.RandomState(seed + CALIB_SEED_OFFSET))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=HERE, help="root directory (default: models/)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    jobs = [(d, lambda d=d, s=s: digits_calib(d, s)) for d, s in DIGITS.items()]
    jobs += [("speech_unet1d", speech_calib), ("conv2d_ae", conv2d_calib),
             ("unet1d", unet1d_calib)]
    for model_dir, make in jobs:
        x = np.ascontiguousarray(make(), np.float32)
        assert np.all(np.isfinite(x))
        out = os.path.join(args.out, model_dir)
        aetrain.save_arrays(out, calib=x)
        path = os.path.join(out, "calib.npy")
        size = os.path.getsize(path)
        assert size <= MAX_BYTES, (path, size)
        print(f"wrote {path}: {list(x.shape)}, range [{x.min():.3f}, {x.max():.3f}], "
              f"{size} bytes")


if __name__ == "__main__":
    main()
