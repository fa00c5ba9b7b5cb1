// SPDX-License-Identifier: MIT
// The array types xtnn works with, and the one place xtensor's containers are included.
// Data is row-major (batch, features) throughout.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

namespace xtnn
{
/// A row-major (rows, cols) matrix: a batch of samples, or a layer's weights.
template <class T = float>
using matrix = xt::xtensor<T, 2>;

/// A vector: a bias, or one sample.
template <class T = float>
using vector = xt::xtensor<T, 1>;

/// Formats a shape the way numpy prints it: "(784, 50)", "(10,)".
template <class Shape>
std::string shape_string(const Shape& shape)
{
    std::ostringstream out;
    out << '(';
    std::size_t i = 0;
    for (auto extent : shape)
    {
        out << (i++ ? ", " : "") << extent;
    }
    out << (i == 1 ? ",)" : ")");
    return out.str();
}

/// Formats a (rows, cols) pair as "(rows, cols)".
inline std::string shape_string(std::size_t rows, std::size_t cols)
{
    return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}
}  // namespace xtnn
