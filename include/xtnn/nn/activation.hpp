// SPDX-License-Identifier: MIT
// Activation functions as layers: Y = f(X) elementwise (softmax row by row), and their
// backward passes dX = G ⊙ f'(X) (softmax: its row Jacobian). identity, sigmoid, tanh, relu,
// leaky_relu(alpha), elu(alpha), gelu (exact, or the tanh approximation), silu, softplus and
// softmax. Each is stable for any finite input (raw 0..255 pixels give no inf or NaN).
// An activation's parameter (alpha) is part of its configuration.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include <xtnn/detail/vmath.hpp>
#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>

namespace xtnn
{
namespace detail
{
/// dX = G ⊙ f'(X, Y) elementwise, for the activations below.
template <class T, class Derivative>
void backward_rows(rows_ref<const T> x, rows_ref<const T> y, rows_ref<const T> grad_y,
                   rows_ref<T> grad_x, Derivative derivative)
{
    if (!grad_x.data)
    {
        return;  // nobody needs dX
    }
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i)
    {
        grad_x.data[i] = grad_y.data[i] * derivative(x.data[i], y.data[i]);
    }
}
}  // namespace detail

/// Y = X.
template <class T = float>
class identity
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "identity";
    identity() = default;
    template <class U>
    explicit identity(const identity<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::copy(x.data, x.data + x.size(), y.data);
    }
    /// dX = G.
    void backward(rows_ref<const T>, rows_ref<const T>, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        if (grad_x.data)
        {
            std::copy(grad_y.data, grad_y.data + grad_y.size(), grad_x.data);
        }
    }
};

/// Y = 1 / (1 + exp(-X)). exp's argument is clamped, so any finite X gives a value in
/// [0, 1], never inf or NaN; for float the exp is vectorised (detail/vmath.hpp).
template <class T = float>
class sigmoid
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "sigmoid";
    sigmoid() = default;
    template <class U>
    explicit sigmoid(const sigmoid<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        const std::size_t n = x.size();
        for (std::size_t i = 0; i < n; ++i)
        {
            y.data[i] = -x.data[i];
        }
        detail::exp_clamped(y.data, y.data, n);
        for (std::size_t i = 0; i < n; ++i)
        {
            y.data[i] = T(1) / (T(1) + y.data[i]);
        }
    }
    /// dX = G ⊙ Y ⊙ (1 - Y).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        const std::size_t n = y.size();
        for (std::size_t i = 0; i < n && grad_x.data != nullptr; ++i)
        {
            grad_x.data[i] = grad_y.data[i] * y.data[i] * (T(1) - y.data[i]);
        }
        (void)x;
    }
};

/// Y = tanh(X).
template <class T = float>
class tanh
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "tanh";
    tanh() = default;
    template <class U>
    explicit tanh(const tanh<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::transform(x.data, x.data + x.size(), y.data, [](T v) { return std::tanh(v); });
    }
    /// dX = G ⊙ (1 - Y²).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        detail::backward_rows(x, y, grad_y, grad_x, [](T, T a) { return T(1) - a * a; });
    }
};

/// Y = max(0, X).
template <class T = float>
class relu
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "relu";
    relu() = default;
    template <class U>
    explicit relu(const relu<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::transform(x.data, x.data + x.size(), y.data, [](T v) { return v > T(0) ? v : T(0); });
    }
    /// dX = G where X > 0, else 0 (the subgradient 0 at X = 0, as the book, Keras and PyTorch).
    void backward(rows_ref<const T> x, rows_ref<const T>, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        const std::size_t n = x.size();
        for (std::size_t i = 0; i < n; ++i)
        {
            // Load, then select: written as one conditional load, GCC emits a branchy scalar
            // loop (11% of a 784-512-512-10 epoch); this form vectorises.
            const T g = grad_y.data[i];
            grad_x.data[i] = x.data[i] > T(0) ? g : T(0);
        }
    }
};

/// Y = X where X > 0, else alpha·X (PyTorch's default alpha 0.01; Keras's is 0.3).
template <class T = float>
class leaky_relu
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "leaky_relu";
    explicit leaky_relu(double alpha = 0.01)
      : m_alpha(alpha)
    {
        if (!std::isfinite(alpha))
        {
            throw error("xtnn::leaky_relu: alpha must be finite; got " + std::to_string(alpha));
        }
    }
    template <class U>
    explicit leaky_relu(const leaky_relu<U>& other)
      : m_alpha(other.alpha())
    {
    }
    static leaky_relu from_config(const layer_config& config)
    {
        config.allow_only(kind, {"alpha"});
        return leaky_relu(config.number("alpha", 0.01));
    }
    layer_config config() const { return {{"alpha", m_alpha}}; }
    double alpha() const { return m_alpha; }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        const T a = static_cast<T>(m_alpha);
        std::transform(x.data, x.data + x.size(), y.data, [a](T v) { return v > T(0) ? v : a * v; });
    }
    /// dX = G where X > 0, else alpha·G (alpha at X = 0, as PyTorch).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        const T a = static_cast<T>(m_alpha);
        detail::backward_rows(x, y, grad_y, grad_x, [a](T v, T) { return v > T(0) ? T(1) : a; });
    }

private:
    double m_alpha;
};

/// Y = X where X > 0, else alpha·(exp(X) - 1) (alpha 1 by default, as Keras and PyTorch).
template <class T = float>
class elu
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "elu";
    explicit elu(double alpha = 1.0)
      : m_alpha(alpha)
    {
        if (!std::isfinite(alpha))
        {
            throw error("xtnn::elu: alpha must be finite; got " + std::to_string(alpha));
        }
    }
    template <class U>
    explicit elu(const elu<U>& other)
      : m_alpha(other.alpha())
    {
    }
    static elu from_config(const layer_config& config)
    {
        config.allow_only(kind, {"alpha"});
        return elu(config.number("alpha", 1.0));
    }
    layer_config config() const { return {{"alpha", m_alpha}}; }
    double alpha() const { return m_alpha; }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        const T a = static_cast<T>(m_alpha);
        std::transform(x.data, x.data + x.size(), y.data,
                       [a](T v) { return v > T(0) ? v : a * std::expm1(v); });
    }
    /// dX = G where X > 0, else G·alpha·exp(X) = G·(Y + alpha).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        const T a = static_cast<T>(m_alpha);
        detail::backward_rows(x, y, grad_y, grad_x,
                              [a](T v, T out) { return v > T(0) ? T(1) : out + a; });
    }

private:
    double m_alpha;
};

/// Y = X·Φ(X) = 0.5·X·(1 + erf(X/√2)), PyTorch's and Keras's default GELU; with
/// approximate "tanh", Y = 0.5·X·(1 + tanh(√(2/π)·(X + 0.044715·X³))).
template <class T = float>
class gelu
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "gelu";
    /// @throws xtnn::error unless `approximate` is "none" or "tanh".
    explicit gelu(const std::string& approximate = "none")
      : m_tanh(approximate == "tanh")
    {
        if (approximate != "none" && approximate != "tanh")
        {
            throw error("xtnn::gelu: approximate is '" + approximate +
                        "'; expected none (the exact erf form) or tanh");
        }
    }
    template <class U>
    explicit gelu(const gelu<U>& other)
      : m_tanh(other.approximate() == "tanh")
    {
    }
    static gelu from_config(const layer_config& config)
    {
        config.allow_only(kind, {"approximate"});
        return gelu(config.text("approximate", "none"));
    }
    layer_config config() const { return {{"approximate", approximate()}}; }
    std::string approximate() const { return m_tanh ? "tanh" : "none"; }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        if (m_tanh)
        {
            std::transform(x.data, x.data + x.size(), y.data,
                           [](T v) { return T(0.5) * v * (T(1) + std::tanh(tanh_argument(v))); });
        }
        else
        {
            std::transform(x.data, x.data + x.size(), y.data,
                           [](T v) { return T(0.5) * v * (T(1) + std::erf(v * inv_sqrt2)); });
        }
    }
    /// exact: dX = G·(Φ(X) + X·φ(X)), φ(x) = exp(-x²/2)/√(2π);
    /// tanh:  dX = G·(0.5·(1 + t) + 0.5·X·(1 - t²)·√(2/π)·(1 + 3·0.044715·X²)), t = tanh(u).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        if (m_tanh)
        {
            detail::backward_rows(x, y, grad_y, grad_x,
                                  [](T v, T)
                                  {
                                      const T t = std::tanh(tanh_argument(v));
                                      return T(0.5) * (T(1) + t) +
                                             T(0.5) * v * (T(1) - t * t) * sqrt_2_over_pi *
                                                 (T(1) + T(3 * 0.044715) * v * v);
                                  });
        }
        else
        {
            detail::backward_rows(x, y, grad_y, grad_x,
                                  [](T v, T)
                                  {
                                      const T cdf = T(0.5) * (T(1) + std::erf(v * inv_sqrt2));
                                      const T pdf = std::exp(T(-0.5) * v * v) * inv_sqrt_2pi;
                                      return cdf + v * pdf;
                                  });
        }
    }

private:
    static constexpr T inv_sqrt2 = T(0.70710678118654752440);
    static constexpr T inv_sqrt_2pi = T(0.39894228040143267794);
    static constexpr T sqrt_2_over_pi = T(0.79788456080286535588);
    static T tanh_argument(T v) { return sqrt_2_over_pi * (v + T(0.044715) * v * v * v); }

    bool m_tanh;
};

/// Y = X·σ(X) (SiLU, also called swish).
template <class T = float>
class silu
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "silu";
    silu() = default;
    template <class U>
    explicit silu(const silu<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::transform(x.data, x.data + x.size(), y.data, [](T v) { return v * logistic(v); });
    }
    /// dX = G·σ(X)·(1 + X·(1 - σ(X))).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        detail::backward_rows(x, y, grad_y, grad_x,
                              [](T v, T)
                              {
                                  const T s = logistic(v);
                                  return s * (T(1) + v * (T(1) - s));
                              });
    }

private:
    /// σ(v) = 1 / (1 + exp(-v)); exp(1000) is inf and gives σ = 0, as it should.
    static T logistic(T v) { return T(1) / (T(1) + std::exp(-v)); }
};

/// Y = log(1 + exp(X)), computed as max(X, 0) + log1p(exp(-|X|)) so that it never overflows.
template <class T = float>
class softplus
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "softplus";
    softplus() = default;
    template <class U>
    explicit softplus(const softplus<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        std::transform(x.data, x.data + x.size(), y.data,
                       [](T v) { return std::max(v, T(0)) + std::log1p(std::exp(-std::fabs(v))); });
    }
    /// dX = G·σ(X).
    void backward(rows_ref<const T> x, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        detail::backward_rows(x, y, grad_y, grad_x,
                              [](T v, T) { return T(1) / (T(1) + std::exp(-v)); });
    }
};

/// Row-wise Y[i, j] = exp(X[i, j] - max_j X[i, :]) / Σ_j exp(X[i, j] - max_j X[i, :]).
/// Shifting by the row maximum keeps every exponent <= 0: no overflow, and the largest term
/// is exactly 1, so the sum is never 0. Followed by cross-entropy, it is not differentiated
/// on its own: loss.hpp fuses the two into (Y - T) / rows.
template <class T = float>
class softmax
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "softmax";
    softmax() = default;
    template <class U>
    explicit softmax(const softmax<U>&)
    {
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            const T* in = x.row(r);
            T* out = y.row(r);
            const T row_max = *std::max_element(in, in + x.cols);
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                out[c] = in[c] - row_max;
            }
            detail::exp_clamped(out, out, x.cols);
            T sum = 0;
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                sum += out[c];
            }
            const T inverse = T(1) / sum;
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                out[c] *= inverse;
            }
        }
    }
    /// Row-wise Jacobian-vector product: dY_i/dX_j = Y_i (δ_ij - Y_j), so
    /// dX = Y ⊙ (G - Σ_j G_j·Y_j) for each row.
    void backward(rows_ref<const T>, rows_ref<const T> y, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        for (std::size_t r = 0; r < y.rows; ++r)
        {
            const T* a = y.row(r);
            const T* g = grad_y.row(r);
            T* out = grad_x.row(r);
            T dot = 0;
            for (std::size_t c = 0; c < y.cols; ++c)
            {
                dot += g[c] * a[c];
            }
            for (std::size_t c = 0; c < y.cols; ++c)
            {
                out[c] = a[c] * (g[c] - dot);
            }
        }
    }
};
}  // namespace xtnn
