// SPDX-License-Identifier: MIT
// The umbrella header: the core of xtnn (networks, layers, activations, metrics, the
// learning math and the training loop). The file formats (xtnn/io/) and plots
// (xtnn/plot.hpp) are included on demand.
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

// Training loops: fit, evaluate, the history of a run, confusion matrices.
#include <xtnn/confusion.hpp>
#include <xtnn/evaluate.hpp>
#include <xtnn/history.hpp>
#include <xtnn/trainer.hpp>
#include <xtnn/training_step.hpp>
