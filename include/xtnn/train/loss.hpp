// SPDX-License-Identifier: MIT
// Losses as stateless policies with loss() and gradient() over a row-major (rows, cols)
// batch: softmax + cross-entropy (its gradient fused with the network's final softmax layer,
// so it is dL/dX of that layer) and mean squared error (dL/dY of the output). Targets are
// one-hot rows or class indices.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include <xtnn/error.hpp>

namespace xtnn
{
/// The losses a network can be trained with.
enum class loss_kind
{
    softmax_cross_entropy,
    mean_squared_error
};

/// "softmax_cross_entropy", "mean_squared_error".
inline std::string_view to_string(loss_kind kind)
{
    switch (kind)
    {
    case loss_kind::softmax_cross_entropy:
        return "softmax_cross_entropy";
    case loss_kind::mean_squared_error:
        return "mean_squared_error";
    }
    return "unknown";
}

/// The loss named `name` (as to_string spells it; "cross_entropy" and "mse" also accepted).
/// @throws xtnn::error listing the valid names.
inline loss_kind parse_loss(std::string_view name)
{
    if (name == "softmax_cross_entropy" || name == "cross_entropy")
    {
        return loss_kind::softmax_cross_entropy;
    }
    if (name == "mean_squared_error" || name == "mse")
    {
        return loss_kind::mean_squared_error;
    }
    throw error("xtnn::parse_loss: unknown loss '" + std::string(name) +
                "'; expected softmax_cross_entropy or mean_squared_error");
}

/// The targets of a batch: exactly one of
///   one_hot  (rows, cols) row-major, e.g. a one-hot label per row, or any target rows;
///   indices  (rows) the class of each row, each < cols.
/// Non-owning; the buffers must outlive the call.
template <class T>
struct targets_ref
{
    const T* one_hot = nullptr;
    const std::size_t* indices = nullptr;
};

namespace detail
{
template <class T>
void check_targets(targets_ref<T> t, const char* where)
{
    if ((t.one_hot == nullptr) == (t.indices == nullptr))
    {
        throw error(std::string(where) + ": targets need exactly one of one_hot and indices; got " +
                    (t.one_hot == nullptr ? "neither" : "both"));
    }
}

inline void check_label(std::size_t label, std::size_t row, std::size_t cols, const char* where)
{
    if (label >= cols)
    {
        throw shape_error(std::string(where) + ": label " + std::to_string(label) + " at row " +
                          std::to_string(row) + " is out of range; expected < " +
                          std::to_string(cols) + " classes");
    }
}

inline void check_rows(std::size_t rows, const char* where)
{
    if (rows == 0)
    {
        throw shape_error(std::string(where) + ": empty batch; expected at least one row");
    }
}
}  // namespace detail

/// Softmax followed by cross-entropy, the book's SoftmaxWithLoss.
///   loss = -Σ t · log(y + 1e-7) / rows      (the book's cross_entropy_error, epsilon 1e-7)
///   dL/dZ = (y - t) / rows                   (fused through the softmax)
/// y (rows, cols) is the output of the network's last layer, which must be a softmax; the
/// gradient is w.r.t. that softmax's input Z, so the training pass skips the softmax's own
/// backward (a Jacobian product that the fused form saves, and is more accurate than).
struct softmax_cross_entropy
{
    static constexpr loss_kind kind = loss_kind::softmax_cross_entropy;
    /// The kind of the last layer this loss is fused with: gradient() is dL/dX of it.
    static constexpr std::string_view fused_with = "softmax";

    /// The mean cross-entropy of y (rows, cols) against t (accumulated in double).
    /// @throws shape_error for rows == 0 or a label >= cols; xtnn::error for bad targets.
    template <class T>
    static T loss(const T* y, targets_ref<T> t, std::size_t rows, std::size_t cols)
    {
        constexpr const char* where = "xtnn::softmax_cross_entropy::loss";
        detail::check_targets(t, where);
        detail::check_rows(rows, where);
        constexpr double epsilon = 1e-7;
        double sum = 0;
        if (t.indices != nullptr)
        {
            for (std::size_t r = 0; r < rows; ++r)
            {
                detail::check_label(t.indices[r], r, cols, where);
                // -log(y[r, label] + ε): the one-hot row has a single 1
                sum -= std::log(static_cast<double>(y[r * cols + t.indices[r]]) + epsilon);
            }
        }
        else
        {
            for (std::size_t i = 0; i < rows * cols; ++i)
            {
                // -t · log(y + ε)
                if (t.one_hot[i] != T(0))
                {
                    sum -= static_cast<double>(t.one_hot[i]) *
                           std::log(static_cast<double>(y[i]) + epsilon);
                }
            }
        }
        return static_cast<T>(sum / static_cast<double>(rows));
    }

    /// grad_z (rows, cols) = (y - t) / rows; for class indices, y / rows with 1 / rows
    /// subtracted at each row's label. grad_z may equal y.
    /// @throws shape_error for rows == 0 or a label >= cols; xtnn::error for bad targets.
    template <class T>
    static void gradient(const T* y, targets_ref<T> t, std::size_t rows, std::size_t cols,
                         T* grad_z)
    {
        constexpr const char* where = "xtnn::softmax_cross_entropy::gradient";
        detail::check_targets(t, where);
        detail::check_rows(rows, where);
        const T scale = T(1) / static_cast<T>(rows);
        const std::size_t size = rows * cols;
        if (t.indices != nullptr)
        {
            for (std::size_t i = 0; i < size; ++i)
            {
                grad_z[i] = y[i] * scale;
            }
            for (std::size_t r = 0; r < rows; ++r)
            {
                detail::check_label(t.indices[r], r, cols, where);
                // (y - t) / rows with t = 1 at the label, written as y/rows - 1/rows
                grad_z[r * cols + t.indices[r]] = (y[r * cols + t.indices[r]] - T(1)) * scale;
            }
        }
        else
        {
            for (std::size_t i = 0; i < size; ++i)
            {
                grad_z[i] = (y[i] - t.one_hot[i]) * scale;
            }
        }
    }
};

/// Mean squared error averaged over the batch:
///   loss = 0.5 · Σ (y - t)² / rows
///   dL/dA = (y - t) / rows
/// The book's mean_squared_error is 0.5 · Σ (y - t)² for one sample; this is its mean over
/// the rows (Keras's "mse" also averages over the columns and drops the 0.5: it is this
/// value times 2 / cols). The gradient is w.r.t. the network's output Y; every layer's
/// backward runs on it, the last included. Class indices stand for one-hot rows.
struct mean_squared_error
{
    static constexpr loss_kind kind = loss_kind::mean_squared_error;
    /// Fused with no layer: gradient() is dL/dY of the network's output.
    static constexpr std::string_view fused_with = "";

    /// The loss of y (rows, cols) against t (accumulated in double).
    /// @throws shape_error for rows == 0 or a label >= cols; xtnn::error for bad targets.
    template <class T>
    static T loss(const T* y, targets_ref<T> t, std::size_t rows, std::size_t cols)
    {
        constexpr const char* where = "xtnn::mean_squared_error::loss";
        detail::check_targets(t, where);
        detail::check_rows(rows, where);
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r)
        {
            if (t.indices != nullptr)
            {
                detail::check_label(t.indices[r], r, cols, where);
            }
            for (std::size_t c = 0; c < cols; ++c)
            {
                const double d = static_cast<double>(y[r * cols + c]) - target(t, r, c, cols);
                sum += d * d;  // Σ (y - t)²
            }
        }
        return static_cast<T>(0.5 * sum / static_cast<double>(rows));
    }

    /// grad_a (rows, cols) = (y - t) / rows. grad_a may equal y.
    /// @throws shape_error for rows == 0 or a label >= cols; xtnn::error for bad targets.
    template <class T>
    static void gradient(const T* y, targets_ref<T> t, std::size_t rows, std::size_t cols,
                         T* grad_a)
    {
        constexpr const char* where = "xtnn::mean_squared_error::gradient";
        detail::check_targets(t, where);
        detail::check_rows(rows, where);
        const T scale = T(1) / static_cast<T>(rows);
        if (t.indices != nullptr)
        {
            for (std::size_t r = 0; r < rows; ++r)
            {
                detail::check_label(t.indices[r], r, cols, where);
                for (std::size_t c = 0; c < cols; ++c)
                {
                    const T one_hot = c == t.indices[r] ? T(1) : T(0);
                    grad_a[r * cols + c] = (y[r * cols + c] - one_hot) * scale;
                }
            }
        }
        else
        {
            for (std::size_t i = 0; i < rows * cols; ++i)
            {
                grad_a[i] = (y[i] - t.one_hot[i]) * scale;
            }
        }
    }

private:
    template <class T>
    static double target(targets_ref<T> t, std::size_t r, std::size_t c, std::size_t cols)
    {
        if (t.indices != nullptr)
        {
            return c == t.indices[r] ? 1.0 : 0.0;
        }
        return static_cast<double>(t.one_hot[r * cols + c]);
    }
};

/// Calls `f(Loss{})` with the policy type for `kind`.
template <class F>
decltype(auto) visit_loss(loss_kind kind, F&& f)
{
    switch (kind)
    {
    case loss_kind::softmax_cross_entropy:
        return f(softmax_cross_entropy{});
    case loss_kind::mean_squared_error:
        return f(mean_squared_error{});
    }
    throw error("xtnn::visit_loss: invalid loss_kind value " +
                std::to_string(static_cast<int>(kind)));
}

/// The loss `kind` of y (rows, cols) against t; see the policies.
template <class T>
T compute_loss(loss_kind kind, const T* y, targets_ref<T> t, std::size_t rows, std::size_t cols)
{
    return visit_loss(kind, [&](auto policy) { return decltype(policy)::loss(y, t, rows, cols); });
}
}  // namespace xtnn
