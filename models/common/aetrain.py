"""Shared training machinery for the models/ scripts (PyTorch, CPU, deterministic).

One place for what every training script needs:
  add_training_args / setup   command-line options for optimizer, regularizers,
                              early stopping and augmentation; seeds, threads,
                              deterministic algorithms
  make_optimizer              sgd, momentum, nesterov, adagrad, rmsprop, adam,
                              each with L2 weight decay
  fit                         mini-batch training with early stopping on a
                              validation set (patience; best weights restored)
  digits_task                 scikit-learn's 8x8 digits in [0, 1], fixed split,
                              noisy validation/test sets, training batches
  train_digits                all of the above for one digits denoiser
  corrupt / shift_digits      Gaussian and masking noise; random +-1 pixel shifts
  quality / report            MSE, PSNR and SNR of input and output vs clean;
                              the whole metrics.json
  export_onnx / save_arrays / write_metrics
                              ONNX (opset 13) export, float32 test vectors and
                              metrics.json, all written atomically per file

Scripts import it with models/common on sys.path (see any train.py).
"""

import argparse
import json
import math
import os
import time
import types
import warnings

# Idle OpenMP threads sleep instead of spinning: with spinning, two torch
# threads on a machine whose other core is busy ran 8-30x slower (measured).
# Only takes effect if set before torch is first imported, hence scripts
# import aetrain first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

# torch.onnx shape-inference chatter (prim::Constant) is harmless here.
warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


# ---- options -----------------------------------------------------------------------

def add_training_args(ap, *, epochs, patience, lr, batch_size, optimizer="adam",
                      augment_help="data augmentation"):
    """The options every script shares; the defaults are per script."""
    ap.add_argument("--optimizer", choices=OPTIMIZERS, default=optimizer)
    ap.add_argument("--lr", type=float, default=lr, help="learning rate")
    ap.add_argument("--momentum", type=float, default=0.9,
                    help="momentum for 'momentum' and 'nesterov' (also rmsprop's when > 0 "
                         "and --optimizer rmsprop)")
    ap.add_argument("--weight-decay", type=float, default=0.0, help="L2 weight decay")
    ap.add_argument("--dropout", type=float, default=0.0,
                    help="dropout probability after hidden activations (0: no Dropout layer)")
    ap.add_argument("--epochs", type=int, default=epochs, help="maximum epochs")
    ap.add_argument("--patience", type=int, default=patience,
                    help="early stopping: epochs without validation improvement")
    ap.add_argument("--batch-size", type=int, default=batch_size)
    ap.add_argument("--augment", action="store_true", help=augment_help)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)


def digits_parser(doc, epochs, patience):
    """An ArgumentParser with the training and noise options of a digits script."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    add_training_args(ap, epochs=epochs, patience=patience, lr=3e-3, batch_size=64,
                      augment_help="random +-1 pixel shifts of the training images")
    add_noise_args(ap)
    return ap


def parse(ap):
    """Parses the command line and calls setup."""
    args = ap.parse_args()
    setup(args)
    return args


def add_output_args(ap, name, out, save_test=None):
    if save_test is not None:
        ap.add_argument("--save-test", type=int, default=save_test,
                        help="how many test samples to write as test vectors")
    ap.add_argument("--name", default=name, help="ONNX file name (NAME.onnx)")
    ap.add_argument("--out", default=out, help="output directory")


def setup(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)


def config(args):
    """All options except the output directory, for metrics.json."""
    return {k: v for k, v in vars(args).items() if k != "out"}


def make_optimizer(args, params):
    name, lr, wd = args.optimizer, args.lr, args.weight_decay
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=args.momentum, weight_decay=wd)
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=args.momentum, nesterov=True,
                               weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    raise ValueError(f"unknown optimizer {name}")


def dropout(args):
    """[nn.Dropout] when --dropout > 0, else [] (no layer: the graph and the
    parameter names stay those of the model without dropout)."""
    return [nn.Dropout(args.dropout)] if args.dropout > 0 else []


# ---- training ------------------------------------------------------------------------

def mse_loss(model, inputs, targets):
    return nn.functional.mse_loss(model(inputs), targets)


def fit(model, opt, n_train, make_batch, val_inputs, val_targets, args, generator,
        loss=mse_loss):
    """Trains `model` on batches make_batch(index tensor) -> (inputs, targets),
    shuffling 0..n_train-1 with `generator` every epoch.  After each epoch the
    validation loss is loss(model, val_inputs, val_targets) in eval mode; training
    stops after args.patience epochs without improvement (or args.epochs) and the
    best weights are restored.  Returns (history, best_epoch, best_val_loss,
    train_seconds); the model is left in eval mode."""
    history = {"epoch": [], "train_loss": [], "val_loss": []}
    best = (float("inf"), -1, None)
    t0 = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(n_train, generator=generator)
        total, count = 0.0, 0
        for i in range(0, n_train, args.batch_size):
            idx = order[i:i + args.batch_size]
            inputs, targets = make_batch(idx)
            opt.zero_grad()
            batch_loss = loss(model, inputs, targets)
            batch_loss.backward()
            opt.step()
            total += batch_loss.item() * len(idx)
            count += len(idx)
        model.eval()
        with torch.no_grad():
            val_loss = loss(model, val_inputs, val_targets).item()
        history["epoch"].append(epoch)
        history["train_loss"].append(total / count)
        history["val_loss"].append(val_loss)
        if epoch % 25 == 0:
            print(f"  epoch {epoch}: train {total / count:.6f} val {val_loss:.6f}", flush=True)
        if val_loss < best[0]:
            best = (val_loss, epoch, {k: v.clone() for k, v in model.state_dict().items()})
        elif epoch - best[1] >= args.patience:
            break
    train_seconds = time.perf_counter() - t0
    model.load_state_dict(best[2])
    model.eval()
    print(f"trained {history['epoch'][-1]} epochs in {train_seconds:.1f} s, "
          f"best val loss {best[0]:.6f} at epoch {best[1]}")
    return history, best[1], best[0], train_seconds


def report(args, model, architecture, split, fitted, test, **extra):
    """metrics.json: config, architecture, parameter count, split, torch version,
    training summary (seconds, epochs run, best epoch and validation loss),
    test metrics, any extra sections, then the per-epoch loss history."""
    history, best_epoch, best_val_loss, train_seconds = fitted
    return {
        "config": config(args),
        "architecture": architecture,
        "parameters": sum(p.numel() for p in model.parameters()),
        "split": split,
        "torch_version": torch.__version__,
        "train_seconds": round(train_seconds, 2),
        "epochs_run": history["epoch"][-1],
        "best_epoch": best_epoch,
        "best_val_loss": best_val_loss,
        "test": test,
        **extra,
        "history": history,
    }


# ---- digits ---------------------------------------------------------------------------

def digits():
    """scikit-learn's 8x8 digits (bundled, no download): float32 [1797, 64] in [0, 1]."""
    from sklearn.datasets import load_digits
    return (load_digits().data / 16.0).astype(np.float32)


def digits_split(n, seed, n_test=100, val_fraction=0.15):
    """Fixed permutation: the first n_test are the test set, val_fraction of the
    rest validation, the remainder training.  Returns (train, val, test) indices."""
    perm = np.random.RandomState(seed).permutation(n)
    test_idx, rest = perm[:n_test], perm[n_test:]
    n_val = int(round(val_fraction * len(rest)))
    return rest[n_val:], rest[:n_val], test_idx


def digits_task(args, shape=(-1, 64), n_test=100):
    """The digits split and noise every digits script uses: clean tensors
    train/val/test of `shape`, val_noisy/test_noisy drawn once from fixed
    seeds, make_batch(idx) -> (noisy, clean) for fit (fresh noise, and random
    shifts with --augment), the shuffle generator, and the split sizes."""
    x = digits()
    train_idx, val_idx, test_idx = digits_split(len(x), args.seed, n_test)
    train, val, test = (torch.from_numpy(x[i]).reshape(shape)
                        for i in (train_idx, val_idx, test_idx))
    g_val, g_test, g_train, g_shuffle, g_augment = (
        torch.Generator().manual_seed(args.seed + k) for k in range(1, 6))
    val_noisy = corrupt(val, args, g_val)
    test_noisy = corrupt(test, args, g_test)

    def make_batch(idx):
        clean = train[idx]
        if args.augment:
            clean = shift_digits(clean, g_augment)
        return corrupt(clean, args, g_train), clean

    split = {"train": len(train_idx), "val": len(val_idx), "test": len(test_idx)}
    return types.SimpleNamespace(train=train, val=val, test=test, val_noisy=val_noisy,
                                 test_noisy=test_noisy, make_batch=make_batch,
                                 shuffle=g_shuffle, split=split)


def train_digits(args, model, architecture, shape=(-1, 64), loss=mse_loss, extra=None):
    """The whole run of a digits denoiser: data (digits_task), optimizer, fit,
    test metrics (plus the sections extra(model, noisy test inputs) returns,
    computed without gradients), and save_all."""
    task = digits_task(args, shape)
    opt = make_optimizer(args, model.parameters())
    fitted = fit(model, opt, len(task.train), task.make_batch, task.val_noisy, task.val,
                 args, task.shuffle, loss=loss)
    with torch.no_grad():
        out = model(task.test_noisy).numpy()
        sections = extra(model, task.test_noisy) if extra else {}
    noisy, clean = task.test_noisy.numpy(), task.test.numpy()
    metrics = report(args, model, architecture, task.split, fitted,
                     quality(noisy, clean, out), **sections)
    print_quality(metrics["test"])
    for name, section in sections.items():
        print(f"{name}: {json.dumps(section)}")
    save_all(args, model, task.test_noisy[:1], ("noisy", "denoised"), metrics,
             test_noisy=noisy, test_clean=clean, test_torch_out=out)


def add_noise_args(ap, noise="gaussian", sigma=0.3, mask_fraction=0.3):
    ap.add_argument("--noise", choices=("gaussian", "masking", "both", "none"), default=noise,
                    help="gaussian: additive N(0, sigma^2); masking: zero a random "
                         "--mask-fraction of the pixels; both: Gaussian then masking")
    ap.add_argument("--sigma", type=float, default=sigma, help="Gaussian noise sigma")
    ap.add_argument("--mask-fraction", type=float, default=mask_fraction,
                    help="masking noise: fraction of pixels set to 0")
    ap.add_argument("--no-clip", dest="clip", action="store_false",
                    help="do not clip noisy inputs to [0, 1] (default: clip)")


def corrupt(clean, args, generator):
    """Noisy copy of `clean` per args.noise (see add_noise_args), drawn from
    `generator`.  Gaussian noise is clipped to [0, 1] unless --no-clip."""
    noisy = clean
    if args.noise in ("gaussian", "both"):
        noisy = noisy + args.sigma * torch.randn(clean.shape, generator=generator)
        if args.clip:
            noisy = noisy.clamp(0.0, 1.0)
    if args.noise in ("masking", "both"):
        keep = torch.rand(clean.shape, generator=generator) >= args.mask_fraction
        noisy = noisy * keep
    return noisy


def shift_digits(x, generator):
    """Each image of x ([N, 64] or [N, 1, 8, 8]) shifted by a random -1, 0 or +1
    pixel in each direction, zero filled."""
    img = x.reshape(-1, 8, 8)
    d = torch.randint(-1, 2, (len(img), 2), generator=generator)
    padded = nn.functional.pad(img, (1, 1, 1, 1))
    out = torch.stack([padded[i, 1 - dy:9 - dy, 1 - dx:9 - dx]
                       for i, (dy, dx) in enumerate(d.tolist())])
    return out.reshape(x.shape)


# ---- metrics ---------------------------------------------------------------------------

def mse(a, b):
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def psnr(m, peak=1.0):
    return float(10.0 * math.log10(peak * peak / m)) if m > 0 else float("inf")


def snr(x, clean):
    """10 log10(sum clean^2 / sum (x - clean)^2), as `edgeae eval` computes it."""
    c = np.asarray(clean, np.float64)
    err = float(np.sum((np.asarray(x, np.float64) - c) ** 2))
    return float(10.0 * math.log10(float(np.sum(c * c)) / err)) if err > 0 else float("inf")


def quality(noisy, clean, out, peak=1.0):
    """Test metrics of the noisy input and the model output against clean."""
    m_in, m_out = mse(noisy, clean), mse(out, clean)
    return {
        "n": int(len(clean)),
        "mse_noisy_vs_clean": m_in,
        "mse_denoised_vs_clean": m_out,
        "psnr_noisy_db": psnr(m_in, peak),
        "psnr_denoised_db": psnr(m_out, peak),
        "psnr_gain_db": psnr(m_out, peak) - psnr(m_in, peak),
        "psnr_peak": peak,
        "snr_noisy_db": snr(noisy, clean),
        "snr_denoised_db": snr(out, clean),
    }


def print_quality(q, label="test"):
    print(f"{label}: PSNR noisy {q['psnr_noisy_db']:.2f} dB -> denoised "
          f"{q['psnr_denoised_db']:.2f} dB, SNR {q['snr_noisy_db']:.2f} -> "
          f"{q['snr_denoised_db']:.2f} dB (MSE {q['mse_noisy_vs_clean']:.5f} -> "
          f"{q['mse_denoised_vs_clean']:.5f})")


# ---- output ----------------------------------------------------------------------------

def _replace(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def export_onnx(model, example, path, input_name, output_name, **kwargs):
    """opset 13, dynamic batch axis, constant folding; prints the size."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.eval()
    _replace(path, lambda tmp: torch.onnx.export(
        model, example, tmp, input_names=[input_name], output_names=[output_name],
        dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
        opset_version=13, do_constant_folding=True, **kwargs))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def save_arrays(out_dir, **arrays):
    """Writes each array as out_dir/NAME.npy, float32, C order."""
    os.makedirs(out_dir, exist_ok=True)
    for name, a in arrays.items():
        a = np.ascontiguousarray(np.asarray(a, np.float32))
        _replace(os.path.join(out_dir, name + ".npy"), lambda tmp: _save_npy(tmp, a))


def _save_npy(path, a):
    with open(path, "wb") as f:
        np.save(f, a)


def write_metrics(out_dir, metrics):
    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(metrics, f, indent=1)
            f.write("\n")
    _replace(os.path.join(out_dir, "metrics.json"), write)


def save_all(args, model, example, names, metrics, **arrays):
    """Writes args.out/args.name.onnx (names = (input, output)), the test
    vectors (the first args.save_test samples of each array, all without
    --save-test) and metrics.json."""
    export_onnx(model, example, os.path.join(args.out, args.name + ".onnx"), *names)
    n = getattr(args, "save_test", None)
    save_arrays(args.out, **{k: v[:n] for k, v in arrays.items()})
    write_metrics(args.out, metrics)
