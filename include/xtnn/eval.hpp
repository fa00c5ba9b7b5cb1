// SPDX-License-Identifier: MIT
// Scoring (xtnn/eval/): predicted classes and accuracy, evaluate() and predict_labels(), the
// confusion matrix.
#pragma once

#include <xtnn/eval/confusion.hpp>
#include <xtnn/eval/evaluate.hpp>
#include <xtnn/eval/metrics.hpp>
