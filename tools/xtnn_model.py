#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Reads an xtnn model file (docs/model-format.md) with numpy alone and runs its forward pass.

    python3 tools/xtnn_model.py MODEL.npz                 describe it, verify it, replay its check
    python3 tools/xtnn_model.py MODEL.npz --predict X.npy  print the outputs for X (rows, inputs)

Verifying means: every array's CRC-32 matches model.json, every layer's arrays have the
shapes its configuration needs, and the golden check (check/inputs through the network gives
check/outputs, to rtol 1e-5 and atol 1e-6 for float32) holds. The forward pass covers the
layers xtnn ships: dense, the activations, dropout (the identity at inference), batch_norm,
layer_norm, rescale and standardize. Exit status 0 when everything holds, 1 with a message otherwise.
"""
import argparse
import json
import math
import sys
import zlib

import numpy as np

FORMAT_VERSION = 1


def erf(x):
    """Elementwise erf (numpy has none); math.erf is exact to double rounding."""
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -700, 700)))


def activation(kind, config, x):
    if kind == "identity":
        return x
    if kind == "sigmoid":
        return sigmoid(x)
    if kind == "tanh":
        return np.tanh(x)
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "leaky_relu":
        return np.where(x > 0, x, config["alpha"] * x)
    if kind == "elu":
        return np.where(x > 0, x, config["alpha"] * np.expm1(np.minimum(x, 0)))
    if kind == "gelu":
        if config.get("approximate", "none") == "tanh":
            u = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
            return 0.5 * x * (1 + np.tanh(u))
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))
    if kind in ("silu", "swish"):
        return x * sigmoid(x)
    if kind == "softplus":
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    if kind == "softmax":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return None


def forward(model, arrays, x):
    """The model's output for x (rows, inputs), in float64, layer by layer (inference)."""
    for layer in model["layers"]:
        kind, config = layer["kind"], layer["config"]
        p = {q["name"]: arrays[q["array"]].astype(np.float64) for q in layer["parameters"]}
        s = {q["name"]: arrays[q["array"]].astype(np.float64) for q in layer["state"]}
        if kind == "dense":
            x = x @ p["kernel"] + (p["bias"] if config.get("use_bias", True) else 0)
        elif kind == "dropout":
            pass  # the identity at inference
        elif kind == "rescale":
            x = x * config["scale"] + config["offset"]
        elif kind == "standardize":
            x = (x - s["mean"]) / (s["std"] + config["epsilon"])
        elif kind == "batch_norm":
            x = (x - s["moving_mean"]) / np.sqrt(s["moving_variance"] + config["epsilon"])
            x = x * p["gamma"] + p["beta"]
        elif kind == "layer_norm":
            mean = x.mean(axis=1, keepdims=True)
            var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
            x = (x - mean) / np.sqrt(var + config["epsilon"]) * p["gamma"] + p["beta"]
        else:
            y = activation(kind, config, x)
            if y is None:
                raise ValueError(f"layer {layer['name']}: kind '{kind}' is not one this tool knows")
            x = y
    return x


def load(path):
    """model.json (a dict) and the arrays (name -> ndarray) of a model file; checks the
    format, the version and every array's CRC-32."""
    with np.load(path, allow_pickle=False) as npz:
        if "model.json" not in npz.files:
            raise ValueError(f"{path}: no model.json; not an xtnn model file")
        model = json.loads(npz["model.json"].decode("utf-8"))  # np.load returns its bytes
        arrays = {name: npz[name] for name in npz.files if name != "model.json"}
    if model.get("format") != "xtnn-model":
        raise ValueError(f"{path}: model.json's format is {model.get('format')!r}")
    if model["format_version"] > FORMAT_VERSION:
        raise ValueError(f"{path}: format version {model['format_version']}; this tool reads "
                         f"up to {FORMAT_VERSION}")
    for name, entry in model["arrays"].items():
        if name not in arrays:
            raise ValueError(f"{path}: no array {name!r}; model.json lists it")
        crc = zlib.crc32(np.ascontiguousarray(arrays[name]).tobytes())
        if crc != entry["crc32"]:
            raise ValueError(f"{path}: array {name!r} has CRC-32 {crc}; model.json says "
                             f"{entry['crc32']}")
        if list(arrays[name].shape) != entry["shape"]:
            raise ValueError(f"{path}: array {name!r} has shape {arrays[name].shape}; model.json "
                             f"says {tuple(entry['shape'])}")
    extra = set(arrays) - set(model["arrays"])
    if extra:
        raise ValueError(f"{path}: arrays {sorted(extra)} are not listed in model.json")
    return model, arrays


def check(model, arrays):
    """Replays the golden check; returns the largest |difference| relative to the tolerance."""
    x = arrays[model["check"]["inputs"]].astype(np.float64)
    expected = arrays[model["check"]["outputs"]].astype(np.float64)
    y = forward(model, arrays, x)
    rtol, atol = (1e-5, 1e-6) if arrays[model["check"]["outputs"]].dtype == np.float32 else (1e-9, 1e-12)
    bad = np.abs(y - expected) > atol + rtol * np.abs(expected)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"the golden check fails at output row {r}, column {c}: numpy computes "
                         f"{y[r, c]:.9g}; the file expects {expected[r, c]:.9g}")
    return float(np.max(np.abs(y - expected)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="an xtnn model file (.npz with model.json)")
    parser.add_argument("--predict", metavar="X.npy", help="print the outputs for these rows")
    args = parser.parse_args()
    try:
        model, arrays = load(args.model)
        difference = check(model, arrays)
    except (ValueError, KeyError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    widths = [model["input"]["width"]] + [layer["output_width"] for layer in model["layers"]]
    shape = "-".join(str(w) for i, w in enumerate(widths) if i == 0 or w != widths[i - 1])
    kinds = ", ".join(layer["kind"] for layer in model["layers"])
    print(f"{args.model}: xtnn model format {model['format_version']} (xtnn "
          f"{model['xtnn_version']}), {shape} ({kinds})")
    if model["output"]["classes"]:
        print(f"classes: {', '.join(model['output']['classes'])}")
    print(f"checksums ok; golden check ok (largest difference {difference:.3g})")
    if args.predict:
        np.set_printoptions(precision=6, suppress=True)
        print(forward(model, arrays, np.load(args.predict).astype(np.float64)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
