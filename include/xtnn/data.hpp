// SPDX-License-Identifier: MIT
// Data sets (xtnn/data/): MNIST as the book loads it (also from Keras's and the book's caches),
// the MNIST family by name, the 8x8 digits, where programs look for them, one-hot labels,
// standardisation and splits, pictures of digits made MNIST-like. Target xtnn::io (zlib).
// Not included here: data/digits_embedded.hpp, the 8x8 digits compiled in (57 KB).
#pragma once

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/datasets.hpp>
#include <xtnn/data/digit_image.hpp>
#include <xtnn/data/digits.hpp>
#include <xtnn/data/idx_dataset.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/data/mnist_caches.hpp>
#include <xtnn/data/one_hot.hpp>
#include <xtnn/data/split.hpp>
#include <xtnn/data/standardize.hpp>
