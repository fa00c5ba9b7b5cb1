// SPDX-License-Identifier: MIT
// The small network several tests work out by hand and with numpy (see test_network.cpp):
//   X = [[1,2,3],[-1,0.5,2]]
//   layer 1: W1 = [[0.1,-0.2],[0.3,0.4],[-0.5,0.6]], b1 = [0.01,-0.02]
//   layer 2: W2 = [[1,-1],[0,2]], b2 = [0.5,0]
#pragma once

#include <vector>

#include <xtnn/dense.hpp>
#include <xtnn/network.hpp>

namespace xtnn_test
{
/// Layer 1 (3 -> 2) with the given activation.
template <class T>
xtnn::dense_layer<T> example_layer(xtnn::activation_kind kind)
{
    return xtnn::dense_layer<T>(xtnn::matrix<T>{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}},
                                xtnn::vector<T>{0.01, -0.02}, kind);
}

/// Layer 2 (2 -> 2) with the given activation.
template <class T>
xtnn::dense_layer<T> example_output_layer(xtnn::activation_kind kind)
{
    return xtnn::dense_layer<T>(xtnn::matrix<T>{{1, -1}, {0, 2}}, xtnn::vector<T>{0.5, 0}, kind);
}

/// Layer 1 with sigmoid, then layer 2 with `output`.
template <class T>
xtnn::network<T> example_network(xtnn::activation_kind output = xtnn::activation_kind::softmax)
{
    return xtnn::network<T>(std::vector<xtnn::dense_layer<T>>{
        example_layer<T>(xtnn::activation_kind::sigmoid), example_output_layer<T>(output)});
}

/// X (2, 3).
template <class T>
const xtnn::matrix<T> example_x{{1, 2, 3}, {-1, 0.5, 2}};
}  // namespace xtnn_test
