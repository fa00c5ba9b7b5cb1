// SPDX-License-Identifier: MIT
// Per-feature standardisation as a layer, as the digits tutorial (and scikit-learn's
// StandardScaler) does it: Y = (X - mean) / (std + epsilon), with the statistics learned from
// the training data (adapt, like Keras's Normalization.adapt) and saved with the model, so a
// program that embeds it feeds raw features.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Y[r, j] = (X[r, j] - mean_j) · 1 / (std_j + epsilon). mean and std are state (saved, never
/// trained); a constant feature (std 0, e.g. the digits' always-blank corner pixel) maps to
/// 0. epsilon defaults to the tutorial's 1e-7.
template <class T = float>
class standardize
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "standardize";

    /// @throws xtnn::error for epsilon < 0.
    explicit standardize(double epsilon = 1e-7)
      : m_epsilon(epsilon)
    {
        if (!(epsilon >= 0) || !std::isfinite(epsilon))
        {
            throw error("xtnn::standardize: epsilon " + std::to_string(epsilon) +
                        " must be a finite value >= 0");
        }
    }
    /// Given statistics: mean and std (features). @throws shape_error when they differ in size.
    standardize(vector<T> mean, vector<T> std, double epsilon = 1e-7)
      : standardize(epsilon)
    {
        if (mean.size() != std.size() || mean.size() == 0)
        {
            throw shape_error("xtnn::standardize: mean " + shape_string(mean.shape()) + " and std " +
                              shape_string(std.shape()) + " must have one value per feature");
        }
        m_mean = std::move(mean);
        m_std = std::move(std);
    }
    template <class U>
    explicit standardize(const standardize<U>& other)
      : standardize(other.epsilon())
    {
        m_mean = xt::cast<T>(other.mean());
        m_std = xt::cast<T>(other.std());
    }
    static standardize from_config(const layer_config& config)
    {
        config.allow_only(kind, {"epsilon"});
        return standardize(config.number("epsilon", 1e-7));
    }
    layer_config config() const { return {{"epsilon", m_epsilon}}; }
    double epsilon() const { return m_epsilon; }

    /// Learns mean and population std (ddof 0, numpy's default) of each column of x
    /// (rows, features), accumulated in double, two passes.
    /// @throws shape_error when x has no rows, or other columns than the layer is built for.
    template <class E>
    void adapt(const E& x)
    {
        const std::size_t rows = x.shape()[0];
        const std::size_t cols = x.dimension() == 2 ? x.shape()[1] : 0;
        if (x.dimension() != 2 || rows == 0 || (input_width() != 0 && cols != input_width()))
        {
            throw shape_error("xtnn::standardize::adapt: x has shape " + shape_string(x.shape()) +
                              "; expected (rows > 0, " +
                              (input_width() ? std::to_string(input_width()) : std::string("features")) +
                              ")");
        }
        std::vector<double> mean(cols, 0.0), squares(cols, 0.0);
        for (std::size_t r = 0; r < rows; ++r)
        {
            for (std::size_t c = 0; c < cols; ++c)
            {
                mean[c] += static_cast<double>(x(r, c));
            }
        }
        for (double& m : mean)
        {
            m /= static_cast<double>(rows);
        }
        for (std::size_t r = 0; r < rows; ++r)
        {
            for (std::size_t c = 0; c < cols; ++c)
            {
                const double d = static_cast<double>(x(r, c)) - mean[c];
                squares[c] += d * d;  // Σ (x - mean)²
            }
        }
        m_mean = xt::zeros<T>({cols});
        m_std = xt::zeros<T>({cols});
        for (std::size_t c = 0; c < cols; ++c)
        {
            m_mean(c) = static_cast<T>(mean[c]);
            m_std(c) = static_cast<T>(std::sqrt(squares[c] / static_cast<double>(rows)));
        }
    }

    const vector<T>& mean() const { return m_mean; }
    const vector<T>& std() const { return m_std; }

    std::size_t input_width() const { return m_mean.size(); }
    std::size_t output_width(std::size_t in) const { return keep_width(kind, input_width(), in); }
    /// Mean 0 and std 1 (the identity) until adapted or loaded.
    std::size_t build(std::size_t in)
    {
        if (input_width() == 0)
        {
            m_mean = xt::zeros<T>({in});
            m_std = xt::ones<T>({in});
        }
        return output_width(in);
    }
    /// mean and std: 2·in values.
    std::size_t array_values(std::size_t in) const { return checked_size(in, 2); }
    std::size_t state_count() const { return 2; }
    array_ref<T> state(std::size_t i)
    {
        return i == 0 ? make_array_ref("mean", m_mean) : make_array_ref("std", m_std);
    }

    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        check(x.cols);
        const T eps = static_cast<T>(m_epsilon);  // (X - mean)·(1/(std + ε)), as data::standardizer
        for (std::size_t r = 0; r < x.rows; ++r)
        {
            const T* in = x.row(r);
            T* out = y.row(r);
            for (std::size_t c = 0; c < x.cols; ++c)
            {
                out[c] = (in[c] - m_mean(c)) * (T(1) / (m_std(c) + eps));
            }
        }
    }
    /// dX = G / (std + ε).
    void backward(rows_ref<const T>, rows_ref<const T>, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const*) const
    {
        if (!grad_x.data)
        {
            return;
        }
        check(grad_y.cols);
        const T eps = static_cast<T>(m_epsilon);
        for (std::size_t r = 0; r < grad_y.rows; ++r)
        {
            for (std::size_t c = 0; c < grad_y.cols; ++c)
            {
                grad_x.row(r)[c] = grad_y.row(r)[c] * (T(1) / (m_std(c) + eps));
            }
        }
    }

private:
    void check(std::size_t in) const
    {
        if (in != m_mean.size() || m_std.size() != in)
        {
            throw shape_error("xtnn::standardize: mean " + shape_string(m_mean.shape()) +
                              " and std " + shape_string(m_std.shape()) + " do not fit " +
                              std::to_string(in) + " features");
        }
    }

    double m_epsilon;
    vector<T> m_mean, m_std;  // empty until built, adapted or given
};
}  // namespace xtnn
