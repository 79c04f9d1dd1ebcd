#!/usr/bin/env python3
"""Check the exported models: onnx.checker, a listing of every graph (ops,
attributes, Constant values, initializers, inputs/outputs) and an independent
NumPy evaluation of each ONNX graph on the committed test inputs, compared with
the committed PyTorch outputs.  No onnxruntime is needed (none is packaged in
Debian 12); the tiny evaluator below covers exactly the ops these graphs use
and raises on anything else.

  /usr/bin/python3 models/check_onnx.py            # all models
  /usr/bin/python3 models/check_onnx.py -q         # summary only
"""

import argparse
import collections
import itertools
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = [
    ("digits_dae/digits_dae.onnx", "digits_dae/test_noisy.npy", "digits_dae/test_torch_out.npy"),
    ("conv2d_ae/conv2d_ae.onnx", "conv2d_ae/test_input.npy", "conv2d_ae/test_torch_out.npy"),
    ("unet1d/unet1d.onnx", "unet1d/test_input.npy", "unet1d/test_torch_out.npy"),
] + [(f"{d}/{name}.onnx", f"{d}/test_noisy.npy", f"{d}/test_torch_out.npy") for d, name in (
    ("digits_dae_masking", "digits_dae_masking"),
    ("digits_sparse/l1", "digits_sparse_l1"),
    ("digits_sparse/kl", "digits_sparse_kl"),
    ("digits_conv_dae", "digits_conv_dae"),
    ("speech_unet1d", "speech_unet1d"),
)]
MAX_BYTES = 200 * 1024


# ---- a minimal NumPy ONNX evaluator (float64 accumulation) --------------------

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    nsp = x.ndim - 2
    k = list(w.shape[2:])
    s = a.get("strides", [1] * nsp)
    d = a.get("dilations", [1] * nsp)
    p = a.get("pads", [0] * (2 * nsp))
    g = a.get("group", 1)
    assert a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p[i], p[i + nsp]) for i in range(nsp)])
    out = [(xp.shape[2 + i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(nsp)]
    cg, mg = x.shape[1] // g, w.shape[0] // g
    y = np.zeros([x.shape[0], w.shape[0]] + out)
    for gi in range(g):
        for off in itertools.product(*[range(kk) for kk in k]):
            sl = tuple(slice(off[i] * d[i], off[i] * d[i] + s[i] * (out[i] - 1) + 1, s[i])
                       for i in range(nsp))
            xs = xp[(slice(None), slice(gi * cg, (gi + 1) * cg)) + sl]
            ws = w[(slice(gi * mg, (gi + 1) * mg), slice(None)) + off]
            y[:, gi * mg:(gi + 1) * mg] += np.einsum("nc...,mc->nm...", xs, ws)
    if b is not None:
        y += b.reshape([1, -1] + [1] * nsp)
    return y


def _conv_transpose(x, w, b, a):
    nsp = x.ndim - 2
    k = list(w.shape[2:])
    s = a.get("strides", [1] * nsp)
    d = a.get("dilations", [1] * nsp)
    p = a.get("pads", [0] * (2 * nsp))
    op = a.get("output_padding", [0] * nsp)
    assert a.get("group", 1) == 1 and "output_shape" not in a
    n_in = list(x.shape[2:])
    full = [s[i] * (n_in[i] - 1) + d[i] * (k[i] - 1) + 1 + op[i] for i in range(nsp)]
    out = [full[i] - p[i] - p[i + nsp] for i in range(nsp)]
    y = np.zeros([x.shape[0], w.shape[1]] + full)
    for off in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(off[i] * d[i], off[i] * d[i] + s[i] * (n_in[i] - 1) + 1, s[i])
                   for i in range(nsp))
        y[(slice(None), slice(None)) + sl] += np.einsum("nc...,cm->nm...", x,
                                                        w[(slice(None), slice(None)) + off])
    y = y[(slice(None), slice(None)) + tuple(slice(p[i], p[i] + out[i]) for i in range(nsp))]
    if b is not None:
        y = y + b.reshape([1, -1] + [1] * nsp)
    return y


def _maxpool(x, a):
    nsp = x.ndim - 2
    k, s = a["kernel_shape"], a.get("strides", [1] * nsp)
    p = a.get("pads", [0] * (2 * nsp))
    assert a.get("ceil_mode", 0) == 0 and a.get("dilations", [1] * nsp) == [1] * nsp
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p[i], p[i + nsp]) for i in range(nsp)],
                constant_values=-np.inf)
    out = [(xp.shape[2 + i] - k[i]) // s[i] + 1 for i in range(nsp)]
    y = np.full([x.shape[0], x.shape[1]] + out, -np.inf)
    for off in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(off[i], off[i] + s[i] * (out[i] - 1) + 1, s[i]) for i in range(nsp))
        y = np.maximum(y, xp[(slice(None), slice(None)) + sl])
    return y


def _resize(x, roi, scales, sizes, a):
    mode = a.get("mode", b"nearest")
    ctm = a.get("coordinate_transformation_mode", b"half_pixel")
    nm = a.get("nearest_mode", b"round_prefer_floor")
    assert (mode, ctm, nm) == (b"nearest", b"asymmetric", b"floor"), (mode, ctm, nm)
    if sizes is None or sizes.size == 0:
        sizes = np.floor(np.array(x.shape) * scales).astype(np.int64)
        sc = scales
    else:
        sc = sizes / np.array(x.shape)
    for ax in range(x.ndim):
        idx = np.minimum(np.floor(np.arange(sizes[ax]) / sc[ax]).astype(np.int64), x.shape[ax] - 1)
        x = np.take(x, idx, axis=ax)
    return x


def run_graph(model, feeds):
    env = {i.name: numpy_helper.to_array(i).astype(np.float64)
           if i.data_type == onnx.TensorProto.FLOAT else numpy_helper.to_array(i)
           for i in model.graph.initializer}
    env.update({k: v.astype(np.float64) for k, v in feeds.items()})
    env[""] = None
    for n in model.graph.node:
        a = _attrs(n)
        i = [env[name] for name in n.input] + [None] * 5
        t = n.op_type
        if t == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif t == "Gemm":
            A = i[0].T if a.get("transA", 0) else i[0]
            B = i[1].T if a.get("transB", 0) else i[1]
            r = a.get("alpha", 1.0) * (A @ B)
            if i[2] is not None:
                r = r + a.get("beta", 1.0) * i[2]
        elif t == "Relu":
            r = np.maximum(i[0], 0)
        elif t == "LeakyRelu":
            r = np.where(i[0] >= 0, i[0], a.get("alpha", 0.01) * i[0])
        elif t == "Sigmoid":
            r = 1.0 / (1.0 + np.exp(-i[0]))
        elif t == "Conv":
            r = _conv(i[0], i[1], i[2], a)
        elif t == "ConvTranspose":
            r = _conv_transpose(i[0], i[1], i[2], a)
        elif t == "BatchNormalization":
            sh = [1, -1] + [1] * (i[0].ndim - 2)
            x, sc, bi, mu, var = i[:5]
            r = (x - mu.reshape(sh)) / np.sqrt(var.reshape(sh) + a.get("epsilon", 1e-5)) \
                * sc.reshape(sh) + bi.reshape(sh)
        elif t == "MaxPool":
            r = _maxpool(i[0], a)
        elif t == "Resize":
            r = _resize(i[0], i[1], i[2], i[3], a)
        elif t == "Add":
            r = i[0] + i[1]
        elif t == "Sub":
            r = i[0] - i[1]
        elif t == "Concat":
            r = np.concatenate([v for v in i if v is not None], axis=a["axis"])
        elif t == "Identity":
            r = i[0]
        else:
            raise NotImplementedError(f"node {n.name}: op {t} not in the checker's evaluator")
        env[n.output[0]] = r
    return [env[o.name] for o in model.graph.output]


# ---- listing ---------------------------------------------------------------------

def _shape(vi):
    return [d.dim_param if d.dim_param else d.dim_value for d in vi.type.tensor_type.shape.dim]


def describe(model, verbose):
    g = model.graph
    ops = collections.Counter(n.op_type for n in g.node)
    print(f"  ir_version {model.ir_version}, opset "
          f"{[(o.domain or 'ai.onnx', o.version) for o in model.opset_import]}, "
          f"producer {model.producer_name} {model.producer_version}")
    print(f"  inputs  {[(v.name, _shape(v)) for v in g.input]}")
    print(f"  outputs {[(v.name, _shape(v)) for v in g.output]}")
    print(f"  op types: {dict(sorted(ops.items()))}")
    print(f"  initializers: {len(g.initializer)}, "
          f"{sum(int(np.prod(t.dims)) for t in g.initializer)} values")
    if not verbose:
        return
    inits = {t.name: list(t.dims) for t in g.initializer}
    for n in g.node:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v)
                 for k, v in _attrs(n).items() if k != "value"}
        ins = [f"{x}{inits[x]}" if x in inits else (x if x else "<empty>") for x in n.input]
        line = f"    {n.op_type:<19} {ins} -> {list(n.output)}"
        if attrs:
            line += f" {attrs}"
        if n.op_type == "Constant":
            v = numpy_helper.to_array(_attrs(n)["value"])
            line += f" value={v.tolist()} dtype={v.dtype}"
        print(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-q", "--quiet", action="store_true", help="no per-node listing")
    args = ap.parse_args()
    ok = True
    for onnx_rel, in_rel, out_rel in MODELS:
        path = os.path.join(HERE, onnx_rel)
        size = os.path.getsize(path)
        print(f"{onnx_rel}: {size} bytes")
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        describe(model, not args.quiet)
        x = np.load(os.path.join(HERE, in_rel))
        ref = np.load(os.path.join(HERE, out_rel))
        (y,) = run_graph(model, {model.graph.input[0].name: x})
        err = float(np.max(np.abs(y - ref)))
        good = y.shape == ref.shape and err <= 1e-5 and size < MAX_BYTES \
            and x.dtype == np.float32 and ref.dtype == np.float32
        ok &= good
        print(f"  test data {in_rel} {x.dtype}{list(x.shape)} -> {out_rel} {ref.dtype}{list(ref.shape)}")
        print(f"  numpy evaluation of the ONNX graph vs PyTorch: max |diff| = {err:.3g} "
              f"{'OK' if good else 'FAIL'}")
    print("all OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
