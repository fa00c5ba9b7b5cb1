// SPDX-License-Identifier: MIT
// The umbrella header: the core of xtnn (networks, layers, activations, metrics). The file
// formats and pictures live in xtnn/io/ and are included on demand.
#pragma once

#include <xtnn/activation.hpp>
#include <xtnn/dense.hpp>
#include <xtnn/error.hpp>
#include <xtnn/fixed_network.hpp>
#include <xtnn/metrics.hpp>
#include <xtnn/network.hpp>
#include <xtnn/tensor.hpp>
#include <xtnn/version.hpp>
