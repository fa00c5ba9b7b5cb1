// SPDX-License-Identifier: MIT
// Turning network outputs into answers: the predicted class of each row, and accuracy
// against labels given either as class indices (N,) or one-hot rows (N, classes).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Index of the largest value in each row of a row-major (rows, cols) buffer, written to
/// `out` (rows). Ties go to the first, as numpy's argmax does.
template <class T>
void argmax_rows(const T* values, std::size_t rows, std::size_t cols, std::size_t* out)
{
    for (std::size_t r = 0; r < rows; ++r)
    {
        const T* row = values + r * cols;
        std::size_t best = 0;
        for (std::size_t c = 1; c < cols; ++c)
        {
            best = row[c] > row[best] ? c : best;
        }
        out[r] = best;
    }
}

/// The predicted class of each row of scores (rows, classes).
/// @throws shape_error when scores is not 2-D.
template <class E>
std::vector<std::size_t> argmax_rows(const E& scores)
{
    if (scores.dimension() != 2 || scores.layout() != xt::layout_type::row_major)
    {
        throw shape_error("xtnn::argmax_rows: scores have shape " + shape_string(scores.shape()) +
                          "; expected a row-major (rows, classes) array");
    }
    std::vector<std::size_t> result(scores.shape()[0]);
    argmax_rows(scores.data(), scores.shape()[0], scores.shape()[1], result.data());
    return result;
}

/// Class indices from labels given as indices (N,) or one-hot rows (N, classes).
/// @throws shape_error for any other rank.
template <class E>
std::vector<std::size_t> class_indices(const E& labels)
{
    if (labels.dimension() == 2)
    {
        return argmax_rows(labels);
    }
    if (labels.dimension() != 1)
    {
        throw shape_error("xtnn::class_indices: labels have shape " + shape_string(labels.shape()) +
                          "; expected (N,) or (N, classes)");
    }
    std::vector<std::size_t> result(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        result[i] = static_cast<std::size_t>(labels(i));
    }
    return result;
}

/// Fraction of predictions equal to the labels.
/// @throws shape_error when the counts differ.
inline double accuracy(const std::vector<std::size_t>& predicted,
                       const std::vector<std::size_t>& labels)
{
    if (predicted.size() != labels.size())
    {
        throw shape_error("xtnn::accuracy: " + std::to_string(predicted.size()) +
                          " predictions for " + std::to_string(labels.size()) + " labels");
    }
    if (labels.empty())
    {
        return 0.0;
    }
    std::size_t correct = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        correct += predicted[i] == labels[i];
    }
    return static_cast<double>(correct) / static_cast<double>(labels.size());
}
}  // namespace xtnn
