// SPDX-License-Identifier: MIT
// Dropout, as a layer in the math sense: in training each activation is kept with
// probability 1 - rate and scaled by 1 / (1 - rate) ("inverted" dropout, as Keras does), so
// inference is the identity. The mask comes from an explicit, seeded engine. Also a training
// pass (forward, loss, backward) with dropout after the hidden layers of a network.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtnn/backprop.hpp>
#include <xtnn/detail/layer_buffers.hpp>
#include <xtnn/error.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/network.hpp>

namespace xtnn
{
/// Dropout over a flat buffer of activations.
///
/// Intended use: one dropout per hidden layer, applied to that layer's A after its forward
/// pass in training mode, so the next layer reads the dropped A; in the backward pass dL/dA
/// of that layer goes through backward() before the activation's backward turns it into
/// dL/dZ. loss_and_gradients_with_dropout (below) does exactly that over a network; at
/// inference nothing is done (network::forward / predict; forward_inference is the
/// identity). The book's Dropout scales at inference by (1 - rate) instead; the expected
/// activations are the same.
///
/// The mask is kept between forward_train and backward and grows to the largest buffer
/// seen, never shrinking: no allocation after the first batch of the largest size.
template <class T = float>
class dropout
{
public:
    /// @throws xtnn::error unless 0 <= rate < 1.
    explicit dropout(double rate)
      : m_rate(rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw error("xtnn::dropout: rate " + std::to_string(rate) +
                        " is out of range; expected 0 <= rate < 1");
        }
        // keep when a 32-bit draw k satisfies k >= rate·2^32, i.e. with probability 1 - rate
        m_threshold = static_cast<std::uint64_t>(std::ceil(rate * 4294967296.0));
    }

    double rate() const { return m_rate; }

    /// a (size) *= mask / (1 - rate), each mask value 1 with probability 1 - rate, drawn
    /// from `engine` (one draw per value, its low 32 bits; at least 32 random bits per draw).
    /// With rate 0 nothing is drawn and a is unchanged.
    template <class Engine>
    void forward_train(T* a, std::size_t size, Engine& engine)
    {
        static_assert(Engine::max() - Engine::min() >= 0xFFFFFFFFu,
                      "xtnn::dropout: the engine must give at least 32 random bits a draw");
        if (m_mask.size() < size)
        {
            m_mask.resize(size);
        }
        m_size = size;
        const T scale = static_cast<T>(1.0 / (1.0 - m_rate));
        if (m_threshold == 0)
        {
            std::fill(m_mask.begin(), m_mask.begin() + static_cast<std::ptrdiff_t>(size), T(1));
            return;
        }
        for (std::size_t i = 0; i < size; ++i)
        {
            const std::uint64_t bits =
                static_cast<std::uint64_t>(engine() - Engine::min()) & 0xFFFFFFFFu;
            m_mask[i] = bits >= m_threshold ? scale : T(0);  // mask / (1 - rate)
        }
        for (std::size_t i = 0; i < size; ++i)
        {
            a[i] *= m_mask[i];
        }
    }

    /// grad_a (size) *= the same mask / (1 - rate) as the last forward_train.
    /// @throws shape_error when size differs from the last forward_train's.
    void backward(T* grad_a, std::size_t size) const
    {
        if (size != m_size)
        {
            throw shape_error("xtnn::dropout::backward: " + std::to_string(size) +
                              " gradients; expected " + std::to_string(m_size) +
                              " (the size of the last forward_train)");
        }
        for (std::size_t i = 0; i < size; ++i)
        {
            grad_a[i] *= m_mask[i];  // dL/dA_in = dL/dA_out · mask / (1 - rate)
        }
    }

    /// Inference: the identity; a is left as it is.
    void forward_inference(T* /*a*/, std::size_t /*size*/) const {}

    /// The last mask, scaled: each value 0 or 1 / (1 - rate); size() of the last
    /// forward_train (the buffer may be longer).
    const T* mask() const { return m_mask.data(); }
    std::size_t size() const { return m_size; }

private:
    double m_rate;
    std::uint64_t m_threshold = 0;
    std::vector<T> m_mask;
    std::size_t m_size = 0;
};

/// The buffers of a training forward pass with dropout: per layer Z_i and A_i (as the
/// activation produced them), and for hidden layers with dropout the dropped A_i that the
/// next layer reads. Grows to the largest batch and never shrinks, like workspace.
template <class T = float>
class dropout_workspace
{
public:
    /// Makes room for `batch` rows of `net`; allocates only when too small or the widths
    /// changed.
    void reserve(const network<T>& net, std::size_t batch)
    {
        m_z.reserve(net, batch);
        m_a.reserve(net, batch);
        m_dropped.reserve(net, batch);  // the last layer's is never used: a few KiB
    }

    std::size_t capacity() const { return m_z.capacity(); }
    /// Rows in the last pass.
    std::size_t batch() const { return m_batch; }
    /// Z_i, A_i and dropped A_i of layer i, (batch, out_i) row-major.
    const T* pre_activation(std::size_t i) const { return m_z.data(i); }
    const T* activation(std::size_t i) const { return m_a.data(i); }
    const T* dropped(std::size_t i) const { return m_dropped.data(i); }
    /// The network's output (batch, outputs) of the last pass, e.g. for the batch accuracy.
    const T* output() const { return m_a.data(m_a.layers() - 1); }

private:
    template <class U, class Loss, class Engine>
    friend U loss_and_gradients_with_dropout(const network<U>&, const U*, std::size_t,
                                             targets_ref<U>, std::vector<dropout<U>>&, Engine&,
                                             dropout_workspace<U>&, backprop_buffers<U>&,
                                             gradients<U>&);

    detail::layer_buffers<T> m_z, m_a, m_dropped;
    std::size_t m_batch = 0;
};

/// loss_and_gradients in training mode with dropout after hidden layers: `hidden` holds one
/// dropout per hidden layer (depth - 1 of them; rate 0 for a layer without), or is empty
/// for none. Forward: A_i = f(Z_i), then the next layer reads A_i ⊙ mask_i / (1 - rate_i),
/// masks drawn from `engine` layer by layer. Backward: dL/dA_i ⊙ mask_i / (1 - rate_i)
/// before f'. The loss is that of the dropped network, as Keras reports it in training.
/// Allocates nothing once the buffers and the masks have grown to the batch size.
/// @throws shape_error when hidden.size() is neither 0 nor depth - 1; what
/// loss_and_gradients throws.
template <class T, class Loss, class Engine>
T loss_and_gradients_with_dropout(const network<T>& net, const T* x, std::size_t batch,
                                  targets_ref<T> t, std::vector<dropout<T>>& hidden, Engine& engine,
                                  dropout_workspace<T>& ws, backprop_buffers<T>& buffers,
                                  gradients<T>& grads)
{
    constexpr const char* where = "xtnn::loss_and_gradients_with_dropout";
    detail::check_loss_fits<T, Loss>(net, batch, where);
    const std::size_t depth = net.depth();
    if (!hidden.empty() && hidden.size() + 1 != depth)
    {
        throw shape_error(std::string(where) + ": " + std::to_string(hidden.size()) +
                          " dropouts for a network of depth " + std::to_string(depth) +
                          "; expected one per hidden layer, " + std::to_string(depth - 1));
    }
    if (!grads.fits(net))
    {
        throw shape_error(std::string(where) + ": the gradients do not fit the network of widths " +
                          shape_string(net.widths()));
    }
    ws.reserve(net, batch);
    ws.m_batch = batch;
    const auto dropped = [&](std::size_t i)
    { return i + 1 < depth && !hidden.empty() && hidden[i].rate() > 0; };

    const T* input = x;
    for (std::size_t i = 0; i < depth; ++i)
    {
        const auto& layer = net.layer(i);
        layer.forward(input, batch, ws.m_z.data(i), ws.m_a.data(i));
        input = ws.m_a.data(i);
        if (dropped(i))
        {
            // the next layer reads A_i ⊙ mask / (1 - rate); A_i stays for f'
            const std::size_t size = batch * layer.outputs();
            std::copy(ws.m_a.data(i), ws.m_a.data(i) + size, ws.m_dropped.data(i));
            hidden[i].forward_train(ws.m_dropped.data(i), size, engine);
            input = ws.m_dropped.data(i);
        }
    }

    const T value = detail::output_delta<T, Loss>(net, batch, t, ws.pre_activation(depth - 1),
                                                  ws.output(), buffers);
    T* delta = buffers.delta(depth - 1);
    detail::backward_pass(
        net, batch, [&](std::size_t i) { return ws.pre_activation(i); },
        [&](std::size_t i) { return ws.activation(i); },
        [&](std::size_t i)
        { return i == 0 ? x : (dropped(i - 1) ? ws.dropped(i - 1) : ws.activation(i - 1)); },
        [&](std::size_t i) -> const T* { return dropped(i) ? hidden[i].mask() : nullptr; }, delta,
        buffers, grads);
    return value;
}
}  // namespace xtnn
