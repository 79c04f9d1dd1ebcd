#!/usr/bin/env python3
"""1-D convolutional U-Net speech denoiser (white noise), exported to ONNX.

Data: the eight spoken recordings of Debian's alsa-utils package
(/usr/share/sounds/alsa/{Front,Rear}_{Left,Center,Right}.wav and
Side_{Left,Right}.wav: one voice saying the channel name, 48 kHz int16 mono,
about 1.4 s each; Noise.wav is not speech and is not used), scaled to [-1, 1)
and resampled to 16 kHz with scipy.signal.resample_poly(x, 1, 3).
  test        Front_Center (held out: never trained or validated on)
  validation  Rear_Center
  training    the other six
Install them with `apt-get install alsa-utils` (or `bash tools/setup.sh --models`).

Noise: additive white Gaussian noise at an SNR relative to the RMS of the whole
(clean) recording, so silent stretches get the same noise as speech, as with a
real noisy microphone.  Training frames get a fresh SNR drawn uniformly from
[--snr-min, --snr-max] = [0, 30] dB and fresh noise every batch; validation
and test use the levels --snr-levels (0, 5, 10, 20 dB), drawn once from fixed
seeds.
--augment: random gain of +-6 dB and a random time offset (0..hop-1 samples)
of each training frame.

Model (frames of 1024 samples, [batch, 1, 1024]; LeakyReLU 0.1 after every
hidden conv; --channels 12,16,24,32,32):
  e0 = Conv1d(1->12,  k9, s1, p4)(x)                          [12, 1024]
  e1 = Conv1d(12->16, k5, s2, p2)(e0)                         [16,  512]
  e2 = Conv1d(16->24, k5, s2, p2)(e1)                         [24,  256]
  e3 = Conv1d(24->32, k5, s2, p2)(e2)                         [32,  128]
  e4 = Conv1d(32->32, k5, s2, p2)(e3)     (bottleneck)        [32,   64]
  d3 = ConvTranspose1d(32->32, k4, s2, p1)(e4) + e3  (Add)    [32,  128]
  d2 = ConvTranspose1d(32->24, k4, s2, p1)(d3) + e2  (Add)    [24,  256]
  d1 = ConvTranspose1d(24->16, k4, s2, p1)(d2) + e1  (Add)    [16,  512]
  d0 = ConvTranspose1d(16->12, k4, s2, p1)(d1)                [12, 1024]
  y  = x - Conv1d(24->1, k9, p4)(Concat(d0, e0))  (no activation: residual)
(--dropout P adds a Dropout after the bottleneck; it exports to nothing.)

Training: MSE on the waveform (--loss snr: minus the mean per-frame SNR gain
in dB, which weighs every SNR level the same), Adam by default, batches of
frames cut every --hop samples from the training recordings, early stopping
on the validation loss (models/common/aetrain.py).

Test: the whole held-out recording (zero padded to whole frames), denoised
frame by frame; metrics.json reports per SNR level the MSE, PSNR (peak 1.0 =
full scale) and SNR of the noisy input and of the output against the clean
recording (padding excluded).  The committed test vectors are four frames of
it, one per level.

Outputs (in --out, default: this script's directory):
  speech_unet1d.onnx   opset 13, "noisy" [batch,1,1024] -> "denoised" [batch,1,1024]
  test_noisy.npy / test_clean.npy / test_torch_out.npy   float32 [4, 1, 1024]
  metrics.json

  /usr/bin/python3 models/speech_unet1d/train.py
The defaults reproduce the committed files (same torch build, CPU).
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import aetrain  # noqa: E402  (first: it sets up OpenMP before torch loads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from scipy.io import wavfile  # noqa: E402
from scipy.signal import resample_poly  # noqa: E402

SOUNDS = "/usr/share/sounds/alsa"
TEST, VAL = "Front_Center", "Rear_Center"
TRAIN = ("Front_Left", "Front_Right", "Rear_Left", "Rear_Right", "Side_Left", "Side_Right")
RATE = 16000


def load(name):
    path = os.path.join(SOUNDS, name + ".wav")
    if not os.path.exists(path):
        sys.exit(f"{path} not found: apt-get install alsa-utils "
                 "(or bash tools/setup.sh --models)")
    rate, x = wavfile.read(path)
    assert x.dtype == np.int16 and x.ndim == 1 and rate == 3 * RATE, (path, rate, x.shape)
    return resample_poly(x.astype(np.float64) / 32768.0, 1, 3).astype(np.float32)


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def frames(x, frame):
    """x zero padded to whole frames, as [n, 1, frame]."""
    n = -(-len(x) // frame)
    return np.pad(x, (0, n * frame - len(x))).reshape(n, 1, frame)


def add_white_noise(clean, ref_rms, snr_db, generator):
    """clean + N(0, s^2), s = ref_rms / 10^(snr/20); ref_rms and snr_db per frame."""
    sigma = (ref_rms / 10.0 ** (snr_db / 20.0)).reshape(-1, 1, 1)
    return clean + sigma * torch.randn(clean.shape, generator=generator)


def snr_loss(model, inputs, targets):
    """Mean over frames of 10 log10(output error power / input noise power):
    minus the SNR improvement in dB, so every SNR level weighs the same (plain
    MSE is dominated by the loudest noise)."""
    def power(x):
        return (x - targets).square().mean(dim=(1, 2))
    return 10.0 * torch.log10(power(model(inputs)) / power(inputs)).mean()


def act():
    return nn.LeakyReLU(0.1)


class UNet1d(nn.Module):
    """channels [c0, c1, ..., cL]: e0 = Conv1d(1->c0, k9); e_i = Conv1d(c_{i-1}->c_i,
    k5, s2) for i = 1..L (e_L is the bottleneck); back up with
    ConvTranspose1d(c_i->c_{i-1}, k4, s2, p1), adding e_{i-1} for i > 1 and
    concatenating e0 at the top; y = x - Conv1d(2 c0 -> 1, k9)(that)."""

    def __init__(self, channels, drop=()):
        super().__init__()
        c = channels
        self.inp = nn.Sequential(nn.Conv1d(1, c[0], 9, 1, 4), act())
        self.down = nn.ModuleList(
            nn.Sequential(nn.Conv1d(c[i - 1], c[i], 5, 2, 2), act()) for i in range(1, len(c)))
        self.drop = nn.Sequential(*drop)
        self.up = nn.ModuleList(
            nn.Sequential(nn.ConvTranspose1d(c[i], c[i - 1], 4, 2, 1), act())
            for i in range(len(c) - 1, 0, -1))
        self.out = nn.Conv1d(2 * c[0], 1, 9, 1, 4)

    def forward(self, x):
        skips = [self.inp(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        d = self.drop(skips.pop())
        for up in self.up:
            d = up(d)
            e = skips.pop()
            d = d + e if skips else torch.cat([d, e], 1)
        return x - self.out(d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    aetrain.add_training_args(ap, epochs=120, patience=10, lr=2e-3, batch_size=16,
                              augment_help="random gain (+-6 dB) and time offset of "
                                           "the training frames")
    ap.add_argument("--frame", type=int, default=1024, help="samples per frame")
    ap.add_argument("--hop", type=int, default=512, help="training frame hop")
    ap.add_argument("--channels", default="12,16,24,32,32",
                    help="widths of the levels, full rate first")
    ap.add_argument("--snr-min", type=float, default=0.0, help="training SNR range, dB")
    ap.add_argument("--snr-max", type=float, default=30.0)
    ap.add_argument("--loss", choices=("mse", "snr"), default="mse",
                    help="snr: minus the mean per-frame SNR gain in dB; mse: waveform MSE")
    ap.add_argument("--snr-levels", default="0,5,10,20", help="validation/test SNRs, dB")
    aetrain.add_output_args(ap, "speech_unet1d", HERE)
    args = aetrain.parse(ap)
    levels = [float(s) for s in args.snr_levels.split(",")]
    channels = [int(c) for c in args.channels.split(",")]

    # ---- data -------------------------------------------------------------
    g_val, g_test, g_train, g_shuffle, g_augment = (
        torch.Generator().manual_seed(args.seed + k) for k in range(1, 6))
    train_audio = [load(n) for n in TRAIN]
    starts = [(r, s) for r, x in enumerate(train_audio)
              for s in range(0, len(x) - args.frame - args.hop + 1, args.hop)]
    train_rms = torch.tensor([rms(x) for x in train_audio])

    def make_batch(idx):
        n = len(idx)
        shift = (torch.randint(0, args.hop, (n,), generator=g_augment).tolist()
                 if args.augment else [0] * n)
        ids = idx.tolist()
        clean = torch.from_numpy(np.stack([
            train_audio[starts[i][0]][starts[i][1] + o:starts[i][1] + o + args.frame]
            for i, o in zip(ids, shift)]))[:, None]
        ref = train_rms[[starts[i][0] for i in ids]]
        if args.augment:
            gain = 10.0 ** ((torch.rand(n, generator=g_augment) * 12.0 - 6.0) / 20.0)
            clean, ref = clean * gain.reshape(-1, 1, 1), ref * gain
        snr_db = args.snr_min + (args.snr_max - args.snr_min) * torch.rand(n, generator=g_train)
        return add_white_noise(clean, ref, snr_db, g_train), clean

    def noisy_set(x, generator):
        """x framed once per level: (noisy, clean), [levels * frames, 1, frame]."""
        clean = torch.from_numpy(frames(x, args.frame))
        ref = torch.full((len(clean),), rms(x))
        noisy = [add_white_noise(clean, ref, torch.full((len(clean),), s), generator)
                 for s in levels]
        return torch.cat(noisy), clean.repeat(len(levels), 1, 1)

    val_noisy, val_clean = noisy_set(load(VAL), g_val)
    test_audio = load(TEST)
    test_noisy, test_clean = noisy_set(test_audio, g_test)

    # ---- model / training -------------------------------------------------
    model = UNet1d(channels, drop=aetrain.dropout(args))
    opt = aetrain.make_optimizer(args, model.parameters())
    loss = snr_loss if args.loss == "snr" else aetrain.mse_loss
    fitted = aetrain.fit(model, opt, len(starts), make_batch, val_noisy, val_clean, args,
                         g_shuffle, loss=loss)

    # ---- test: the whole held-out recording at each level -------------------
    with torch.no_grad():
        test_out = model(test_noisy)
    per = len(test_noisy) // len(levels)
    n = len(test_audio)
    test = {}
    for k, s in enumerate(levels):
        part = slice(k * per, (k + 1) * per)
        flat = [t[part].numpy().reshape(-1)[:n] for t in (test_noisy, test_out)]
        test[f"{s:g} dB"] = aetrain.quality(flat[0], test_audio, flat[1])
        aetrain.print_quality(test[f"{s:g} dB"], f"test {s:g} dB")
    split = {"train": list(TRAIN), "val": VAL, "test": TEST, "train_frames": len(starts),
             "val_frames": len(val_noisy), "test_samples": n, "sample_rate": RATE}
    c = channels
    arch = (f"U-Net 1-D on [1,{args.frame}]: Conv1d 1->{c[0]} k9, "
            + ", ".join(f"Conv1d s2 k5 ->{w}" for w in c[1:])
            + "; " + ", ".join(f"ConvTranspose1d s2 k4 ->{w} (+skip)" for w in c[-2:0:-1])
            + f", ConvTranspose1d s2 k4 ->{c[0]} (concat skip), Conv1d {2 * c[0]}->1 k9; "
            "output = input - that; LeakyReLU 0.1 after every hidden conv")
    metrics = aetrain.report(args, model, arch, split, fitted, test)

    # Test vectors: one loud frame of the held-out recording per level.
    energy = np.square(frames(test_audio, args.frame)).sum(axis=(1, 2))
    pick = [k * per + int(np.argsort(energy)[-1 - k % 2]) for k in range(len(levels))]
    aetrain.save_all(args, model, test_noisy[:1], ("noisy", "denoised"), metrics,
                     test_noisy=test_noisy[pick].numpy(), test_clean=test_clean[pick].numpy(),
                     test_torch_out=test_out[pick].numpy())


if __name__ == "__main__":
    main()
