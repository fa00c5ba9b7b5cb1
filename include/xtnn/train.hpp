// SPDX-License-Identifier: MIT
// Training (xtnn/train/): losses, the parameter registry, the one forward/backward pass,
// update rules and the optimizer, learning-rate schedules, training_step, fit with its history
// and progress lines, and the gradient check.
#pragma once

#include <xtnn/train/backprop.hpp>
#include <xtnn/train/fit.hpp>
#include <xtnn/train/gradient_check.hpp>
#include <xtnn/train/history.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/train/optimizer.hpp>
#include <xtnn/train/parameters.hpp>
#include <xtnn/train/progress.hpp>
#include <xtnn/train/schedule.hpp>
#include <xtnn/train/training_step.hpp>
#include <xtnn/train/update_rules.hpp>
