#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# An xtnn model in PyTorch: reads the safetensors file xtnn writes (xtnn_convert m.npz
# m.safetensors, or xtnn::io::save_safetensors_model) with the standard library and torch
# alone — no safetensors package needed — and builds the torch.nn.Sequential it describes from
# the model.json in its __metadata__. xtnn's dense kernel is (in, out): a Linear's weight is
# its transpose. Run as a program it replays the file's golden check in torch:
#   python3 tools/xtnn_torch.py mnist.safetensors
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16,
          "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32, "I16": torch.int16,
          "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        chunk = bytearray(data[begin:end])
        dtype = DTYPES[info["dtype"]]
        flat = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors, metadata


class Rescale(torch.nn.Module):
    """xtnn's rescale (Keras's Rescaling): x * scale + offset."""

    def __init__(self, scale, offset):
        super().__init__()
        self.scale, self.offset = scale, offset

    def forward(self, x):
        return x * self.scale + self.offset


class Standardize(torch.nn.Module):
    """xtnn's standardize: (x - mean) / (std + epsilon)."""

    def __init__(self, mean, std, epsilon):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.epsilon = epsilon

    def forward(self, x):
        return (x - self.mean) / (self.std + self.epsilon)


def module(layer, tensors):
    """The torch module of one entry of model.json's "layers"."""
    kind, c, n = layer["kind"], layer["config"], layer["input_width"]
    arrays = {a["name"]: tensors[a["array"]] for a in layer["parameters"] + layer["state"]}
    if kind == "dense":
        m = torch.nn.Linear(n, c["units"], bias=c["use_bias"])
        m.weight.data = arrays["kernel"].T.contiguous()  # (in, out) -> (out, in)
        if c["use_bias"]:
            m.bias.data = arrays["bias"].clone()
        return m
    if kind == "batch_norm":  # xtnn's momentum is the old value's weight: torch's is 1 - it
        m = torch.nn.BatchNorm1d(n, eps=c["epsilon"], momentum=1 - c["momentum"])
        m.weight.data, m.bias.data = arrays["gamma"].clone(), arrays["beta"].clone()
        m.running_mean.data = arrays["moving_mean"].clone()
        m.running_var.data = arrays["moving_variance"].clone()
        return m
    if kind == "layer_norm":
        m = torch.nn.LayerNorm(n, eps=c["epsilon"])
        m.weight.data, m.bias.data = arrays["gamma"].clone(), arrays["beta"].clone()
        return m
    if kind == "rescale":
        return Rescale(c["scale"], c["offset"])
    if kind == "standardize":
        return Standardize(arrays["mean"].clone(), arrays["std"].clone(), c["epsilon"])
    if kind == "dropout":
        return torch.nn.Dropout(c["rate"])
    if kind == "leaky_relu":
        return torch.nn.LeakyReLU(c["alpha"])
    if kind == "elu":
        return torch.nn.ELU(c["alpha"])
    if kind == "gelu":
        return torch.nn.GELU(approximate=c.get("approximate", "none"))
    simple = {"identity": torch.nn.Identity, "relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid,
              "tanh": torch.nn.Tanh, "silu": torch.nn.SiLU, "swish": torch.nn.SiLU,
              "softplus": torch.nn.Softplus}
    if kind in simple:
        return simple[kind]()
    if kind == "softmax":
        return torch.nn.Softmax(dim=1)
    raise ValueError("layer %s: kind %r has no torch module here" % (layer["name"], kind))


def load(path):
    """(torch.nn.Sequential in eval mode, model.json, tensors) of an xtnn safetensors file."""
    tensors, metadata = read_safetensors(path)
    if "model.json" not in metadata:
        raise ValueError("%s: no model.json in its __metadata__: not written by xtnn" % path)
    description = json.loads(metadata["model.json"])
    model = torch.nn.Sequential(*[module(layer, tensors) for layer in description["layers"]])
    return model.eval(), description, tensors


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: xtnn_torch.py MODEL.safetensors")
    model, description, tensors = load(sys.argv[1])
    print(model)
    x = tensors[description["check"]["inputs"]]
    expected = tensors[description["check"]["outputs"]]
    with torch.no_grad():
        y = model(x)
    tight = expected.dtype == torch.float64
    ok = torch.allclose(y, expected, rtol=1e-9 if tight else 1e-5, atol=1e-12 if tight else 1e-6)
    print("golden check in torch: %s (largest difference %.3g over %d rows)"
          % ("ok" if ok else "FAILED", (y - expected).abs().max().item(), x.shape[0]))
    sys.exit(0 if ok else 1)
