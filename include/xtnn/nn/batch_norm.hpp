// SPDX-License-Identifier: MIT
// Batch normalisation (Ioffe & Szegedy 2015) with PyTorch's BatchNorm1d and Keras's
// BatchNormalization semantics: in training, each feature is normalised by the batch's mean
// and variance and the running statistics move towards them; at inference the running
// statistics are used. gamma and beta are trained (no weight decay by default).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Per feature j of X (rows, features):
///   training   μ_j = mean_r X[r, j],  σ²_j = mean_r (X[r, j] - μ_j)²   (biased)
///              x̂ = (X - μ) / sqrt(σ² + ε),  Y = γ ⊙ x̂ + β
///              running_mean = momentum·running_mean + (1 - momentum)·μ
///              running_var  = momentum·running_var  + (1 - momentum)·σ²·n/(n - 1)
///   inference  Y = γ ⊙ (X - running_mean) / sqrt(running_var + ε) + β
/// momentum is the weight of the old value, as Keras writes it (PyTorch's momentum m is
/// 1 - m here): the default 0.9 is PyTorch's 0.1 and the book's 0.9. The running variance
/// uses the unbiased batch variance, as PyTorch; unbiased = false gives Keras's biased one.
/// epsilon defaults to PyTorch's 1e-5 (Keras's is 1e-3).
template <class T = float>
class batch_norm
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "batch_norm";

    /// @throws xtnn::error for momentum outside [0, 1] or epsilon <= 0.
    explicit batch_norm(double momentum = 0.9, double epsilon = 1e-5, bool unbiased = true)
      : m_momentum(momentum)
      , m_epsilon(epsilon)
      , m_unbiased(unbiased)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw error("xtnn::batch_norm: momentum " + std::to_string(momentum) +
                        " is out of range; expected 0 <= momentum <= 1 (the weight of the old "
                        "running value)");
        }
        if (!(epsilon > 0) || !std::isfinite(epsilon))
        {
            throw error("xtnn::batch_norm: epsilon " + std::to_string(epsilon) +
                        " must be a finite value > 0");
        }
    }
    template <class U>
    explicit batch_norm(const batch_norm<U>& other)
      : batch_norm(other.momentum(), other.epsilon(), other.unbiased())
    {
        m_gamma = xt::cast<T>(other.gamma());
        m_beta = xt::cast<T>(other.beta());
        m_mean = xt::cast<T>(other.running_mean());
        m_variance = xt::cast<T>(other.running_variance());
        m_gamma_options = other.gamma_options();
        m_beta_options = other.beta_options();
    }
    static batch_norm from_config(const layer_config& config)
    {
        config.allow_only(kind, {"momentum", "epsilon", "unbiased"});
        return batch_norm(config.number("momentum", 0.9), config.number("epsilon", 1e-5),
                          config.flag("unbiased", true));
    }
    layer_config config() const
    {
        return {{"momentum", m_momentum}, {"epsilon", m_epsilon}, {"unbiased", m_unbiased}};
    }
    double momentum() const { return m_momentum; }
    double epsilon() const { return m_epsilon; }
    bool unbiased() const { return m_unbiased; }

    std::size_t input_width() const { return m_gamma.size(); }
    std::size_t output_width(std::size_t in) const { return keep_width(kind, input_width(), in); }
    /// Allocates γ = 1, β = 0, running mean 0 and running variance 1 for `in` features.
    std::size_t build(std::size_t in)
    {
        if (input_width() == 0)
        {
            m_gamma = xt::ones<T>({in});
            m_beta = xt::zeros<T>({in});
            m_mean = xt::zeros<T>({in});
            m_variance = xt::ones<T>({in});
        }
        return output_width(in);
    }

    /// γ, β (features): trained. running mean and variance (features): state.
    vector<T>& gamma() { return m_gamma; }
    const vector<T>& gamma() const { return m_gamma; }
    vector<T>& beta() { return m_beta; }
    const vector<T>& beta() const { return m_beta; }
    vector<T>& running_mean() { return m_mean; }
    const vector<T>& running_mean() const { return m_mean; }
    vector<T>& running_variance() { return m_variance; }
    const vector<T>& running_variance() const { return m_variance; }
    parameter_options& gamma_options() { return m_gamma_options; }
    const parameter_options& gamma_options() const { return m_gamma_options; }
    parameter_options& beta_options() { return m_beta_options; }
    const parameter_options& beta_options() const { return m_beta_options; }

    /// γ, β, running mean and variance: 4·in values.
    std::size_t array_values(std::size_t in) const { return checked_size(in, 4); }

    std::size_t parameter_count() const { return 2; }
    parameter_ref<T> parameter(std::size_t i)
    {
        return i == 0 ? make_parameter_ref("gamma", m_gamma, m_gamma_options)
                      : make_parameter_ref("beta", m_beta, m_beta_options);
    }
    std::size_t state_count() const { return 2; }
    array_ref<T> state(std::size_t i)
    {
        return i == 0 ? make_array_ref("moving_mean", m_mean)
                      : make_array_ref("moving_variance", m_variance);
    }
    /// x̂ (rows, features), then 1/sqrt(σ² + ε) (features).
    std::size_t cache_size(std::size_t rows, std::size_t in) const { return rows * in + in; }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        check(x.cols);
        for (std::size_t c = 0; c < x.cols; ++c)
        {
            // Y = γ(X - mean)/sqrt(var + ε) + β = scale·X + shift
            const T scale = m_gamma(c) / std::sqrt(m_variance(c) + static_cast<T>(m_epsilon));
            const T shift = m_beta(c) - scale * m_mean(c);
            for (std::size_t r = 0; r < x.rows; ++r)
            {
                y.row(r)[c] = scale * x.row(r)[c] + shift;
            }
        }
    }

    /// Batch statistics (accumulated in double), Y, and the running statistics. With one row
    /// the variance is 0 and the running variance moves towards 0 (n/(n - 1) is not applied).
    void forward_train(rows_ref<const T> x, rows_ref<T> y, T* cache, training_context&)
    {
        check(x.cols);
        const std::size_t rows = x.rows;
        const std::size_t cols = x.cols;
        T* x_hat = cache;
        T* inv_std = cache + rows * cols;
        const double correction =
            m_unbiased && rows > 1 ? static_cast<double>(rows) / static_cast<double>(rows - 1) : 1.0;
        for (std::size_t c = 0; c < cols; ++c)
        {
            double sum = 0;
            for (std::size_t r = 0; r < rows; ++r)
            {
                sum += static_cast<double>(x.row(r)[c]);
            }
            const double mean = sum / static_cast<double>(rows);
            double squares = 0;
            for (std::size_t r = 0; r < rows; ++r)
            {
                const double d = static_cast<double>(x.row(r)[c]) - mean;
                squares += d * d;
            }
            const double variance = squares / static_cast<double>(rows);  // biased
            const double inverse = 1.0 / std::sqrt(variance + m_epsilon);
            inv_std[c] = static_cast<T>(inverse);
            for (std::size_t r = 0; r < rows; ++r)
            {
                const T normal = static_cast<T>((static_cast<double>(x.row(r)[c]) - mean) * inverse);
                x_hat[r * cols + c] = normal;                 // x̂
                y.row(r)[c] = m_gamma(c) * normal + m_beta(c);  // γx̂ + β
            }
            const T keep = static_cast<T>(m_momentum);
            m_mean(c) = keep * m_mean(c) + static_cast<T>((1 - m_momentum) * mean);
            m_variance(c) =
                keep * m_variance(c) + static_cast<T>((1 - m_momentum) * variance * correction);
        }
    }

    /// After a training forward (cache = x̂, 1/σ), with Ĝ = G ⊙ γ:
    ///   dγ = Σ_r G ⊙ x̂,   dβ = Σ_r G,
    ///   dX = (1/σ)·(Ĝ - mean_r Ĝ - x̂ ⊙ mean_r(Ĝ ⊙ x̂))
    /// After an inference-mode forward (no cache), the running statistics are constants:
    ///   dX = G ⊙ γ / sqrt(running_var + ε), and dγ, dβ from x̂ of the running statistics.
    void backward(rows_ref<const T> x, rows_ref<const T>, const T* cache, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const* grads) const
    {
        check(x.cols);
        const std::size_t rows = x.rows;
        const std::size_t cols = x.cols;
        T* grad_gamma = grads[0];
        T* grad_beta = grads[1];
        for (std::size_t c = 0; c < cols; ++c)
        {
            const T inverse = cache ? cache[rows * cols + c]
                                    : T(1) / std::sqrt(m_variance(c) + static_cast<T>(m_epsilon));
            const auto x_hat = [&](std::size_t r)
            { return cache ? cache[r * cols + c] : (x.row(r)[c] - m_mean(c)) * inverse; };
            double dgamma = 0, dbeta = 0;
            for (std::size_t r = 0; r < rows; ++r)
            {
                const double g = static_cast<double>(grad_y.row(r)[c]);
                dgamma += g * static_cast<double>(x_hat(r));
                dbeta += g;
            }
            grad_gamma[c] = static_cast<T>(dgamma);
            grad_beta[c] = static_cast<T>(dbeta);
            if (!grad_x.data)
            {
                continue;
            }
            const T gamma = m_gamma(c);
            if (!cache)
            {
                for (std::size_t r = 0; r < rows; ++r)
                {
                    grad_x.row(r)[c] = grad_y.row(r)[c] * gamma * inverse;
                }
                continue;
            }
            // mean_r Ĝ = γ·dβ/n and mean_r(Ĝ ⊙ x̂) = γ·dγ/n
            const double n = static_cast<double>(rows);
            const T mean_g = static_cast<T>(static_cast<double>(gamma) * dbeta / n);
            const T mean_gx = static_cast<T>(static_cast<double>(gamma) * dgamma / n);
            for (std::size_t r = 0; r < rows; ++r)
            {
                const T g_hat = grad_y.row(r)[c] * gamma;
                grad_x.row(r)[c] = inverse * (g_hat - mean_g - x_hat(r) * mean_gx);
            }
        }
    }

private:
    void check(std::size_t in) const
    {
        if (in != m_gamma.size() || m_beta.size() != in || m_mean.size() != in ||
            m_variance.size() != in)
        {
            throw shape_error("xtnn::batch_norm: gamma " + shape_string(m_gamma.shape()) +
                              ", beta " + shape_string(m_beta.shape()) + ", running mean " +
                              shape_string(m_mean.shape()) + " and variance " +
                              shape_string(m_variance.shape()) + " do not fit " +
                              std::to_string(in) + " features");
        }
    }

    double m_momentum, m_epsilon;
    bool m_unbiased;
    vector<T> m_gamma, m_beta, m_mean, m_variance;  // empty until built
    parameter_options m_gamma_options{true, 0.0, 1.0, init_as::ones};
    parameter_options m_beta_options{true, 0.0, 1.0, init_as::zeros};
};
}  // namespace xtnn
