// SPDX-License-Identifier: MIT
// The array types xtnn works with, and the one place xtensor is included: xtnn's headers,
// tests and examples include <xtnn/tensor.hpp>, never <xtensor/...> (xtensor-blas is included
// in detail/blas.hpp alone). Data is row-major (batch, features) throughout.
//
// xtensor 0.24 and 0.25 keep every header in xtensor/; 0.26 moved them into folders
// (xtensor/containers/xtensor.hpp, xtensor/views/xview.hpp, ...) and left no forwarding
// headers, and 0.27 needs C++20. The layout is told by which config header exists; the
// version macros then say whether it is one xtnn knows. Checked with 0.24.3 (Debian 12),
// 0.25.0, 0.26.0 and 0.27.1, each with its own xtl and xtensor-blas.
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

#if __has_include(<xtensor/core/xtensor_config.hpp>)
#include <xtensor/core/xtensor_config.hpp>
#define XTNN_XTENSOR_FOLDERS 1
#elif __has_include(<xtensor/xtensor_config.hpp>)
#include <xtensor/xtensor_config.hpp>
#define XTNN_XTENSOR_FOLDERS 0
#else
#error "xtnn: xtensor not found; xtnn needs xtensor 0.24 to 0.27 (and its xtl and xtensor-blas)"
#endif

#if XTENSOR_VERSION_MAJOR != 0 || XTENSOR_VERSION_MINOR < 24
#error "xtnn: xtensor is older than 0.24; xtnn needs xtensor 0.24 to 0.27"
#endif
#if defined(_MSVC_LANG) && _MSVC_LANG > __cplusplus
#define XTNN_CPLUSPLUS _MSVC_LANG
#else
#define XTNN_CPLUSPLUS __cplusplus
#endif
#if XTENSOR_VERSION_MINOR >= 27 && XTNN_CPLUSPLUS < 202002L
#error "xtnn: xtensor 0.27 needs C++20 (-std=c++20); xtensor 0.24 to 0.26 work with C++17"
#endif

// What xtnn uses: containers, adaptors of raw buffers, views, builders (zeros, ones), the math
// and reducers (mean, amax), transpose. xview.hpp pulls all of these in already; naming them
// costs nothing and keeps a program that uses them from depending on that.
#if XTNN_XTENSOR_FOLDERS
#include <xtensor/containers/xadapt.hpp>
#include <xtensor/containers/xarray.hpp>
#include <xtensor/containers/xtensor.hpp>
#include <xtensor/core/xmath.hpp>
#include <xtensor/generators/xbuilder.hpp>
#include <xtensor/misc/xmanipulation.hpp>
#include <xtensor/views/xview.hpp>
#else
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#endif

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
    // Appended rather than `"(" + std::to_string(rows) + ...`: GCC 12 in C++20 at -O2 and up
    // warns falsely (-Wrestrict, inside libstdc++) on a literal added to a temporary string.
    std::string text = "(";
    text += std::to_string(rows);
    text += ", ";
    text += std::to_string(cols);
    text += ')';
    return text;
}
}  // namespace xtnn
