// SPDX-License-Identifier: MIT
// Scoring a network on labelled data held in memory: evaluate() gives the mean loss and the
// accuracy, predict_labels() the predicted class of every row. Labels are class indices (N,)
// or one-hot rows (N, classes); the trainer shares the views defined here.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/eval/metrics.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// A network's score on a data set.
struct evaluation
{
    double loss = 0;
    double accuracy = 0;
};

namespace detail
{
/// Rows of inputs with their labels: x (rows, features); targets one-hot (rows, classes)
/// when `one_hot` is set, else the class indices `labels` (rows), which are always set.
template <class T>
struct labeled_rows
{
    const T* x = nullptr;
    std::size_t rows = 0, features = 0;
    const T* one_hot = nullptr;
    const std::size_t* labels = nullptr;
    std::size_t classes = 0;

    labeled_rows slice(std::size_t first, std::size_t count) const
    {
        labeled_rows part = *this;
        part.x = x + first * features;
        part.rows = count;
        part.one_hot = one_hot ? one_hot + first * classes : nullptr;
        part.labels = labels + first;
        return part;
    }
};

/// Owns what labeled_rows points to when the caller's arrays cannot be used in place.
template <class T>
struct label_storage
{
    std::vector<std::size_t> labels;
    std::vector<T> one_hot;  // only when y is one-hot of another value type
};

/// Checks x (N, in) and y ((N,) indices or (N, classes) one-hot) against `net` and views
/// them as labeled_rows. @throws shape_error naming `caller`, `what` ("x", "x_val") and
/// the shapes.
template <class T, class X, class Y>
labeled_rows<T> view_data(const network<T>& net, const X& x, const Y& y, label_storage<T>& store,
                          const std::string& what, const char* caller)
{
    static_assert(std::is_same_v<typename X::value_type, T>,
                  "xtnn: the inputs must have the network's value type");
    const std::string where = std::string(caller) + ": ";
    if (x.dimension() != 2 || x.shape()[1] != net.inputs() ||
        x.layout() != xt::layout_type::row_major)
    {
        throw shape_error(where + what + " has shape " + shape_string(x.shape()) +
                          "; expected a row-major (N, " + std::to_string(net.inputs()) + ")");
    }
    const std::size_t n = x.shape()[0];
    const std::size_t classes = net.outputs();
    const bool one_hot = y.dimension() == 2;
    if ((y.dimension() != 1 && !one_hot) || y.shape()[0] != n ||
        (one_hot && y.shape()[1] != classes))
    {
        throw shape_error(where + "labels for " + what + " " + shape_string(x.shape()) +
                          " have shape " + shape_string(y.shape()) + "; expected (" +
                          std::to_string(n) + ",) or (" + std::to_string(n) + ", " +
                          std::to_string(classes) + ")");
    }
    labeled_rows<T> rows;
    rows.x = x.data();
    rows.rows = n;
    rows.features = net.inputs();
    rows.classes = classes;
    store.labels = class_indices(y);
    for (std::size_t i = 0; i < n; ++i)
    {
        if (store.labels[i] >= classes)
        {
            throw shape_error(where + "label " + std::to_string(store.labels[i]) + " of " + what +
                              " row " + std::to_string(i) + " is out of range; expected < " +
                              std::to_string(classes) + " classes");
        }
    }
    rows.labels = store.labels.data();
    if (one_hot)
    {
        if constexpr (std::is_same_v<typename Y::value_type, T>)
        {
            if (y.layout() == xt::layout_type::row_major)
            {
                rows.one_hot = y.data();
                return rows;
            }
        }
        store.one_hot.assign(y.begin(), y.end());
        rows.one_hot = store.one_hot.data();
    }
    return rows;
}

/// The mean loss and accuracy of `net` on `data`, `batch` rows per forward pass.
template <class T>
evaluation evaluate_rows(const network<T>& net, const labeled_rows<T>& data, loss_kind loss,
                         std::size_t batch, workspace<T>& ws, std::vector<std::size_t>& predicted)
{
    evaluation result;
    if (data.rows == 0)
    {
        return result;
    }
    batch = std::max<std::size_t>(1, batch);
    predicted.resize(std::min(batch, data.rows));
    double loss_sum = 0;
    std::size_t correct = 0;
    for (std::size_t first = 0; first < data.rows; first += batch)
    {
        const std::size_t count = std::min(batch, data.rows - first);
        const labeled_rows<T> part = data.slice(first, count);
        const T* y = net.forward(part.x, count, ws).data();
        const targets_ref<T> t{part.one_hot, part.one_hot ? nullptr : part.labels};
        // the loss is a mean over the chunk's rows: weight it by them
        loss_sum += static_cast<double>(compute_loss(loss, y, t, count, data.classes)) *
                    static_cast<double>(count);
        argmax_rows(y, count, data.classes, predicted.data());
        for (std::size_t r = 0; r < count; ++r)
        {
            correct += predicted[r] == part.labels[r];
        }
    }
    result.loss = loss_sum / static_cast<double>(data.rows);
    result.accuracy = static_cast<double>(correct) / static_cast<double>(data.rows);
    return result;
}
}  // namespace detail

/// The mean loss and the accuracy of `net` on x (N, inputs) against y ((N,) class indices or
/// (N, outputs) one-hot), `batch` rows per forward pass.
/// @throws shape_error when x or y does not fit the network.
template <class T, class X, class Y>
evaluation evaluate(const network<T>& net, const X& x, const Y& y,
                    loss_kind loss = loss_kind::softmax_cross_entropy, std::size_t batch = 1000)
{
    detail::label_storage<T> store;
    const auto data = detail::view_data(net, x, y, store, "x", "xtnn::evaluate");
    batch = std::max<std::size_t>(1, std::min(batch, std::max<std::size_t>(data.rows, 1)));
    workspace<T> ws(net, batch);
    std::vector<std::size_t> predicted;
    return detail::evaluate_rows(net, data, loss, batch, ws, predicted);
}

/// The predicted class (argmax of the output) of every row of x (N, inputs).
/// @throws shape_error when x is not a row-major (N, inputs) array.
template <class T, class X>
std::vector<std::size_t> predict_labels(const network<T>& net, const X& x, std::size_t batch = 1000)
{
    if (x.dimension() != 2 || x.shape()[1] != net.inputs())
    {
        throw shape_error("xtnn::predict_labels: x has shape " + shape_string(x.shape()) +
                          "; expected (N, " + std::to_string(net.inputs()) + ")");
    }
    const std::size_t n = x.shape()[0];
    batch = std::max<std::size_t>(1, std::min(batch, std::max<std::size_t>(n, 1)));
    std::vector<std::size_t> labels(n);
    workspace<T> ws(net, batch);
    for (std::size_t first = 0; first < n; first += batch)
    {
        const std::size_t count = std::min(batch, n - first);
        const auto scores = net.forward_rows(x, first, count, ws);
        argmax_rows(scores.data(), count, net.outputs(), labels.data() + first);
    }
    return labels;
}
}  // namespace xtnn
