// SPDX-License-Identifier: MIT
// The one forward/backward pass that training, training_step and gradient_check all run:
// forward in an explicit mode (inference or training), the loss against the targets, then
// every layer's backward from the last, leaving dL/dp for every parameter in the registry.
// Nothing is allocated once the buffers have grown to the batch size.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/nn/workspace.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/train/parameters.hpp>

namespace xtnn
{
/// Forward, loss and backward over one network, with the buffers they need: the workspace
/// (each layer's output and cache), dL/dY of each layer, and the parameter registry holding
/// the gradients. Holds a reference to the network: it must outlive the backprop.
template <class T = float>
class backprop
{
public:
    explicit backprop(network<T>& net)
      : m_net(net)
      , m_parameters(net)
      , m_delta(net.size())
    {
    }

    /// Runs x (rows, inputs) row-major through the network in `mode` (training: batch
    /// statistics, dropout masks drawn from `engine`, running statistics updated), returns
    /// the loss of its output against t, and leaves dL/dp of every parameter in
    /// parameters(). With a loss fused with the last layer (softmax_cross_entropy) the
    /// pass starts from the loss's dL/dX of that layer; otherwise from dL/dY of the output.
    /// Layers before the first one with parameters are not differentiated, and that layer
    /// computes no dL/dX: nobody needs the gradient of the data.
    /// Allocates nothing once the buffers have room for `rows`.
    /// @throws shape_error for an empty batch or a label out of range, xtnn::error when the
    /// loss needs a last layer the network does not end with.
    template <class Loss>
    T run(const T* x, std::size_t rows, targets_ref<T> t, xtnn::mode mode,
          std::mt19937_64& engine)
    {
        constexpr const char* where = "xtnn::backprop";
        check<Loss>(rows, where);
        m_parameters.check_structure();
        const std::size_t last = m_net.size() - 1;
        const std::size_t outputs = m_net.outputs();
        const T* y = mode == mode::training ? m_net.forward_train(x, rows, m_ws, engine).data()
                                            : m_net.forward(x, rows, m_ws).data();
        const T value = Loss::loss(y, t, rows, outputs);

        // dL/dY of the layer the backward starts at: the last, or the one before a fused one.
        const bool fused = !Loss::fused_with.empty();
        if (fused && last == 0)
        {
            return value;  // a lone softmax has nothing to learn
        }
        const std::size_t start = fused ? last - 1 : last;
        reserve_delta(rows);
        Loss::gradient(y, t, rows, outputs, m_delta[start].data());

        const std::size_t first = first_with_parameters();
        for (std::size_t i = start + 1; i-- > first;)
        {
            const rows_ref<const T> layer_x{i == 0 ? x : m_ws.output_data(i - 1), rows,
                                            m_net.widths()[i]};
            const rows_ref<const T> layer_y{m_ws.output_data(i), rows, m_net.width(i)};
            const rows_ref<const T> grad_y{m_delta[i].data(), rows, m_net.width(i)};
            const rows_ref<T> grad_x{i == first ? nullptr : m_delta[i - 1].data(), rows,
                                     m_net.widths()[i]};
            m_net.layer(i).backward(layer_x, layer_y, m_ws.cache_data(i), grad_y, grad_x,
                                    m_parameters.layer_gradients(i));
        }
        return value;
    }

    /// run<Loss> with the loss chosen at run time.
    T run(loss_kind loss, const T* x, std::size_t rows, targets_ref<T> t, xtnn::mode mode,
          std::mt19937_64& engine)
    {
        return visit_loss(loss, [&](auto policy)
                          { return run<decltype(policy)>(x, rows, t, mode, engine); });
    }

    /// The registry: every parameter, and its gradient from the last run.
    xtnn::parameters<T>& parameters() { return m_parameters; }
    const xtnn::parameters<T>& parameters() const { return m_parameters; }
    /// Every layer's output (and cache) from the last run.
    const xtnn::workspace<T>& workspace() const { return m_ws; }
    network<T>& net() { return m_net; }

private:
    template <class Loss>
    void check(std::size_t rows, const char* where) const
    {
        if (m_net.empty())
        {
            throw shape_error(std::string(where) + ": the network has no layers");
        }
        if (rows == 0)
        {
            throw shape_error(std::string(where) + ": empty batch; expected at least one row");
        }
        const std::size_t last = m_net.size() - 1;
        if (!Loss::fused_with.empty() && m_net.layer(last).kind() != Loss::fused_with)
        {
            throw error(std::string(where) + ": " + std::string(to_string(Loss::kind)) +
                        " needs a " + std::string(Loss::fused_with) + " last layer; layer " +
                        std::to_string(last + 1) + " (" + m_net.name(last) + ") is a " +
                        std::string(m_net.layer(last).kind()));
        }
    }

    std::size_t first_with_parameters() const
    {
        std::size_t i = 0;
        while (i < m_net.size() && m_net.layer(i).parameter_count() == 0)
        {
            ++i;
        }
        return i;
    }

    void reserve_delta(std::size_t rows)
    {
        for (std::size_t i = 0; i < m_delta.size(); ++i)
        {
            const std::size_t size = rows * m_net.width(i);
            if (m_delta[i].size() < size)
            {
                m_delta[i].resize(size);
            }
        }
    }

    network<T>& m_net;
    xtnn::parameters<T> m_parameters;
    xtnn::workspace<T> m_ws;
    std::vector<std::vector<T>> m_delta;  // dL/dY of each layer, (rows, width_i)
};
}  // namespace xtnn
