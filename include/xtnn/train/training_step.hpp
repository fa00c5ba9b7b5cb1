// SPDX-License-Identifier: MIT
// One optimizer step on one batch — the training pass (forward in training mode, loss,
// backward) and the update — over buffers that are allocated once and reused, so a training
// loop allocates nothing after its first step. fit() is built on it; use it directly for
// loops of your own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/eval/metrics.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/train/backprop.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/train/optimizer.hpp>

namespace xtnn
{
/// What one step reports: the batch's mean loss and how many rows the network got right
/// (argmax of its output == label, measured in training mode, as Keras does).
struct step_result
{
    double loss = 0;
    std::size_t correct = 0;
};

/// The state of training one network: the training pass and its buffers, the optimizer and
/// its state, and the random engine behind the dropout masks (fit() also shuffles with it).
/// Holds a reference to the network: it must outlive the training_step.
template <class T = float>
class training_step
{
public:
    /// @throws shape_error for a network without layers.
    training_step(network<T>& net, loss_kind loss, const optimizer_options& optimizer,
                  std::uint64_t seed = 0)
      : m_pass(net)
      , m_loss(loss)
      , m_optimizer(optimizer)
      , m_engine(seed)
    {
        if (net.empty())
        {
            throw shape_error("xtnn::training_step: the network has no layers");
        }
    }

    /// One step on x (rows, inputs) row-major against targets t (one-hot (rows, outputs) or
    /// indices (rows)); `labels` (rows) are the classes counted for accuracy (may be null).
    /// Updates the network's parameters. Allocates nothing once a step of `rows` has run.
    /// The returned loss may be NaN or Inf: the caller decides what divergence means.
    /// @throws shape_error for rows == 0 or a label out of range; xtnn::error when the loss
    /// needs a last layer the network lacks (softmax_cross_entropy: a softmax).
    step_result step(const T* x, std::size_t rows, targets_ref<T> t, const std::size_t* labels)
    {
        step_result result;
        result.loss =
            static_cast<double>(m_pass.run(m_loss, x, rows, t, mode::training, m_engine));
        if (labels)
        {
            if (m_predicted.size() < rows)
            {
                m_predicted.resize(rows);
            }
            const std::size_t outputs = m_pass.net().outputs();
            argmax_rows(m_pass.workspace().output().data(), rows, outputs, m_predicted.data());
            for (std::size_t r = 0; r < rows; ++r)
            {
                result.correct += m_predicted[r] == labels[r];
            }
        }
        m_optimizer.step(m_pass.parameters());
        return result;
    }

    network<T>& net() { return m_pass.net(); }
    xtnn::optimizer<T>& optimizer() { return m_optimizer; }
    const xtnn::optimizer<T>& optimizer() const { return m_optimizer; }
    xtnn::parameters<T>& parameters() { return m_pass.parameters(); }
    const xtnn::workspace<T>& workspace() const { return m_pass.workspace(); }
    loss_kind loss() const { return m_loss; }
    /// The engine behind the dropout masks; fit() draws its shuffles from it too.
    std::mt19937_64& engine() { return m_engine; }
    const std::mt19937_64& engine() const { return m_engine; }

private:
    backprop<T> m_pass;
    loss_kind m_loss;
    xtnn::optimizer<T> m_optimizer;
    std::mt19937_64 m_engine;
    std::vector<std::size_t> m_predicted;
};
}  // namespace xtnn
