// SPDX-License-Identifier: MIT
// The fully connected layer: weights W (in, out), bias b (out), Z = X·W + b, A = f(Z).
// It is the one implementation of the layer math; both network faces are built from it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include <xtnn/activation.hpp>
#include <xtnn/detail/blas.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// A dense layer over value type T (float or double).
/// Invariant: weights() has shape (inputs(), outputs()) and bias() shape (outputs()). The
/// references let callers change values in place (loading, training); forward() re-checks
/// the shapes, so a resized array is reported, never read out of bounds.
template <class T = float>
class dense_layer
{
public:
    using value_type = T;

    /// A layer with zero weights and bias; fill them with load_weights or an initialiser.
    dense_layer(std::size_t inputs, std::size_t outputs, activation_kind activation)
        : m_weights(xt::zeros<T>({inputs, outputs}))
        , m_bias(xt::zeros<T>({outputs}))
        , m_activation(activation)
    {
        if (inputs == 0 || outputs == 0)
        {
            throw shape_error("xtnn::dense_layer: a layer needs at least one input and one "
                              "output; got " +
                              shape_string(inputs, outputs));
        }
    }

    /// A layer with the given parameters: weights (in, out), bias (out).
    /// @throws shape_error when the bias does not have `out` elements.
    dense_layer(matrix<T> weights, vector<T> bias, activation_kind activation)
        : m_weights(std::move(weights))
        , m_bias(std::move(bias))
        , m_activation(activation)
    {
        if (m_weights.size() == 0 || m_bias.size() != m_weights.shape()[1])
        {
            throw shape_error("xtnn::dense_layer: weights " + shape_string(m_weights.shape()) +
                              " need a bias of shape (" + std::to_string(m_weights.shape()[1]) +
                              ",); got " + shape_string(m_bias.shape()));
        }
    }

    std::size_t inputs() const { return m_weights.shape()[0]; }
    std::size_t outputs() const { return m_weights.shape()[1]; }
    activation_kind activation() const { return m_activation; }

    /// W (inputs, outputs).
    matrix<T>& weights() { return m_weights; }
    const matrix<T>& weights() const { return m_weights; }
    /// b (outputs).
    vector<T>& bias() { return m_bias; }
    const vector<T>& bias() const { return m_bias; }

    /// Z (batch, out) = X (batch, in) · W + b, then A (batch, out) = f(Z).
    /// Buffers are row-major and must not overlap x; a may equal z when the caller does not
    /// need Z. Allocates nothing: one gemv (batch 1) or gemm into z.
    void forward(const T* x, std::size_t batch, T* z, T* a) const
    {
        check_shapes();
        const std::size_t in = inputs();
        const std::size_t out = outputs();
        for (std::size_t r = 0; r < batch; ++r)
        {
            std::copy(m_bias.data(), m_bias.data() + out, z + r * out);
        }
        // beta = 1 adds the product to the bias rows already in z.
        if (batch == 1)
        {
            detail::gemv_row(in, out, T(1), x, m_weights.data(), T(1), z);
        }
        else
        {
            detail::gemm(false, false, batch, out, in, T(1), x, m_weights.data(), T(1), z);
        }
        activate(m_activation, z, a, batch, out);
    }

    /// Throws shape_error if weights or bias were resized away from (in, out) / (out).
    void check_shapes() const
    {
        if (m_weights.dimension() != 2 || m_bias.size() != m_weights.shape()[1])
        {
            throw shape_error("xtnn::dense_layer: weights " + shape_string(m_weights.shape()) +
                              " and bias " + shape_string(m_bias.shape()) + " do not fit");
        }
    }

private:
    matrix<T> m_weights;
    vector<T> m_bias;
    activation_kind m_activation;
};
}  // namespace xtnn
