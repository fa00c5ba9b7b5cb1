// SPDX-License-Identifier: MIT
// The small network several tests work out by hand and with numpy (see nn/test_network.cpp):
//   X = [[1,2,3],[-1,0.5,2]]
//   dense 1: W1 = [[0.1,-0.2],[0.3,0.4],[-0.5,0.6]], b1 = [0.01,-0.02], then sigmoid
//   dense 2: W2 = [[1,-1],[0,2]], b2 = [0.5,0], then the output activation
#pragma once

#include <vector>

#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/dense.hpp>
#include <xtnn/nn/network.hpp>

namespace xtnn_test
{
/// Dense layer 1 (3 -> 2).
template <class T>
xtnn::dense<T> example_layer()
{
    return xtnn::dense<T>(xtnn::matrix<T>{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}},
                          xtnn::vector<T>{0.01, -0.02});
}

/// Dense layer 2 (2 -> 2).
template <class T>
xtnn::dense<T> example_output_layer()
{
    return xtnn::dense<T>(xtnn::matrix<T>{{1, -1}, {0, 2}}, xtnn::vector<T>{0.5, 0});
}

/// dense 1, sigmoid, dense 2, then `output` (softmax by default).
template <class T>
xtnn::network<T> example_network(const xtnn::any_layer<T>& output = xtnn::softmax<T>())
{
    return xtnn::network<T>(3, {example_layer<T>(), xtnn::sigmoid<T>(), example_output_layer<T>(),
                                output});
}

/// X (2, 3).
template <class T>
const xtnn::matrix<T> example_x{{1, 2, 3}, {-1, 0.5, 2}};
}  // namespace xtnn_test
