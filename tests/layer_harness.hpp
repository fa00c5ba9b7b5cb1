// SPDX-License-Identifier: MIT
// Running one layer by hand in tests: forward and backward on std::vectors, and the central
// differences a backward pass is checked against (independent of the code under test: they
// use only the layer's forward).
#pragma once

#include <cstddef>
#include <random>
#include <type_traits>
#include <vector>

#include <xtnn/nn/layer.hpp>

namespace xtnn_test
{
/// What a layer's forward and backward give on one batch.
template <class T>
struct layer_run
{
    std::vector<T> y, grad_x;
    std::vector<std::vector<T>> grads;  // one per parameter
};

/// Forward (inference, or training with `seed` for the engine) then backward with grad_y,
/// for x (rows, in). The layer must already be built for `in`.
/// `layer` may be an lvalue, to see what a training-mode forward changed in it.
template <class Layer, class L = std::decay_t<Layer>, class T = typename L::value_type>
layer_run<T> run_layer(Layer&& layer, const std::vector<T>& x, std::size_t rows,
                       const std::vector<T>& grad_y, bool training = false,
                       std::uint64_t seed = 1)
{
    using traits = xtnn::layer_traits<L>;
    const std::size_t in = x.size() / rows;
    const std::size_t out = traits::output_width(layer, in);
    layer_run<T> result;
    result.y.resize(rows * out);
    std::vector<T> cache(traits::cache_size(layer, rows, in));
    if (training)
    {
        std::mt19937_64 engine(seed);
        xtnn::training_context context{engine};
        traits::forward_train(layer, {x.data(), rows, in}, {result.y.data(), rows, out},
                              cache.data(), context);
    }
    else
    {
        layer.forward({x.data(), rows, in}, {result.y.data(), rows, out});
    }
    if (!grad_y.empty())
    {
        result.grad_x.resize(rows * in);
        std::vector<T*> pointers;
        for (std::size_t i = 0; i < traits::parameter_count(layer); ++i)
        {
            result.grads.emplace_back(traits::parameter(layer, i).size());
        }
        for (auto& g : result.grads)
        {
            pointers.push_back(g.data());
        }
        layer.backward({x.data(), rows, in}, {result.y.data(), rows, out},
                       training && !cache.empty() ? cache.data() : nullptr,
                       {grad_y.data(), rows, out}, {result.grad_x.data(), rows, in},
                       pointers.data());
    }
    return result;
}

/// dL/dX of L = Σ grad_y ⊙ f(X) by central differences of the layer's forward (training mode
/// replays the same engine seed, so dropout keeps its mask).
template <class L, class T = typename L::value_type>
std::vector<T> numerical_input_gradient(L layer, const std::vector<T>& x, std::size_t rows,
                                        const std::vector<T>& grad_y, bool training = false,
                                        T h = T(1e-6))
{
    const auto objective = [&](const std::vector<T>& at)
    {
        L copy = layer;  // training mode may change state (running statistics)
        const auto y = run_layer(copy, at, rows, {}, training).y;
        T sum = 0;
        for (std::size_t i = 0; i < y.size(); ++i)
        {
            sum += grad_y[i] * y[i];
        }
        return sum;
    };
    std::vector<T> result(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
    {
        auto plus = x;
        auto minus = x;
        plus[i] += h;
        minus[i] -= h;
        result[i] = (objective(plus) - objective(minus)) / (plus[i] - minus[i]);
    }
    return result;
}

/// dL/dp of L = Σ grad_y ⊙ f(X) for parameter `index`, by central differences.
template <class L, class T = typename L::value_type>
std::vector<T> numerical_parameter_gradient(const L& layer, std::size_t index,
                                            const std::vector<T>& x, std::size_t rows,
                                            const std::vector<T>& grad_y, bool training = false,
                                            T h = T(1e-6))
{
    using traits = xtnn::layer_traits<L>;
    L probe = layer;
    const std::size_t size = traits::parameter(probe, index).size();
    std::vector<T> result(size);
    const auto objective = [&]
    {
        L copy = probe;
        const auto y = run_layer(copy, x, rows, {}, training).y;
        T sum = 0;
        for (std::size_t i = 0; i < y.size(); ++i)
        {
            sum += grad_y[i] * y[i];
        }
        return sum;
    };
    for (std::size_t k = 0; k < size; ++k)
    {
        T* p = traits::parameter(probe, index).data;
        const T saved = p[k];
        p[k] = saved + h;
        const T plus = objective();
        p[k] = saved - h;
        const T minus = objective();
        p[k] = saved;
        result[k] = (plus - minus) / (2 * h);
    }
    return result;
}

/// A std::vector<T> of a reference array's values.
template <class T, class Array>
std::vector<T> values(const Array& array)
{
    return std::vector<T>(array.begin(), array.end());
}
}  // namespace xtnn_test
