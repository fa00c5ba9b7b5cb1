// SPDX-License-Identifier: MIT
// Numerical gradients by central differences of the loss over every parameter of a network,
// and a check that compares them with the training pass's analytic ones (backprop.hpp), for
// any layer kind, in inference or in training mode (dropout masks held fixed by replaying the
// same engine state). Slow by design (two forward passes per parameter value): for tests and
// for debugging a new layer, not for training.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/nn/network.hpp>
#include <xtnn/train/backprop.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/train/parameters.hpp>

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

/// One gradient per parameter, named as the registry names it ("dense_1/kernel").
template <class T>
using named_gradients = std::vector<std::pair<std::string, std::vector<T>>>;

/// The numerical dL/dp for every parameter p of `net`, in registry order:
///   dL/dp ≈ (L(p + h) - L(p - h)) / ((p + h) - (p - h))
/// (the denominator is the step actually taken after rounding, which matters in float).
/// In training mode every forward pass starts from an engine seeded with `seed`, so
/// dropout draws the same masks each time. x (rows, inputs) row-major; `net` is not changed.
/// @throws what Loss::loss throws (empty batch, label out of range, bad targets).
template <class T, class Loss>
named_gradients<T> numerical_gradients(const network<T>& net, const T* x, std::size_t rows,
                                       targets_ref<T> t, xtnn::mode mode = mode::inference,
                                       std::uint64_t seed = 0, T h = default_gradient_step<T>())
{
    network<T> probe = net;
    xtnn::parameters<T> params(probe);
    workspace<T> ws;
    const auto loss_at = [&]
    {
        std::mt19937_64 engine(seed);
        const T* y = mode == mode::training ? probe.forward_train(x, rows, ws, engine).data()
                                            : probe.forward(x, rows, ws).data();
        return Loss::loss(y, t, rows, probe.outputs());
    };
    named_gradients<T> result;
    for (std::size_t i = 0; i < params.size(); ++i)
    {
        T* p = params.values(i).data;
        std::vector<T> g(params.size(i));
        for (std::size_t k = 0; k < g.size(); ++k)
        {
            const T saved = p[k];
            const T plus = saved + h;
            const T minus = saved - h;
            p[k] = plus;
            const T loss_plus = loss_at();
            p[k] = minus;
            const T loss_minus = loss_at();
            p[k] = saved;
            g[k] = (loss_plus - loss_minus) / (plus - minus);  // (f(p+h) - f(p-h)) / 2h
        }
        result.emplace_back(params.name(i), std::move(g));
    }
    return result;
}

/// How far one parameter's analytic gradient is from the numerical one.
struct parameter_difference
{
    std::string name;                     ///< "dense_1/kernel"
    double mean_absolute_difference = 0;  ///< the book's check (ch05): mean |analytic - numerical|
    double max_relative_error = 0;
};

/// How far the analytic gradients are from the numerical ones, and where.
struct gradient_check_result
{
    /// max over parameters of |analytic - numerical| / max(|analytic|, |numerical|, floor).
    double max_relative_error = 0;
    /// max over parameters of |analytic - numerical|.
    double max_absolute_error = 0;
    /// Where the largest relative error is: the parameter, the flat index within it, and
    /// both values there.
    std::string worst_parameter;
    std::size_t worst_index = 0;
    double analytic = 0;
    double numerical = 0;
    /// Per parameter, in registry order.
    std::vector<parameter_difference> parameters;
};

/// Compares the training pass's gradients with numerical_gradients on one batch, in `mode`
/// (training: BatchNorm's batch statistics, dropout with the masks of an engine seeded with
/// `seed`). A correct backward pass gives max_relative_error around 1e-7 in double and 1e-3
/// in float; a wrong one errors near 1. Avoid inputs where a ReLU's input is within h of 0.
/// `net` is not changed. @throws what backprop::run throws.
template <class T, class Loss>
gradient_check_result gradient_check(const network<T>& net, const T* x, std::size_t rows,
                                     targets_ref<T> t, xtnn::mode mode = mode::inference,
                                     std::uint64_t seed = 0, T h = default_gradient_step<T>(),
                                     double floor = default_gradient_floor<T>())
{
    network<T> copy = net;
    backprop<T> pass(copy);
    std::mt19937_64 engine(seed);
    pass.template run<Loss>(x, rows, t, mode, engine);
    const named_gradients<T> numerical = numerical_gradients<T, Loss>(net, x, rows, t, mode, seed, h);

    gradient_check_result result;
    bool first = true;
    const auto& params = pass.parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
    {
        const T* a = params.gradient(i);
        const std::vector<T>& n = numerical[i].second;
        parameter_difference difference{params.name(i), 0, 0};
        for (std::size_t k = 0; k < n.size(); ++k)
        {
            const double av = static_cast<double>(a[k]);
            const double nv = static_cast<double>(n[k]);
            const double absolute = std::fabs(av - nv);
            const double relative = absolute / std::max({std::fabs(av), std::fabs(nv), floor});
            difference.mean_absolute_difference += absolute / static_cast<double>(n.size());
            difference.max_relative_error = std::max(difference.max_relative_error, relative);
            result.max_absolute_error = std::max(result.max_absolute_error, absolute);
            if (first || relative > result.max_relative_error)
            {
                result.max_relative_error = relative;
                result.worst_parameter = params.name(i);
                result.worst_index = k;
                result.analytic = av;
                result.numerical = nv;
                first = false;
            }
        }
        result.parameters.push_back(std::move(difference));
    }
    return result;
}
}  // namespace xtnn
