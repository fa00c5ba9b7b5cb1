// SPDX-License-Identifier: MIT
// One optimizer step on one batch — forward (with dropout on the hidden activations),
// loss, backward, update — over buffers that are allocated once and reused, so a training
// loop allocates nothing after its first step. fit() is built on it; use it directly for
// custom loops.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <xtnn/activation.hpp>
#include <xtnn/backprop.hpp>
#include <xtnn/dropout.hpp>
#include <xtnn/error.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/metrics.hpp>
#include <xtnn/network.hpp>
#include <xtnn/optimizer.hpp>

namespace xtnn
{
/// What one step reports: the batch's mean loss and how many rows the network got right
/// (argmax of its output == label, measured with dropout on, as Keras does).
struct step_result
{
    double loss = 0;
    std::size_t correct = 0;
};

/// The state of training one network: optimizer state, gradients, per-layer Z / A /
/// dropout / gradient buffers, and the random engine that draws the dropout masks (fit()
/// also shuffles with it). Holds a reference to the network: it must outlive the trainer.
template <class T = float>
class training_step
{
public:
    /// @throws xtnn::error when `loss` is softmax_cross_entropy and the output layer is not
    /// softmax, or dropout is outside [0, 1); shape_error for a network without layers.
    training_step(network<T>& net, loss_kind loss, const optimizer_options& optimizer,
                  double dropout_rate = 0, std::uint64_t seed = 0)
      : m_net(net)
      , m_loss(loss)
      , m_optimizer(optimizer)
      , m_grads(net)
      , m_engine(seed)
    {
        if (net.depth() == 0)
        {
            throw shape_error("xtnn::training_step: the network has no layers");
        }
        const auto output = net.layer(net.depth() - 1).activation();
        if (loss == loss_kind::softmax_cross_entropy && output != activation_kind::softmax)
        {
            throw error("xtnn::training_step: softmax_cross_entropy needs a softmax output "
                        "layer; layer " +
                        std::to_string(net.depth()) + " has " + std::string(to_string(output)));
        }
        if (!(dropout_rate >= 0 && dropout_rate < 1))
        {
            throw error("xtnn::training_step: dropout rate " + std::to_string(dropout_rate) +
                        " is out of range; expected 0 <= rate < 1");
        }
        for (std::size_t i = 0; i + 1 < net.depth() && dropout_rate > 0; ++i)
        {
            m_dropout.emplace_back(dropout_rate);
        }
    }

    /// Sizes every buffer for batches of up to `batch` rows now, rather than on first use.
    void reserve(std::size_t batch)
    {
        m_ws.reserve(m_net, batch);
        m_buffers.reserve(m_net, batch);
        if (m_predicted.size() < batch)
        {
            m_predicted.resize(batch);
        }
    }

    /// One step on x (rows, inputs) row-major against targets t (one-hot (rows, outputs) or
    /// indices (rows)); `labels` (rows) are the classes counted for accuracy (may be null).
    /// Updates the network's parameters. Allocates nothing once reserve(rows) has run.
    /// The returned loss may be NaN or Inf: the caller decides what divergence means.
    /// @throws shape_error for rows == 0 or a label out of range.
    step_result step(const T* x, std::size_t rows, targets_ref<T> t, const std::size_t* labels)
    {
        return visit_loss(m_loss, [&](auto policy)
                          { return step_with<decltype(policy)>(x, rows, t, labels); });
    }

    network<T>& net() { return m_net; }
    xtnn::optimizer<T>& optimizer() { return m_optimizer; }
    const gradients<T>& grads() const { return m_grads; }
    /// The engine behind the dropout masks; fit() draws its shuffles from it too.
    std::mt19937_64& engine() { return m_engine; }

private:
    template <class Loss>
    step_result step_with(const T* x, std::size_t rows, targets_ref<T> t, const std::size_t* labels)
    {
        if (rows == 0)
        {
            throw shape_error("xtnn::training_step: empty batch; expected at least one row");
        }
        reserve(rows);
        // Forward with dropout on the hidden activations, the loss, and every gradient
        // (layer 1 without its input gradient): the same pass as loss_and_gradients.
        step_result result;
        result.loss = static_cast<double>(loss_and_gradients_with_dropout<T, Loss>(
            m_net, x, rows, t, m_dropout, m_engine, m_ws, m_buffers, m_grads));
        if (labels)
        {
            argmax_rows(m_ws.output(), rows, m_net.outputs(), m_predicted.data());
            for (std::size_t r = 0; r < rows; ++r)
            {
                result.correct += m_predicted[r] == labels[r];
            }
        }
        m_optimizer.step(m_net, m_grads);
        return result;
    }

    network<T>& m_net;
    loss_kind m_loss;
    xtnn::optimizer<T> m_optimizer;
    gradients<T> m_grads;
    std::mt19937_64 m_engine;
    std::vector<dropout<T>> m_dropout;  // one per hidden layer when the rate is > 0
    dropout_workspace<T> m_ws;
    backprop_buffers<T> m_buffers;
    std::vector<std::size_t> m_predicted;
};
}  // namespace xtnn
