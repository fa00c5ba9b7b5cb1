#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages xtnn needs to build, test, and run its examples and
# benchmarks. Run as root, or as a user with sudo. Safe to re-run: apt-get install skips
# what is already there. --dry-run shows what apt-get would do (apt-get -s) and changes
# nothing but the package lists.
set -euo pipefail

packages=(
    cmake g++ make pkg-config ca-certificates
    clang-14              # .ci/run builds and tests with clang 14 too ...
    libclang-rt-14-dev    # ... with its sanitizers and libFuzzer (tests/fuzz/)
    libc++-14-dev libc++abi-14-dev  # clang with -stdlib=libc++ (README: "Tested with")
    libxtensor-dev        # xtensor 0.24 (xtensor-dev is its transitional name)
    libxtensor-blas-dev   # its CMake config needs BLAS and LAPACK ...
    libopenblas-dev       # ... which OpenBLAS provides both of (no liblapack-dev needed)
    zlib1g-dev
    nlohmann-json3-dev    # model files: model.json
    libpng-dev            # examples/mnist_predict reads PNG files (the library never links it)
    libcli11-dev          # the examples' command lines (CLI11, header-only; not the library's)
    libhdf5-dev           # xtnn::keras, the optional Keras reader (HDF5 C library 1.10)
    python3-numpy         # tests: tools/xtnn_model.py reads model files with numpy
    libonnx-dev           # xtnn::onnx: ONNX's protobuf classes (onnx/onnx_pb.h, libonnx_proto) ...
    libprotobuf-dev       # ... and protobuf, which they are generated for
    python3-onnx          # tests: onnx.checker on save_onnx's models
    python3-pil fonts-dejavu-core  # tests: tools/make_plot_font.py --check (the PNG plots' font)
    catch2                # tests (Catch2 2.13)
    libbenchmark-dev      # benchmarks (Google Benchmark)
    time                  # benchmarks/compile_cost.sh (GNU time's peak memory)
)

simulate=()
case "${1:-}" in
    "") ;;
    -n | --dry-run) simulate=(-s) ;;
    *)
        echo "usage: $0 [--dry-run]" >&2
        exit 2
        ;;
esac

if ! command -v apt-get >/dev/null; then
    echo "error: apt-get not found; this script is for Debian 12 (bookworm)" >&2
    exit 1
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "error: run as root, or install sudo" >&2
        exit 1
    fi
    sudo=(sudo)
fi

# The ONNX export tests run save_onnx's models in ONNX Runtime, from npm (onnxruntime-node,
# installed into the build tree by the test onnx/install_onnxruntime): Debian's nodejs and
# npm, unless an npm is already there (a newer Node.js from elsewhere, say).
if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

# Always refresh: on a fresh or long-idle machine the package lists are missing or stale,
# and install then fails on versions the mirror no longer has.
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${simulate[@]}" "${packages[@]}"
