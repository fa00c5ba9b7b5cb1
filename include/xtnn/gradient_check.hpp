// SPDX-License-Identifier: MIT
// Finite-difference gradients, like the book's numerical_gradient: central differences of
// the loss over every parameter of a network, and a check that compares them with the
// analytic gradients of backprop.hpp. Slow by design (two forward passes per parameter):
// for tests and for debugging a new layer, not for training.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include <xtnn/backprop.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/network.hpp>

namespace xtnn
{
/// The default step h: 1e-4 for double (the book's), 1e-2 for float. Central differences
/// err by about h²·f''' (truncation) plus ε·|L|/h (rounding); for float (ε ≈ 6e-8) h = 1e-4
/// would leave about 1e-3 of rounding noise in every gradient, h = 1e-2 about 1e-5.
template <class T>
constexpr T default_gradient_step()
{
    return std::is_same_v<T, float> ? T(1e-2) : T(1e-4);
}

/// Below this magnitude a gradient is compared absolutely rather than relatively: 1e-3 for
/// float, 1e-7 for double (a little above each type's finite-difference noise).
template <class T>
constexpr double default_gradient_floor()
{
    return std::is_same_v<T, float> ? 1e-3 : 1e-7;
}

/// The numerical dL/dp for every parameter p of `net`, in the slot layout of gradients<T>:
///   dL/dp ≈ (L(p + h) - L(p - h)) / ((p + h) - (p - h))
/// (the denominator is the step actually taken after rounding, which matters in float).
/// x (batch, inputs) row-major; t as for Loss. `net` is copied, never changed.
/// @throws what Loss::loss throws (empty batch, label out of range, bad targets).
template <class T, class Loss>
gradients<T> numerical_gradients(const network<T>& net, const T* x, std::size_t batch,
                                 targets_ref<T> t, T h = default_gradient_step<T>())
{
    network<T> probe = net;
    gradients<T> result(net);
    workspace<T> ws(net, batch);
    const std::size_t outputs = net.outputs();
    const auto loss_at = [&]
    {
        probe.forward(x, batch, ws);
        return Loss::loss(ws.output().data(), t, batch, outputs);
    };
    for (std::size_t slot = 0; slot < result.slots(); ++slot)
    {
        T* p = parameter_data(probe, slot);
        T* g = result.slot_data(slot);
        for (std::size_t i = 0; i < result.slot_size(slot); ++i)
        {
            const T saved = p[i];
            const T plus = saved + h;
            const T minus = saved - h;
            p[i] = plus;
            const T loss_plus = loss_at();
            p[i] = minus;
            const T loss_minus = loss_at();
            p[i] = saved;
            g[i] = (loss_plus - loss_minus) / (plus - minus);  // (f(p+h) - f(p-h)) / 2h
        }
    }
    return result;
}

/// How far the analytic gradients are from the numerical ones, and where.
struct gradient_check_result
{
    /// max over parameters of |analytic - numerical| / max(|analytic|, |numerical|, floor).
    double max_relative_error = 0;
    /// max over parameters of |analytic - numerical|.
    double max_absolute_error = 0;
    /// Where the largest relative error is: slot (2i = W_{i+1}, 2i + 1 = b_{i+1}), flat
    /// index within it, and both values there.
    std::size_t worst_slot = 0;
    std::size_t worst_index = 0;
    double analytic = 0;
    double numerical = 0;
};

/// Compares loss_and_gradients<T, Loss> with numerical_gradients<T, Loss> on one batch.
/// A correct backward pass gives max_relative_error around 1e-7 in double and 1e-3 in
/// float; a wrong one gives errors near 1. Avoid inputs where a ReLU's Z is within h of 0.
/// @throws what loss_and_gradients throws.
template <class T, class Loss>
gradient_check_result gradient_check(const network<T>& net, const T* x, std::size_t batch,
                                     targets_ref<T> t, T h = default_gradient_step<T>(),
                                     double floor = default_gradient_floor<T>())
{
    gradients<T> analytic(net);
    workspace<T> ws(net, batch);
    backprop_buffers<T> buffers(net, batch);
    loss_and_gradients<T, Loss>(net, x, batch, t, ws, buffers, analytic);
    const gradients<T> numerical = numerical_gradients<T, Loss>(net, x, batch, t, h);

    gradient_check_result result;
    bool first = true;
    for (std::size_t slot = 0; slot < analytic.slots(); ++slot)
    {
        const T* a = analytic.slot_data(slot);
        const T* n = numerical.slot_data(slot);
        for (std::size_t i = 0; i < analytic.slot_size(slot); ++i)
        {
            const double av = static_cast<double>(a[i]);
            const double nv = static_cast<double>(n[i]);
            const double absolute = std::fabs(av - nv);
            const double relative = absolute / std::max({std::fabs(av), std::fabs(nv), floor});
            result.max_absolute_error = std::max(result.max_absolute_error, absolute);
            if (first || relative > result.max_relative_error)
            {
                result.max_relative_error = relative;
                result.worst_slot = slot;
                result.worst_index = i;
                result.analytic = av;
                result.numerical = nv;
                first = false;
            }
        }
    }
    return result;
}
}  // namespace xtnn
