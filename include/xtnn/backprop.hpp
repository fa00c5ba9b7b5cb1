// SPDX-License-Identifier: MIT
// The backward pass over a network: the gradients of every parameter (by slot: W1, b1, W2,
// b2, ...), the reusable scratch it runs in, and loss_and_gradients(), which runs forward,
// the loss and backward in one call. Nothing is allocated once the buffers have grown to the
// batch size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include <xtnn/activation.hpp>
#include <xtnn/detail/layer_buffers.hpp>
#include <xtnn/error.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/network.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn
{
/// Number of parameter slots of `net`: 2 * depth (W1, b1, ..., WN, bN).
template <class T>
std::size_t parameter_slots(const network<T>& net)
{
    return 2 * net.depth();
}

/// The values of parameter `slot`: slot 2i is W_{i+1} (in, out) row-major, slot 2i + 1 is
/// b_{i+1} (out). @throws std::out_of_range past the last slot.
template <class T>
T* parameter_data(network<T>& net, std::size_t slot)
{
    auto& layer = net.layer(slot / 2);
    return slot % 2 == 0 ? layer.weights().data() : layer.bias().data();
}

template <class T>
const T* parameter_data(const network<T>& net, std::size_t slot)
{
    const auto& layer = net.layer(slot / 2);
    return slot % 2 == 0 ? layer.weights().data() : layer.bias().data();
}

/// The number of values in parameter `slot`. @throws std::out_of_range past the last slot.
template <class T>
std::size_t parameter_size(const network<T>& net, std::size_t slot)
{
    const auto& layer = net.layer(slot / 2);
    return slot % 2 == 0 ? layer.weights().size() : layer.bias().size();
}

/// dL/dW and dL/db for every layer of a network, shaped like its parameters and in the same
/// slot order (slot 2i = W_{i+1}, 2i + 1 = b_{i+1}). Layer indices are 0-based, like
/// network::layer(i).
template <class T = float>
class gradients
{
public:
    /// Zero gradients shaped like `net`'s parameters.
    explicit gradients(const network<T>& net)
    {
        for (std::size_t i = 0; i < net.depth(); ++i)
        {
            const auto& layer = net.layer(i);
            m_weights.push_back(xt::zeros<T>({layer.inputs(), layer.outputs()}));
            m_bias.push_back(xt::zeros<T>({layer.outputs()}));
        }
    }

    std::size_t depth() const { return m_weights.size(); }
    /// 2 * depth: W1, b1, W2, b2, ...
    std::size_t slots() const { return 2 * m_weights.size(); }

    /// dL/dW of layer i (in_i, out_i). @throws std::out_of_range.
    matrix<T>& weights(std::size_t layer) { return m_weights.at(layer); }
    const matrix<T>& weights(std::size_t layer) const { return m_weights.at(layer); }
    /// dL/db of layer i (out_i). @throws std::out_of_range.
    vector<T>& bias(std::size_t layer) { return m_bias.at(layer); }
    const vector<T>& bias(std::size_t layer) const { return m_bias.at(layer); }

    /// The gradient of parameter `slot` as a flat buffer. @throws std::out_of_range.
    T* slot_data(std::size_t slot)
    {
        return slot % 2 == 0 ? weights(slot / 2).data() : bias(slot / 2).data();
    }
    const T* slot_data(std::size_t slot) const
    {
        return slot % 2 == 0 ? weights(slot / 2).data() : bias(slot / 2).data();
    }
    std::size_t slot_size(std::size_t slot) const
    {
        return slot % 2 == 0 ? weights(slot / 2).size() : bias(slot / 2).size();
    }

    /// True when every slot has the shape of `net`'s parameter in that slot.
    bool fits(const network<T>& net) const
    {
        if (net.depth() != depth())
        {
            return false;
        }
        for (std::size_t i = 0; i < depth(); ++i)
        {
            if (m_weights[i].shape() != net.layer(i).weights().shape() ||
                m_bias[i].size() != net.layer(i).bias().size())
            {
                return false;
            }
        }
        return true;
    }

private:
    std::vector<matrix<T>> m_weights;
    std::vector<vector<T>> m_bias;
};

/// The scratch of one backward pass: for each layer i a (capacity, out_i) buffer that holds
/// dL/dA_i and then, in place, dL/dZ_i. Like workspace, it grows when a larger batch arrives
/// and never shrinks, so a training loop allocates only on its first step.
template <class T = float>
class backprop_buffers
{
public:
    backprop_buffers() = default;

    /// Buffers for `batch` rows of `net`, allocated now rather than on first use.
    backprop_buffers(const network<T>& net, std::size_t batch) { reserve(net, batch); }

    /// Makes room for `batch` rows of `net`; allocates only if the buffers are too small or
    /// were sized for different widths.
    void reserve(const network<T>& net, std::size_t batch) { m_delta.reserve(net, batch); }

    std::size_t capacity() const { return m_delta.capacity(); }
    std::size_t layers() const { return m_delta.layers(); }

    /// Layer i's scratch, (capacity, out_i) row-major: dL/dZ_i after a backward pass.
    /// @throws std::out_of_range.
    T* delta(std::size_t layer) { return m_delta.data(layer); }
    const T* delta(std::size_t layer) const { return m_delta.data(layer); }

private:
    detail::layer_buffers<T> m_delta;
};

namespace detail
{
/// The backward pass over any storage of the forward pass. For layer i: z(i), a(i) are Z_i
/// and A_i as the activation produced them; input(i) is what layer i read (X for i = 0);
/// mask(i) is nullptr or the scaled dropout mask (batch · out_i values) that turned A_i
/// into input(i + 1), so dL/dA_i picks it up before the activation's backward.
/// layer_step(i, input, grad_z, grad_input) does layer i's part: its parameter gradients
/// (or update) and, when grad_input != nullptr, dA_{i-1} = dZ_i·W_iᵀ with W_i as it was.
template <class T, class Z, class A, class Input, class Mask, class LayerStep>
void backward_pass_with(const network<T>& net, std::size_t batch, Z z, A a, Input input, Mask mask,
                        const T* grad_last_z, backprop_buffers<T>& buffers, LayerStep layer_step)
{
    buffers.reserve(net, batch);
    const T* grad_z = grad_last_z;
    for (std::size_t i = net.depth(); i-- > 0;)
    {
        T* grad_input = i == 0 ? nullptr : buffers.delta(i - 1);
        layer_step(i, input(i), grad_z, grad_input);
        if (i > 0)
        {
            const auto& previous = net.layer(i - 1);
            const std::size_t size = batch * previous.outputs();
            if (const T* m = mask(i - 1))
            {
                for (std::size_t k = 0; k < size; ++k)
                {
                    grad_input[k] *= m[k];  // through dropout: dA *= mask / (1 - rate)
                }
            }
            // dZ_{i-1} = dA_{i-1} ⊙ f'(Z_{i-1}), in place
            activate_backward(previous.activation(), z(i - 1), a(i - 1), grad_input, grad_input,
                              batch, previous.outputs());
            grad_z = grad_input;
        }
    }
}

/// backward_pass_with writing dW_i and db_i into `grads`.
template <class T, class Z, class A, class Input, class Mask>
void backward_pass(const network<T>& net, std::size_t batch, Z z, A a, Input input, Mask mask,
                   const T* grad_last_z, backprop_buffers<T>& buffers, gradients<T>& grads)
{
    backward_pass_with(net, batch, z, a, input, mask, grad_last_z, buffers,
                       [&](std::size_t i, const T* layer_input, const T* grad_z, T* grad_input)
                       {
                           // dW_i = A_{i-1}ᵀ·dZ_i, db_i = Σ dZ_i, dA_{i-1} = dZ_i·W_iᵀ
                           net.layer(i).backward(layer_input, batch, grad_z,
                                                 grads.weights(i).data(), grads.bias(i).data(),
                                                 grad_input);
                       });
}

/// The last layer's dL/dZ into buffers.delta(last) after a forward pass into ws: the loss's
/// gradient, through the output activation unless the loss is fused with it. Returns the
/// loss. @throws what Loss throws (bad targets, a label out of range).
template <class T, class Loss>
T output_delta(const network<T>& net, std::size_t batch, targets_ref<T> t, const T* z_last,
               const T* y, backprop_buffers<T>& buffers)
{
    const std::size_t last = net.depth() - 1;
    const auto& output_layer = net.layer(last);
    const std::size_t outputs = output_layer.outputs();
    buffers.reserve(net, batch);
    T* delta = buffers.delta(last);
    const T value = Loss::loss(y, t, batch, outputs);
    Loss::gradient(y, t, batch, outputs, delta);
    if (!Loss::gradient_is_wrt_z)
    {
        // dZ = dA ⊙ f'(Z) for the output activation
        activate_backward(output_layer.activation(), z_last, y, delta, delta, batch, outputs);
    }
    return value;
}

/// Refuses a fused softmax-CE gradient without a softmax output, an empty network or batch,
/// and layers whose widths no longer chain.
template <class T, class Loss>
void check_loss_fits(const network<T>& net, std::size_t batch, const char* where)
{
    if (net.depth() == 0)
    {
        throw shape_error(std::string(where) + ": the network has no layers");
    }
    if (batch == 0)
    {
        throw shape_error(std::string(where) + ": empty batch; expected at least one row");
    }
    for (std::size_t i = 1; i < net.depth(); ++i)
    {
        if (net.layer(i).inputs() != net.layer(i - 1).outputs())
        {
            throw shape_error(std::string(where) + ": layer " + std::to_string(i + 1) +
                              " has weights " + shape_string(net.layer(i).weights().shape()) +
                              " but layer " + std::to_string(i) + " outputs " +
                              std::to_string(net.layer(i - 1).outputs()) + " values");
        }
    }
    const std::size_t last = net.depth() - 1;
    const auto output = net.layer(last).activation();
    if (Loss::gradient_is_wrt_z && output != activation_kind::softmax)
    {
        throw error(std::string(where) + ": " + std::string(to_string(Loss::kind)) +
                    " needs a softmax output layer; layer " + std::to_string(last + 1) + " has " +
                    std::string(to_string(output)));
    }
}
}  // namespace detail

/// The backward pass from the last layer's dL/dZ: fills `grads` for every layer.
/// x (batch, inputs) is the input of the forward pass that filled `ws` (Z_i and A_i of
/// every layer, same batch); grad_last_z (batch, outputs) is dL/dZ of the last layer and may
/// be buffers.delta(depth - 1). Per layer, from the last:
///   dW_i = A_{i-1}ᵀ·dZ_i, db_i = Σ_rows dZ_i, dA_{i-1} = dZ_i·W_iᵀ, dZ_{i-1} = f'(dA_{i-1})
/// with A_0 = X; layer 1's dX is not computed. Allocates nothing once `buffers` has room.
/// @throws shape_error when ws is not from a forward pass of `batch` rows through `net`, or
/// `grads` is not shaped like `net`.
template <class T>
void backward(const network<T>& net, const T* x, std::size_t batch, const workspace<T>& ws,
              const T* grad_last_z, backprop_buffers<T>& buffers, gradients<T>& grads)
{
    if (ws.layers() != net.depth() || ws.batch() != batch)
    {
        throw shape_error("xtnn::backward: the workspace holds a forward pass of " +
                          std::to_string(ws.batch()) + " rows through " +
                          std::to_string(ws.layers()) + " layers; expected " +
                          std::to_string(batch) + " rows through " + std::to_string(net.depth()));
    }
    if (!grads.fits(net))
    {
        throw shape_error("xtnn::backward: the gradients have " + std::to_string(grads.slots()) +
                          " slots that do not match the network's widths " +
                          shape_string(net.widths()));
    }
    detail::backward_pass(
        net, batch, [&](std::size_t i) { return ws.pre_activation(i).data(); },
        [&](std::size_t i) { return ws.activation(i).data(); },
        [&](std::size_t i) { return i == 0 ? x : ws.activation(i - 1).data(); },
        [](std::size_t) -> const T* { return nullptr; }, grad_last_z, buffers, grads);
}

/// Forward, loss and backward for one batch: runs x (batch, inputs) through `net` into `ws`,
/// returns the loss against t, and fills `grads` with dL/dW and dL/db for every layer.
/// With Loss = softmax_cross_entropy the gradient is the fused (Y - T) / batch; with
/// mean_squared_error it goes through the output activation's backward. Allocates nothing
/// once ws and buffers have room for the batch.
/// @throws xtnn::error when Loss is softmax_cross_entropy and the last layer's activation
/// is not softmax; shape_error for an empty batch or a label out of range.
template <class T, class Loss>
T loss_and_gradients(const network<T>& net, const T* x, std::size_t batch, targets_ref<T> t,
                     workspace<T>& ws, backprop_buffers<T>& buffers, gradients<T>& grads)
{
    detail::check_loss_fits<T, Loss>(net, batch, "xtnn::loss_and_gradients");
    net.forward(x, batch, ws);
    const std::size_t last = net.depth() - 1;
    const T value = detail::output_delta<T, Loss>(net, batch, t, ws.pre_activation(last).data(),
                                                  ws.activation(last).data(), buffers);
    backward(net, x, batch, ws, buffers.delta(last), buffers, grads);
    return value;
}

/// Forward, loss, backward and a plain SGD update (with optional L2 weight decay on the
/// weights) in one pass, never materialising the gradients: layer by layer from the last,
/// dA_{i-1} = dZ_i·W_iᵀ with the old W_i, then W_i = (1 - lr·λ)·W_i - lr·A_{i-1}ᵀ·dZ_i and
/// b_i -= lr·Σ dZ_i (dense_layer::backward_sgd_update). The same update, up to rounding, as
/// loss_and_gradients followed by optimizer<T>{sgd}.step, with less memory traffic: for
/// per-sample SGD (batch 1) the step is a rank-1 update in place of a dW write and reread.
/// Returns the loss before the update.
/// @throws as loss_and_gradients.
template <class T, class Loss>
T loss_and_sgd_step(network<T>& net, const T* x, std::size_t batch, targets_ref<T> t,
                    workspace<T>& ws, backprop_buffers<T>& buffers, T learning_rate,
                    T weight_decay = T(0))
{
    constexpr const char* where = "xtnn::loss_and_sgd_step";
    detail::check_loss_fits<T, Loss>(net, batch, where);
    net.forward(x, batch, ws);
    const std::size_t last = net.depth() - 1;
    const T value = detail::output_delta<T, Loss>(net, batch, t, ws.pre_activation(last).data(),
                                                  ws.activation(last).data(), buffers);
    detail::backward_pass_with(
        net, batch, [&](std::size_t i) { return ws.pre_activation(i).data(); },
        [&](std::size_t i) { return ws.activation(i).data(); },
        [&](std::size_t i) { return i == 0 ? x : ws.activation(i - 1).data(); },
        [](std::size_t) -> const T* { return nullptr; }, buffers.delta(last), buffers,
        [&](std::size_t i, const T* layer_input, const T* grad_z, T* grad_input)
        {
            net.layer(i).backward_sgd_update(layer_input, batch, grad_z, learning_rate,
                                             weight_decay, grad_input);
        });
    return value;
}

/// loss_and_gradients with the loss chosen at run time.
template <class T>
T loss_and_gradients(loss_kind loss, const network<T>& net, const T* x, std::size_t batch,
                     targets_ref<T> t, workspace<T>& ws, backprop_buffers<T>& buffers,
                     gradients<T>& grads)
{
    return visit_loss(
        loss, [&](auto policy)
        { return loss_and_gradients<T, decltype(policy)>(net, x, batch, t, ws, buffers, grads); });
}

/// loss_and_sgd_step with the loss chosen at run time.
template <class T>
T loss_and_sgd_step(loss_kind loss, network<T>& net, const T* x, std::size_t batch,
                    targets_ref<T> t, workspace<T>& ws, backprop_buffers<T>& buffers,
                    typename std::common_type<T>::type learning_rate,
                    typename std::common_type<T>::type weight_decay = T(0))
{
    return visit_loss(loss,
                      [&](auto policy)
                      {
                          return loss_and_sgd_step<T, decltype(policy)>(
                              net, x, batch, t, ws, buffers, learning_rate, weight_decay);
                      });
}
}  // namespace xtnn
