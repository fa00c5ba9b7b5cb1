// SPDX-License-Identifier: MIT
// Layer normalisation (Ba, Kiros & Hinton 2016), as PyTorch's LayerNorm over the last
// dimension: each row is normalised by its own mean and variance, then scaled and shifted per
// feature. The same in training and inference.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Per row r of X (rows, features):
///   μ_r = mean_j X[r, j],  σ²_r = mean_j (X[r, j] - μ_r)²  (biased)
///   x̂ = (X - μ) / sqrt(σ² + ε),  Y = γ ⊙ x̂ + β   (γ, β per feature)
/// epsilon defaults to PyTorch's 1e-5 (Keras's is 1e-3).
template <class T = float>
class layer_norm
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "layer_norm";

    /// @throws xtnn::error for epsilon <= 0.
    explicit layer_norm(double epsilon = 1e-5)
      : m_epsilon(epsilon)
    {
        if (!(epsilon > 0) || !std::isfinite(epsilon))
        {
            throw error("xtnn::layer_norm: epsilon " + std::to_string(epsilon) +
                        " must be a finite value > 0");
        }
    }
    template <class U>
    explicit layer_norm(const layer_norm<U>& other)
      : layer_norm(other.epsilon())
    {
        m_gamma = xt::cast<T>(other.gamma());
        m_beta = xt::cast<T>(other.beta());
        m_gamma_options = other.gamma_options();
        m_beta_options = other.beta_options();
    }
    static layer_norm from_config(const layer_config& config)
    {
        config.allow_only(kind, {"epsilon"});
        return layer_norm(config.number("epsilon", 1e-5));
    }
    layer_config config() const { return {{"epsilon", m_epsilon}}; }
    double epsilon() const { return m_epsilon; }

    std::size_t input_width() const { return m_gamma.size(); }
    std::size_t output_width(std::size_t in) const { return keep_width(kind, input_width(), in); }
    /// Allocates γ = 1 and β = 0 for `in` features.
    std::size_t build(std::size_t in)
    {
        if (input_width() == 0)
        {
            m_gamma = xt::ones<T>({in});
            m_beta = xt::zeros<T>({in});
        }
        return output_width(in);
    }

    vector<T>& gamma() { return m_gamma; }
    const vector<T>& gamma() const { return m_gamma; }
    vector<T>& beta() { return m_beta; }
    const vector<T>& beta() const { return m_beta; }
    parameter_options& gamma_options() { return m_gamma_options; }
    const parameter_options& gamma_options() const { return m_gamma_options; }
    parameter_options& beta_options() { return m_beta_options; }
    const parameter_options& beta_options() const { return m_beta_options; }

    /// γ and β: 2·in values.
    std::size_t array_values(std::size_t in) const { return checked_size(in, 2); }

    std::size_t parameter_count() const { return 2; }
    parameter_ref<T> parameter(std::size_t i)
    {
        return i == 0 ? make_parameter_ref("gamma", m_gamma, m_gamma_options)
                      : make_parameter_ref("beta", m_beta, m_beta_options);
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        check(x.cols);
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            T mean = 0;
            const T inverse = statistics(x.row(r), x.cols, mean);
            const T* in = x.row(r);
            T* out = y.row(r);
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                out[c] = m_gamma(c) * ((in[c] - mean) * inverse) + m_beta(c);
            }
        }
    }

    /// x̂ (rows, features), then each row's 1/σ (rows).
    std::size_t cache_size(std::size_t rows, std::size_t in) const { return rows * in + rows; }
    void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache, training_context&)
    {
        check(x.cols);
        T* inv_std = cache + x.size();
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            T mean = 0;
            const T inverse = statistics(x.row(r), x.cols, mean);
            inv_std[r] = inverse;
            const T* in = x.row(r);
            T* x_hat = cache + r * x.cols;
            T* out = y.row(r);
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                x_hat[c] = (in[c] - mean) * inverse;
                out[c] = m_gamma(c) * x_hat[c] + m_beta(c);
            }
        }
    }

    /// Per row, with Ĝ = G ⊙ γ:  dX = (1/σ)·(Ĝ - mean_j Ĝ - x̂ ⊙ mean_j(Ĝ ⊙ x̂));
    /// dγ = Σ_r G ⊙ x̂, dβ = Σ_r G. After an inference forward x̂ is recomputed from X.
    void backward(rows_ref<const T> x, rows_ref<const T>, const T* cache, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const* grads) const
    {
        check(x.cols);
        const std::size_t cols = x.cols;
        T* grad_gamma = grads[0];
        T* grad_beta = grads[1];
        std::fill(grad_gamma, grad_gamma + cols, T(0));
        std::fill(grad_beta, grad_beta + cols, T(0));
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            const T* g = grad_y.row(r);
            T mean = 0;
            const T inverse = cache ? cache[x.size() + r] : statistics(x.row(r), cols, mean);
            const auto x_hat = [&](std::size_t c)
            { return cache ? cache[r * cols + c] : (x.row(r)[c] - mean) * inverse; };
            double sum_g = 0, sum_gx = 0;
            for (std::size_t c = 0; c < cols; ++c)
            {
                const T xh = x_hat(c);
                grad_gamma[c] += g[c] * xh;
                grad_beta[c] += g[c];
                const double g_hat = static_cast<double>(g[c] * m_gamma(c));
                sum_g += g_hat;
                sum_gx += g_hat * static_cast<double>(xh);
            }
            if (!grad_x.data)
            {
                continue;
            }
            const T mean_g = static_cast<T>(sum_g / static_cast<double>(cols));
            const T mean_gx = static_cast<T>(sum_gx / static_cast<double>(cols));
            T* out = grad_x.row(r);
            for (std::size_t c = 0; c < cols; ++c)
            {
                out[c] = inverse * (g[c] * m_gamma(c) - mean_g - x_hat(c) * mean_gx);
            }
        }
    }

private:
    /// The row's mean (into `mean`) and 1/sqrt(σ² + ε), accumulated in double.
    T statistics(const T* row, std::size_t cols, T& mean) const
    {
        double sum = 0;
        for (std::size_t c = 0; c < cols; ++c)
        {
            sum += static_cast<double>(row[c]);
        }
        const double mu = sum / static_cast<double>(cols);
        double squares = 0;
        for (std::size_t c = 0; c < cols; ++c)
        {
            const double d = static_cast<double>(row[c]) - mu;
            squares += d * d;
        }
        mean = static_cast<T>(mu);
        return static_cast<T>(1.0 / std::sqrt(squares / static_cast<double>(cols) + m_epsilon));
    }

    void check(std::size_t in) const
    {
        if (in != m_gamma.size() || m_beta.size() != in)
        {
            throw shape_error("xtnn::layer_norm: gamma " + shape_string(m_gamma.shape()) +
                              " and beta " + shape_string(m_beta.shape()) + " do not fit " +
                              std::to_string(in) + " features");
        }
    }

    double m_epsilon;
    vector<T> m_gamma, m_beta;  // empty until built
    parameter_options m_gamma_options{true, 0.0, 1.0, init_as::ones};
    parameter_options m_beta_options{true, 0.0, 1.0, init_as::zeros};
};
}  // namespace xtnn
