// SPDX-License-Identifier: MIT
// Cutting a data set into training and test parts.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// A data set cut into training and test parts: x (rows, features), y (rows,).
template <class T = float>
struct train_test_split
{
    xt::xtensor<T, 2> x_train;
    xt::xtensor<T, 2> x_test;
    xt::xtensor<std::size_t, 1> y_train;
    xt::xtensor<std::size_t, 1> y_test;
};

/// The tutorial's split, without shuffling: samples [0, test_count) of `data` (images
/// (N, features), labels (N,), e.g. a digits_set) are the test set and [test_count, N) the
/// training set (300 and 1497 for the digits).
/// @throws shape_error when test_count > N.
template <class Data, class T = typename Data::value_type>
train_test_split<T> split_first_as_test(const Data& data, std::size_t test_count)
{
    const std::size_t n = data.labels.size();
    const std::size_t cols = data.images.shape()[1];
    if (test_count > n || data.images.shape()[0] != n)
    {
        throw shape_error(
            "xtnn::data::split_first_as_test: test_count " + std::to_string(test_count) +
            " with images " + shape_string(data.images.shape()) + " and labels " +
            shape_string(data.labels.shape()) + "; expected test_count <= N and N rows in both");
    }
    const std::size_t train_count = n - test_count;
    train_test_split<T> split;
    split.x_test = xt::xtensor<T, 2>::from_shape({test_count, cols});
    split.x_train = xt::xtensor<T, 2>::from_shape({train_count, cols});
    split.y_test = xt::xtensor<std::size_t, 1>::from_shape({test_count});
    split.y_train = xt::xtensor<std::size_t, 1>::from_shape({train_count});
    const T* x = data.images.data();
    const std::size_t* y = data.labels.data();
    std::copy(x, x + test_count * cols, split.x_test.data());
    std::copy(x + test_count * cols, x + n * cols, split.x_train.data());
    std::copy(y, y + test_count, split.y_test.data());
    std::copy(y + test_count, y + n, split.y_train.data());
    return split;
}
}  // namespace xtnn::data
