#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""onnx.checker.check_model (with full_check: shape inference too) on every .onnx file in
DIR, save_onnx's files from export_onnx_models. Exits 77 (skipped) when the onnx module is
absent: Debian's python3-onnx provides it."""
import glob
import os
import sys

try:
    import onnx
except ImportError:
    print("skipped: no Python module onnx (Debian: python3-onnx)")
    sys.exit(77)

paths = sorted(glob.glob(os.path.join(sys.argv[1], "*.onnx")))
if not paths:
    print(f"error: no .onnx files in {sys.argv[1]}")
    sys.exit(1)
for path in paths:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    print(f"{os.path.basename(path)}: onnx {onnx.__version__} checker ok (opset "
          f"{model.opset_import[0].version}, {len(model.graph.node)} nodes)")
print(f"{len(paths)} models ok")
