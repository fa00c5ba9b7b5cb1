// SPDX-License-Identifier: MIT
// The networks and their layers (xtnn/nn/): the layer contract, every built-in layer, the
// runtime and compile-time networks, the workspace, the layer registry and layer lists,
// initialisation, BatchNorm folding.
#pragma once

#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/any_layer.hpp>
#include <xtnn/nn/batch_norm.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/dropout.hpp>
#include <xtnn/nn/fixed_network.hpp>
#include <xtnn/nn/fold_batch_norm.hpp>
#include <xtnn/nn/init.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/nn/layer_config.hpp>
#include <xtnn/nn/layer_norm.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/registry.hpp>
#include <xtnn/nn/rescale.hpp>
#include <xtnn/nn/standardize.hpp>
#include <xtnn/nn/workspace.hpp>
