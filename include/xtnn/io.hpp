// SPDX-License-Identifier: MIT
// File formats (xtnn/io/): IDX, numpy's .npy and .npz, a restricted pickle reader, weight files
// (W1, b1 ... WN, bN), and digit images (text, PGM, PNG). Target xtnn::io (zlib).
#pragma once

#include <xtnn/io/idx.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/npz.hpp>
#include <xtnn/io/pickle.hpp>
#include <xtnn/io/weights.hpp>
