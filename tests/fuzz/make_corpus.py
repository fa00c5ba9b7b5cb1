#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz targets (fuzz_targets.hpp): small valid files of each
format, made with numpy, Python's pickle, gzip and zipfile, cut from the real MNIST files when
--mnist gives their folder, and copied from the fixtures real tools made (tests/fixtures).
The model-file seeds come from xtnn itself (the fuzz_seeds program, --xtnn-seeds DIR).

    make_corpus.py OUT [--mnist DIR] [--xtnn-seeds DIR]

Debian: python3-numpy. Deterministic: the same command writes the same bytes.
"""
import argparse
import gzip
import io
import os
import pickle
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"


def write(out, target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def gz(data):
    # mtime=0 so the bytes do not depend on the clock
    return gzip.compress(data, mtime=0)


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npz_bytes(arrays, compressed):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def idx_bytes(array, code):
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def small_weights(rng):
    return {"W1": rng.standard_normal((4, 3)).astype(np.float32),
            "b1": rng.standard_normal(3).astype(np.float32),
            "W2": rng.standard_normal((3, 2)).astype(np.float32),
            "b2": rng.standard_normal(2).astype(np.float32)}


def idx_seeds(out, mnist):
    rng = np.random.default_rng(1)
    codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D,
             np.float64: 0x0E}
    for dtype, code in codes.items():
        array = (rng.standard_normal((2, 3, 4)) * 20).astype(dtype)
        write(out, "idx", f"synthetic_{np.dtype(dtype).name}.idx", idx_bytes(array, code))
    write(out, "idx", "rank0.idx", idx_bytes(np.array(7, dtype=np.uint8), 0x08))
    write(out, "idx", "labels.idx.gz", gz(idx_bytes(np.arange(10, dtype=np.uint8), 0x08)))
    if mnist:
        # The real headers with the first images and labels, raw and gzip.
        for name, count in (("train-images-idx3-ubyte.gz", 3), ("train-labels-idx1-ubyte.gz", 3),
                            ("t10k-images-idx3-ubyte.gz", 2), ("t10k-labels-idx1-ubyte.gz", 2)):
            data = gzip.decompress((Path(mnist) / name).read_bytes())
            rank = data[3]
            shape = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
            item = int(np.prod(shape[1:])) if rank > 1 else 1
            header = data[:4] + struct.pack(">I", count) + data[8:4 + 4 * rank]
            cut = header + data[4 + 4 * rank:4 + 4 * rank + count * item]
            stem = name[:-3]
            write(out, "idx", stem, cut)
            write(out, "idx", stem + ".gz", gz(cut))


def npy_seeds(out):
    rng = np.random.default_rng(2)
    arrays = {
        "f4": rng.standard_normal((3, 4)).astype("<f4"),
        "f8_be": rng.standard_normal((2, 3)).astype(">f8"),
        "f2": rng.standard_normal(5).astype("<f2"),
        "u1": np.arange(12, dtype=np.uint8).reshape(3, 4),
        "i8": np.arange(-3, 3, dtype="<i8"),
        "bool": np.array([True, False, True]),
        "scalar": np.array(3.5, dtype="<f4"),
        "empty": np.zeros((0, 3), dtype="<f4"),
        "fortran": np.asfortranarray(rng.standard_normal((3, 2)).astype("<f4")),
    }
    for name, array in arrays.items():
        write(out, "npy", name + ".npy", npy_bytes(array))
    write(out, "npy", "v2.npy", npy_bytes(arrays["f4"], version=(2, 0)))
    write(out, "npy", "v3.npy", npy_bytes(arrays["f4"], version=(3, 0)))


def npz_and_weights_seeds(out):
    rng = np.random.default_rng(3)
    weights = small_weights(rng)
    for target in ("npz", "weights"):
        write(out, target, "weights_stored.npz", npz_bytes(weights, False))
        write(out, target, "weights_deflated.npz", npz_bytes(weights, True))
    write(out, "npz", "mixed.npz", npz_bytes({"x": np.arange(6, dtype=np.int32).reshape(2, 3),
                                              "y": np.array(1.5)}, True))
    for protocol in (2, 3, 4, 5):
        data = pickle.dumps(weights, protocol=protocol)
        write(out, "weights", f"weights_p{protocol}.pkl", data)
        write(out, "pickle", f"weights_p{protocol}.pkl", data)
    # The book's layout: float64 arrays of its shapes, scaled down (784-50-100-10 -> 6-5-4-3).
    book = {"W1": rng.standard_normal((6, 5)), "b1": rng.standard_normal(5),
            "W2": rng.standard_normal((5, 4)), "b2": rng.standard_normal(4),
            "W3": rng.standard_normal((4, 3)), "b3": rng.standard_normal(3)}
    write(out, "pickle", "book_layout.pkl", pickle.dumps(book, protocol=2))
    write(out, "weights", "book_layout.pkl", pickle.dumps(book, protocol=2))
    for name in ("book_mnist_p4.pkl", "book_mnist_p5.pkl"):
        path = FIXTURES / "mnist_caches" / name
        if path.stat().st_size < 1 << 20:
            write(out, "pickle", name, path.read_bytes())


def torch_seeds(out):
    for path in sorted((FIXTURES / "torch").glob("*.pt")):
        if path.stat().st_size > 1 << 20:
            continue
        data = path.read_bytes()
        write(out, "torch", path.name, data)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.endswith("/data.pkl"):
                        write(out, "torch_pickle", path.stem + ".data.pkl", archive.read(member))


def safetensors_seeds(out):
    for path in sorted((FIXTURES / "torch").glob("*.safetensors")):
        write(out, "safetensors", path.name, path.read_bytes())
    # One by hand, with metadata: an 8-byte little-endian header length, the JSON, the data.
    header = (b'{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],'
              b'"data_offsets":[0,16]},"b":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}')
    body = np.array([1, 2, 3, 4], dtype="<f4").tobytes() + np.array([7], dtype="<i8").tobytes()
    write(out, "safetensors", "by_hand.safetensors", struct.pack("<Q", len(header)) + header + body)


def digits_seeds(out):
    rng = np.random.default_rng(4)
    rows = []
    for label in range(4):
        pixels = rng.integers(0, 17, 64)
        rows.append(",".join(str(p) for p in pixels) + f",{label}")
    text = ("\n".join(rows) + "\n").encode()
    write(out, "digits", "digits.csv", text)
    write(out, "digits", "digits_decimals.csv", text.replace(b",", b".0,", 5))
    write(out, "digits", "digits_crlf.csv", text.replace(b"\n", b"\r\n"))
    write(out, "digits", "digits.csv.gz", gz(text))


def keras_and_onnx_seeds(out):
    for path in sorted((FIXTURES / "keras").glob("*")):
        if path.suffix in (".keras", ".h5") and path.stat().st_size < 1 << 16:
            write(out, "keras", path.name, path.read_bytes())
            if path.suffix == ".keras":
                with zipfile.ZipFile(path) as archive:
                    write(out, "keras_config", path.stem + ".config.json", archive.read("config.json"))
    for path in sorted((FIXTURES / "onnx").glob("*.onnx")):
        write(out, "onnx", path.name, path.read_bytes())


def xtnn_seeds(out, folder):
    # fuzz_seeds writes <target>/<name> files: model files, checkpoints and their model.json.
    for path in sorted(Path(folder).glob("*/*")):
        write(out, path.parent.name, path.name, path.read_bytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mnist", help="the folder of the four MNIST .gz files")
    parser.add_argument("--xtnn-seeds", help="the folder fuzz_seeds wrote")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    idx_seeds(args.out, args.mnist if args.mnist and os.path.isdir(args.mnist) else None)
    npy_seeds(args.out)
    npz_and_weights_seeds(args.out)
    torch_seeds(args.out)
    safetensors_seeds(args.out)
    digits_seeds(args.out)
    keras_and_onnx_seeds(args.out)
    if args.xtnn_seeds:
        xtnn_seeds(args.out, args.xtnn_seeds)
    # import_model reads every model format: the seeds of all the formats it tells apart.
    for target in ("npz", "pickle", "torch", "safetensors", "model", "onnx"):
        for path in sorted((args.out / target).glob("*")) if (args.out / target).is_dir() else []:
            write(args.out, "import_model", target + "_" + path.name, path.read_bytes())
    for folder in sorted(args.out.iterdir()):
        print(f"{folder.name}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
