// SPDX-License-Identifier: MIT
// The fully connected layer: weights W (in, out), bias b (out), Z = X·W + b, A = f(Z), and
// its backward pass (dW, db, dX from dZ). It is the one implementation of the layer math;
// both network faces are built from it.
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

    /// The parameter gradients, and optionally the input gradient, from dZ = dL/dZ:
    ///   dW (in, out) = Xᵀ · dZ, db (out) = column sums of dZ, dX (batch, in) = dZ · Wᵀ.
    /// x (batch, in) is the forward pass's input and grad_z (batch, out) dL/dZ; nothing is
    /// divided by the batch (the loss's gradient already is). Gradients are overwritten,
    /// not accumulated. dX is computed only when grad_x != nullptr: the first layer passes
    /// nullptr, since nobody needs the gradient of the data (it saves a third of the GEMMs).
    /// Buffers are row-major and must not overlap; allocates nothing.
    void backward(const T* x, std::size_t batch, const T* grad_z, T* grad_w, T* grad_b,
                  T* grad_x) const
    {
        check_shapes();
        const std::size_t in = inputs();
        const std::size_t out = outputs();
        // dW = Xᵀ·dZ: (in, batch)·(batch, out). For batch 1 it is the outer product x ⊗ dz.
        detail::gemm(true, false, in, out, batch, T(1), x, grad_z, T(0), grad_w);
        // db = Σ_rows dZ
        std::fill(grad_b, grad_b + out, T(0));
        for (std::size_t r = 0; r < batch; ++r)
        {
            const T* row = grad_z + r * out;
            for (std::size_t c = 0; c < out; ++c)
            {
                grad_b[c] += row[c];
            }
        }
        if (grad_x != nullptr)
        {
            backward_input(batch, grad_z, grad_x);
        }
    }

    /// Backward and a plain SGD step in one pass, for loops that never need the gradients
    /// themselves (no dW buffer is written or read back). With the weights as they were:
    ///   dX (batch, in) = dZ·Wᵀ                  only when grad_x != nullptr
    /// then, with lr = learning_rate and λ = weight_decay (L2 on W, not b):
    ///   W = (1 - lr·λ)·W - lr·Xᵀ·dZ               one GEMM with beta = 1 - lr·λ
    ///   b = b - lr·Σ_rows dZ
    /// Equal, up to rounding, to backward() followed by optimizer<T> with optimizer_kind::sgd.
    /// Allocates nothing.
    void backward_sgd_update(const T* x, std::size_t batch, const T* grad_z, T learning_rate,
                             T weight_decay, T* grad_x)
    {
        check_shapes();
        const std::size_t in = inputs();
        const std::size_t out = outputs();
        if (grad_x != nullptr)
        {
            backward_input(batch, grad_z, grad_x);  // before W changes
        }
        const T beta = T(1) - learning_rate * weight_decay;
        if (batch == 1 && beta == T(1))
        {
            // W += (-lr·x) ⊗ dz: a rank-1 update, no GEMM packing
            using index = xt::blas_index_t;
            cxxblas::ger<index>(cxxblas::StorageOrder::RowMajor, static_cast<index>(in),
                                static_cast<index>(out), -learning_rate, x, 1, grad_z, 1,
                                m_weights.data(), static_cast<index>(out));
        }
        else
        {
            // W = beta·W - lr·Xᵀ·dZ
            detail::gemm(true, false, in, out, batch, -learning_rate, x, grad_z, beta,
                         m_weights.data());
        }
        T* b = m_bias.data();
        for (std::size_t r = 0; r < batch; ++r)
        {
            const T* row = grad_z + r * out;
            for (std::size_t c = 0; c < out; ++c)
            {
                b[c] -= learning_rate * row[c];  // b -= lr·Σ_rows dZ
            }
        }
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
    /// dX (batch, in) = dZ (batch, out) · Wᵀ.
    void backward_input(std::size_t batch, const T* grad_z, T* grad_x) const
    {
        const std::size_t in = inputs();
        const std::size_t out = outputs();
        if (batch == 1)
        {
            // dx (in) = W (in, out) · dz (out): a plain row-major gemv.
            using index = xt::blas_index_t;
            cxxblas::gemv<index>(cxxblas::StorageOrder::RowMajor, cxxblas::Transpose::NoTrans,
                                 static_cast<index>(in), static_cast<index>(out), T(1),
                                 m_weights.data(), static_cast<index>(out), grad_z, 1, T(0), grad_x,
                                 1);
        }
        else
        {
            // dX = dZ·Wᵀ: (batch, out)·(out, in).
            detail::gemm(false, true, batch, in, out, T(1), grad_z, m_weights.data(), T(0), grad_x);
        }
    }

    matrix<T> m_weights;
    vector<T> m_bias;
    activation_kind m_activation;
};
}  // namespace xtnn
