// SPDX-License-Identifier: MIT
// The umbrella header: the core of xtnn (networks, layers, activations, metrics, and the
// learning math: losses, backprop, init, optimizers, dropout). The file formats and pictures
// live in xtnn/io/ and are included on demand.
#pragma once

#include <xtnn/activation.hpp>
#include <xtnn/dense.hpp>
#include <xtnn/error.hpp>
#include <xtnn/fixed_network.hpp>
#include <xtnn/metrics.hpp>
#include <xtnn/network.hpp>
#include <xtnn/tensor.hpp>
#include <xtnn/version.hpp>

// Learning: losses, the backward pass, initialisation, optimizers, dropout, gradient checks.
#include <xtnn/backprop.hpp>
#include <xtnn/dropout.hpp>
#include <xtnn/gradient_check.hpp>
#include <xtnn/init.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/optimizer.hpp>
