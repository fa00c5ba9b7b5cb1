// SPDX-License-Identifier: MIT
// Activation functions as stateless policies: A = f(Z) over a row-major (rows, cols) buffer.
// Each is a type (for the compile-time network) with a matching activation_kind value (for
// networks whose activations come from a command line or a file); activate() and
// activate_backward() map one to the other with a single switch per layer call.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include <xtnn/detail/vmath.hpp>
#include <xtnn/error.hpp>

namespace xtnn
{
/// The activations a dense layer can apply.
enum class activation_kind
{
    identity,
    sigmoid,
    tanh,
    relu,
    softmax
};

/// "identity", "sigmoid", "tanh", "relu", "softmax".
inline std::string_view to_string(activation_kind kind)
{
    switch (kind)
    {
    case activation_kind::identity:
        return "identity";
    case activation_kind::sigmoid:
        return "sigmoid";
    case activation_kind::tanh:
        return "tanh";
    case activation_kind::relu:
        return "relu";
    case activation_kind::softmax:
        return "softmax";
    }
    return "unknown";
}

/// The activation named `name` (as to_string spells it).
/// @throws xtnn::error listing the valid names.
inline activation_kind parse_activation(std::string_view name)
{
    for (auto kind : {activation_kind::identity, activation_kind::sigmoid, activation_kind::tanh,
                      activation_kind::relu, activation_kind::softmax})
    {
        if (name == to_string(kind))
        {
            return kind;
        }
    }
    throw error("xtnn::parse_activation: unknown activation '" + std::string(name) +
                "'; expected identity, sigmoid, tanh, relu or softmax");
}

/// The activation policies. Each provides
///   static constexpr activation_kind kind;
///   template <class T> static void forward(const T* z, T* a, std::size_t rows, std::size_t cols);
///   template <class T> static void backward(const T* z, const T* a, const T* grad_a, T* grad_z,
///                                           std::size_t rows, std::size_t cols);
/// where every buffer is row-major (rows, cols). forward: A = f(Z); a may equal z.
/// backward: grad_z = dL/dZ from grad_a = dL/dA, given the Z and A of the forward pass;
/// grad_z may equal grad_a (in place). Elementwise policies use grad_z = grad_a * f'(Z);
/// softmax, whose Jacobian is not diagonal, applies it row by row.
namespace activation
{
/// A = Z.
struct identity
{
    static constexpr activation_kind kind = activation_kind::identity;

    template <class T>
    static void forward(const T* z, T* a, std::size_t rows, std::size_t cols)
    {
        if (a != z)
        {
            std::copy(z, z + rows * cols, a);
        }
    }

    /// dZ = dA.
    template <class T>
    static void backward(const T*, const T*, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t cols)
    {
        if (grad_z != grad_a)
        {
            std::copy(grad_a, grad_a + rows * cols, grad_z);
        }
    }
};

/// A = 1 / (1 + exp(-Z)). Stable for any finite Z: exp's argument is clamped, so raw
/// 0..255 pixels through the book's weights give 0 or 1, never inf or NaN.
struct sigmoid
{
    static constexpr activation_kind kind = activation_kind::sigmoid;

    template <class T>
    static void forward(const T* z, T* a, std::size_t rows, std::size_t cols)
    {
        const std::size_t size = rows * cols;
        for (std::size_t i = 0; i < size; ++i)
        {
            a[i] = -z[i];
        }
        detail::exp_clamped(a, a, size);
        for (std::size_t i = 0; i < size; ++i)
        {
            a[i] = T(1) / (T(1) + a[i]);
        }
    }

    /// dZ = dA * A * (1 - A).
    template <class T>
    static void backward(const T*, const T* a, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t cols)
    {
        const std::size_t size = rows * cols;
        for (std::size_t i = 0; i < size; ++i)
        {
            grad_z[i] = grad_a[i] * a[i] * (T(1) - a[i]);
        }
    }
};

/// A = tanh(Z).
struct tanh
{
    static constexpr activation_kind kind = activation_kind::tanh;

    template <class T>
    static void forward(const T* z, T* a, std::size_t rows, std::size_t cols)
    {
        std::transform(z, z + rows * cols, a, [](T v) { return std::tanh(v); });
    }

    /// dZ = dA * (1 - A²).
    template <class T>
    static void backward(const T*, const T* a, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t cols)
    {
        const std::size_t size = rows * cols;
        for (std::size_t i = 0; i < size; ++i)
        {
            grad_z[i] = grad_a[i] * (T(1) - a[i] * a[i]);
        }
    }
};

/// A = max(0, Z).
struct relu
{
    static constexpr activation_kind kind = activation_kind::relu;

    template <class T>
    static void forward(const T* z, T* a, std::size_t rows, std::size_t cols)
    {
        std::transform(z, z + rows * cols, a, [](T v) { return v > T(0) ? v : T(0); });
    }

    /// dZ = dA where Z > 0, else 0 (the subgradient 0 at Z = 0, as the book and Keras take).
    template <class T>
    static void backward(const T* z, const T*, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t cols)
    {
        const std::size_t size = rows * cols;
        for (std::size_t i = 0; i < size; ++i)
        {
            // Load first, then select: written as one conditional load, GCC emits a branchy
            // scalar loop (11% of a 784-512-512-10 epoch); this form vectorises.
            const T g = grad_a[i];
            grad_z[i] = z[i] > T(0) ? g : T(0);
        }
    }
};

/// Row-wise A[i, j] = exp(Z[i, j] - max_j Z[i, :]) / sum_j exp(Z[i, j] - max_j Z[i, :]).
/// Shifting by the row maximum keeps every exponent <= 0: no overflow, and the largest
/// term is exactly 1, so the sum is never 0.
struct softmax
{
    static constexpr activation_kind kind = activation_kind::softmax;

    template <class T>
    static void forward(const T* z, T* a, std::size_t rows, std::size_t cols)
    {
        for (std::size_t r = 0; r < rows; ++r)
        {
            const T* z_row = z + r * cols;
            T* a_row = a + r * cols;
            const T row_max = *std::max_element(z_row, z_row + cols);
            for (std::size_t c = 0; c < cols; ++c)
            {
                a_row[c] = z_row[c] - row_max;
            }
            detail::exp_clamped(a_row, a_row, cols);
            T sum = 0;
            for (std::size_t c = 0; c < cols; ++c)
            {
                sum += a_row[c];
            }
            const T inverse = T(1) / sum;
            for (std::size_t c = 0; c < cols; ++c)
            {
                a_row[c] *= inverse;
            }
        }
    }

    /// Row-wise Jacobian-vector product: dA_i/dZ_j = A_i (δ_ij - A_j), so
    /// dZ = A * (dA - sum_j(dA_j * A_j)) for each row. Softmax followed by cross-entropy
    /// does not come here: loss.hpp fuses the two into (Y - T) / rows.
    template <class T>
    static void backward(const T*, const T* a, const T* grad_a, T* grad_z, std::size_t rows,
                         std::size_t cols)
    {
        for (std::size_t r = 0; r < rows; ++r)
        {
            const T* a_row = a + r * cols;
            const T* g_row = grad_a + r * cols;
            T* out_row = grad_z + r * cols;
            T dot = 0;  // read before out_row is written: grad_z may equal grad_a
            for (std::size_t c = 0; c < cols; ++c)
            {
                dot += g_row[c] * a_row[c];
            }
            for (std::size_t c = 0; c < cols; ++c)
            {
                out_row[c] = a_row[c] * (g_row[c] - dot);
            }
        }
    }
};
}  // namespace activation

/// Calls `f(Policy{})` with the policy type for `kind`: the one place runtime kinds meet the
/// policy types.
template <class F>
decltype(auto) visit_activation(activation_kind kind, F&& f)
{
    switch (kind)
    {
    case activation_kind::identity:
        return f(activation::identity{});
    case activation_kind::sigmoid:
        return f(activation::sigmoid{});
    case activation_kind::tanh:
        return f(activation::tanh{});
    case activation_kind::relu:
        return f(activation::relu{});
    case activation_kind::softmax:
        return f(activation::softmax{});
    }
    throw error("xtnn::visit_activation: invalid activation_kind value " +
                std::to_string(static_cast<int>(kind)));
}

/// A = f(Z) for the activation `kind`; z and a are row-major (rows, cols), a may equal z.
template <class T>
void activate(activation_kind kind, const T* z, T* a, std::size_t rows, std::size_t cols)
{
    visit_activation(kind, [&](auto policy) { decltype(policy)::forward(z, a, rows, cols); });
}

/// dL/dZ from dL/dA for the activation `kind`: z and a are the forward pass's Z and A,
/// grad_a and grad_z row-major (rows, cols); grad_z may equal grad_a.
template <class T>
void activate_backward(activation_kind kind, const T* z, const T* a, const T* grad_a, T* grad_z,
                       std::size_t rows, std::size_t cols)
{
    visit_activation(kind, [&](auto policy)
                     { decltype(policy)::backward(z, a, grad_a, grad_z, rows, cols); });
}
}  // namespace xtnn
