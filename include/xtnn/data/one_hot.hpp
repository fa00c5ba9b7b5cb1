// SPDX-License-Identifier: MIT
// Class labels as one-hot rows, Keras's to_categorical: the one encoder the data sets use.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// Labels (N,) as one-hot rows (N, classes): row i is 1 at column labels[i], 0 elsewhere.
/// `Labels` is any container of integers with size() and operator[] (std::vector, an
/// xtensor). @throws shape_error naming the first label >= classes and its index.
template <class T = float, class Labels>
xt::xtensor<T, 2> one_hot(const Labels& labels, std::size_t classes)
{
    const std::size_t n = labels.size();
    auto out = xt::xtensor<T, 2>::from_shape({n, classes});
    std::fill(out.begin(), out.end(), T(0));
    T* row = out.data();
    for (std::size_t i = 0; i < n; ++i, row += classes)
    {
        const auto label = static_cast<std::size_t>(labels[i]);
        if (label >= classes)
        {
            throw shape_error("xtnn::data::one_hot: label " + std::to_string(label) +
                              " at index " + std::to_string(i) + "; expected " +
                              (classes ? "0.." + std::to_string(classes - 1) : "none") + " for " +
                              std::to_string(classes) + " classes");
        }
        row[label] = T(1);
    }
    return out;
}
}  // namespace xtnn::data
