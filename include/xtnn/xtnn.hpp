// SPDX-License-Identifier: MIT
// The umbrella header of xtnn's core: networks and layers (nn.hpp), training (train.hpp) and
// scoring (eval.hpp). It needs only xtensor and xtensor-blas (target xtnn::core). The file
// formats (xtnn/io.hpp), data sets (xtnn/data.hpp) and plots (xtnn/plot.hpp) are included on
// demand.
#pragma once

#include <xtnn/error.hpp>
#include <xtnn/eval.hpp>
#include <xtnn/nn.hpp>
#include <xtnn/tensor.hpp>
#include <xtnn/train.hpp>
#include <xtnn/version.hpp>
