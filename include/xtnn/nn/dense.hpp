// SPDX-License-Identifier: MIT
// The fully connected layer: kernel W (in, units), bias b (units), Y = X·W + b by BLAS, and
// its backward pass (dW = Xᵀ·dY, db = Σ_rows dY, dX = dY·Wᵀ). The activation is a layer of
// its own (activation.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <xtnn/detail/blas.hpp>
#include <xtnn/error.hpp>
#include <xtnn/nn/layer.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Asks for a dense layer without a bias: dense(256, xtnn::no_bias), Keras's use_bias=False
/// (common before BatchNorm, whose beta does the bias's job).
struct no_bias_t
{
};
inline constexpr no_bias_t no_bias{};

/// A dense layer over value type T (float or double), Keras's Dense without its activation.
/// Invariant once built: kernel() is (inputs(), units()) and bias() is (units()) (empty
/// without a bias). kernel() and bias() may be changed in place; forward checks their shapes.
template <class T = float>
class dense
{
public:
    using value_type = T;
    static constexpr std::string_view kind = "dense";

    /// `units` outputs; the input width comes from the layer before (built by the network).
    /// @throws shape_error for 0 units.
    explicit dense(std::size_t units)
      : m_units(units)
    {
        if (units == 0)
        {
            throw shape_error("xtnn::dense: a layer needs at least one unit; got 0");
        }
    }

    /// `units` outputs and no bias.
    dense(std::size_t units, no_bias_t)
      : dense(units)
    {
        m_use_bias = false;
    }

    /// (inputs, units), built now with zero parameters (initialize() or a file fills them).
    dense(std::size_t inputs, std::size_t units)
      : dense(units)
    {
        build(inputs);
    }

    /// (inputs, units) without a bias.
    dense(std::size_t inputs, std::size_t units, no_bias_t)
      : dense(units, no_bias)
    {
        build(inputs);
    }

    /// Refused: dense(256, false) would read as 256 inputs and 0 units; say dense(256, no_bias).
    template <class Flag, std::enable_if_t<std::is_same_v<Flag, bool>, int> = 0>
    dense(std::size_t, Flag) = delete;

    /// The given parameters: kernel (in, units), bias (units).
    /// @throws shape_error when the bias does not have `units` elements.
    dense(matrix<T> kernel, vector<T> bias)
      : m_units(kernel.shape()[1])
      , m_kernel(std::move(kernel))
      , m_bias(std::move(bias))
    {
        if (m_kernel.size() == 0 || m_bias.size() != m_units)
        {
            throw shape_error("xtnn::dense: kernel " + shape_string(m_kernel.shape()) +
                              " needs a bias of shape (" + std::to_string(m_units) + ",); got " +
                              shape_string(m_bias.shape()));
        }
    }

    /// The same layer over another value type (parameters converted).
    template <class U>
    explicit dense(const dense<U>& other)
      : m_units(other.units())
      , m_use_bias(other.use_bias())
      , m_kernel(xt::cast<T>(other.kernel()))
      , m_bias(xt::cast<T>(other.bias()))
      , m_kernel_options(other.kernel_options())
      , m_bias_options(other.bias_options())
    {
    }

    /// Settings: units, use_bias.
    static dense from_config(const layer_config& config)
    {
        config.allow_only(kind, {"units", "use_bias"});
        dense layer(config.count("units"));
        layer.m_use_bias = config.flag("use_bias", true);
        return layer;
    }
    layer_config config() const { return {{"units", std::int64_t(m_units)}, {"use_bias", m_use_bias}}; }

    std::size_t units() const { return m_units; }
    bool use_bias() const { return m_use_bias; }
    /// The input width, or 0 before the layer is built.
    std::size_t input_width() const { return m_kernel.size() ? m_kernel.shape()[0] : 0; }
    std::size_t output_width(std::size_t in) const
    {
        if (input_width() != 0 && in != input_width())
        {
            throw width_error(kind, input_width(), in);
        }
        return m_units;
    }
    std::size_t build(std::size_t in)
    {
        if (input_width() == 0)
        {
            if (in == 0)
            {
                throw shape_error("xtnn::dense: a layer needs at least one input; got 0");
            }
            m_kernel = xt::zeros<T>({in, m_units});
            m_bias = xt::zeros<T>({m_use_bias ? m_units : 0});
        }
        return output_width(in);
    }

    /// W (inputs, units).
    matrix<T>& kernel() { return m_kernel; }
    const matrix<T>& kernel() const { return m_kernel; }
    /// b (units), or empty without a bias.
    vector<T>& bias() { return m_bias; }
    const vector<T>& bias() const { return m_bias; }
    /// Defaults: the kernel decays and is drawn at random; the bias neither (zeros).
    parameter_options& kernel_options() { return m_kernel_options; }
    const parameter_options& kernel_options() const { return m_kernel_options; }
    parameter_options& bias_options() { return m_bias_options; }
    const parameter_options& bias_options() const { return m_bias_options; }

    /// in·units kernel values and units bias values.
    std::size_t array_values(std::size_t in) const
    {
        return checked_size(in, m_units, m_use_bias ? m_units : 0);
    }

    std::size_t parameter_count() const { return m_use_bias ? 2 : 1; }
    parameter_ref<T> parameter(std::size_t i)
    {
        return i == 0 ? make_parameter_ref("kernel", m_kernel, m_kernel_options)
                      : make_parameter_ref("bias", m_bias, m_bias_options);
    }

    /// Y (rows, units) = X (rows, in) · W + b: one gemv for a single row, else one gemm,
    /// accumulated onto the bias rows. Allocates nothing.
    void forward(rows_ref<const T> x, rows_ref<T> y) const
    {
        check(x.cols, y.cols);
        const std::size_t in = x.cols;
        const std::size_t out = m_units;
        T beta = T(0);
        if (m_use_bias)
        {
            for (std::size_t r = 0; r < x.rows; ++r)
            {
                std::copy(m_bias.data(), m_bias.data() + out, y.row(r));
            }
            beta = T(1);  // add X·W to the bias rows
        }
        if (x.rows == 1)
        {
            detail::gemv_row(in, out, T(1), x.data, m_kernel.data(), beta, y.data);
        }
        else
        {
            detail::gemm(false, false, x.rows, out, in, T(1), x.data, m_kernel.data(), beta, y.data);
        }
    }

    /// From G = dL/dY (rows, units):
    ///   dW (in, units) = Xᵀ·G,   db (units) = Σ_rows G,   dX (rows, in) = G·Wᵀ
    /// dX only when grad_x.data is set (the first trainable layer skips it: a third of the
    /// GEMMs). grads = {dW, db}.
    void backward(rows_ref<const T> x, rows_ref<const T>, const T*, rows_ref<const T> grad_y,
                  rows_ref<T> grad_x, T* const* grads) const
    {
        check(x.cols, grad_y.cols);
        const std::size_t in = x.cols;
        const std::size_t out = m_units;
        const std::size_t rows = x.rows;
        // dW = Xᵀ·G: (in, rows)·(rows, units); for one row the outer product x ⊗ g.
        detail::gemm(true, false, in, out, rows, T(1), x.data, grad_y.data, T(0), grads[0]);
        if (m_use_bias)
        {
            T* grad_b = grads[1];
            std::fill(grad_b, grad_b + out, T(0));
            for (std::size_t r = 0; r < rows; ++r)
            {
                const T* g = grad_y.row(r);
                for (std::size_t c = 0; c < out; ++c)
                {
                    grad_b[c] += g[c];  // db = Σ_rows G
                }
            }
        }
        if (grad_x.data == nullptr)
        {
            return;
        }
        if (rows == 1)
        {
            // dx (in) = W (in, units) · g (units): a plain row-major gemv.
            detail::gemv(in, out, T(1), m_kernel.data(), grad_y.data, T(0), grad_x.data);
        }
        else
        {
            // dX = G·Wᵀ: (rows, units)·(units, in).
            detail::gemm(false, true, rows, in, out, T(1), grad_y.data, m_kernel.data(), T(0),
                         grad_x.data);
        }
    }

private:
    /// Throws shape_error when the parameters were resized away from (in, units) / (units).
    void check(std::size_t in, std::size_t out) const
    {
        if (m_kernel.dimension() != 2 || m_kernel.shape()[0] != in || m_kernel.shape()[1] != out ||
            out != m_units || m_bias.size() != (m_use_bias ? m_units : 0))
        {
            throw shape_error("xtnn::dense: kernel " + shape_string(m_kernel.shape()) + " and bias " +
                              shape_string(m_bias.shape()) + " do not map " + std::to_string(in) +
                              " inputs to " + std::to_string(out) + " outputs");
        }
    }

    std::size_t m_units;
    bool m_use_bias = true;
    matrix<T> m_kernel;  // empty until built
    vector<T> m_bias;
    parameter_options m_kernel_options{true, 1.0, 1.0, init_as::weights};
    parameter_options m_bias_options{true, 0.0, 1.0, init_as::zeros};
};
}  // namespace xtnn
