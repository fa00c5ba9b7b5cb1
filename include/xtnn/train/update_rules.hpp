// SPDX-License-Identifier: MIT
// The update rules, one small type each, in the book's and Keras's forms. A rule updates one
// parameter p (n values) from its gradient g and its own state arrays s[0], s[1] (zero before
// the first step); the optimizer (optimizer.hpp) runs it over every parameter of a registry.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "../detail/vmath.hpp"

namespace xtnn::update
{
namespace detail
{
/// The rules that divide by √s + ε run over blocks of values: update_state(i) for the block,
/// then its √s + ε all at once (xtnn::detail::sqrt_plus, vectorised: std::sqrt in the loop
/// would keep it scalar), then step(i, √s[i] + ε). Each of the three loops vectorises, the
/// block stays in L1, and every value gets the same operations in the same order as the
/// one-loop form, so the results are the same bits.
template <class T, class UpdateState, class Step>
void in_root_blocks(std::size_t n, const T* s, T eps, UpdateState update_state, Step step)
{
    constexpr std::size_t block = 256;
    T root[block];
    for (std::size_t begin = 0; begin < n; begin += block)
    {
        const std::size_t end = std::min(n, begin + block);
        for (std::size_t i = begin; i < end; ++i)
        {
            update_state(i);
        }
        xtnn::detail::sqrt_plus(s + begin, eps, root, end - begin);
        for (std::size_t i = begin; i < end; ++i)
        {
            step(i, root[i - begin]);
        }
    }
}
}  // namespace detail

/// One call of a rule: parameter p, gradient g (L2 weight decay already added to it, except
/// for adamw, whose decay is its own), state s, n values; the learning rate (the optimizer's,
/// scheduled and times the parameter's multiplier), the decoupled weight decay, and t, the
/// 1-based number of this step.
template <class T>
struct step
{
    T* p;
    const T* g;
    T* s[2];
    std::size_t n;
    double learning_rate;
    double weight_decay;
    std::size_t t;
};

/// p -= lr·g
struct sgd
{
    static constexpr std::string_view name = "sgd";
    static constexpr std::size_t state_arrays = 0;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T lr = static_cast<T>(a.learning_rate);
        for (std::size_t i = 0; i < a.n; ++i)
        {
            a.p[i] -= lr * a.g[i];
        }
    }
};

/// v = μ·v - lr·g;  p += v
struct momentum
{
    static constexpr std::string_view name = "momentum";
    static constexpr std::size_t state_arrays = 1;
    double mu = 0.9;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T lr = static_cast<T>(a.learning_rate);
        const T m = static_cast<T>(mu);
        T* v = a.s[0];
        for (std::size_t i = 0; i < a.n; ++i)
        {
            v[i] = m * v[i] - lr * a.g[i];
            a.p[i] += v[i];
        }
    }
};

/// v = μ·v - lr·g;  p += μ²·v - (1 + μ)·lr·g   (the book's Nesterov)
struct nesterov
{
    static constexpr std::string_view name = "nesterov";
    static constexpr std::size_t state_arrays = 1;
    double mu = 0.9;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T lr = static_cast<T>(a.learning_rate);
        const T m = static_cast<T>(mu);
        const T m2 = m * m;
        const T step_g = (T(1) + m) * lr;
        T* v = a.s[0];
        for (std::size_t i = 0; i < a.n; ++i)
        {
            v[i] = m * v[i] - lr * a.g[i];
            a.p[i] += m2 * v[i] - step_g * a.g[i];
        }
    }
};

/// h += g²;  p -= lr·g / (√h + ε)
struct adagrad
{
    static constexpr std::string_view name = "adagrad";
    static constexpr std::size_t state_arrays = 1;
    double epsilon = 1e-7;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T lr = static_cast<T>(a.learning_rate);
        const T eps = static_cast<T>(epsilon);
        T* h = a.s[0];
        detail::in_root_blocks(
            a.n, h, eps, [&](std::size_t i) { h[i] += a.g[i] * a.g[i]; },
            [&](std::size_t i, T root) { a.p[i] -= lr * a.g[i] / root; });
    }
};

/// h = ρ·h + (1 - ρ)·g²;  p -= lr·g / (√h + ε)
/// ρ defaults to Keras's 0.9 (the book's RMSprop uses 0.99); ε is added to √h as in the
/// book (Keras 3 takes √(h + ε); the two differ only while h is below about 1e-6).
struct rmsprop
{
    static constexpr std::string_view name = "rmsprop";
    static constexpr std::size_t state_arrays = 1;
    double rho = 0.9;
    double epsilon = 1e-7;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T lr = static_cast<T>(a.learning_rate);
        const T r = static_cast<T>(rho);
        const T one_minus_r = static_cast<T>(1 - rho);
        const T eps = static_cast<T>(epsilon);
        T* h = a.s[0];
        detail::in_root_blocks(
            a.n, h, eps, [&](std::size_t i) { h[i] = r * h[i] + one_minus_r * a.g[i] * a.g[i]; },
            [&](std::size_t i, T root) { a.p[i] -= lr * a.g[i] / root; });
    }
};

/// m = β1·m + (1 - β1)·g;  v = β2·v + (1 - β2)·g²
/// lr_t = lr·√(1 - β2^t) / (1 - β1^t);  p -= lr_t·m / (√v + ε)
/// (the book's and Keras 2's form: ε 1e-7 is added to √v, after the bias correction is
/// folded into lr_t)
struct adam
{
    static constexpr std::string_view name = "adam";
    static constexpr std::size_t state_arrays = 2;
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T b1 = static_cast<T>(beta1);
        const T b2 = static_cast<T>(beta2);
        const T one_minus_b1 = static_cast<T>(1 - beta1);
        const T one_minus_b2 = static_cast<T>(1 - beta2);
        const T eps = static_cast<T>(epsilon);
        const double t = static_cast<double>(a.t);
        const T lr_t = static_cast<T>(a.learning_rate * std::sqrt(1 - std::pow(beta2, t)) /
                                      (1 - std::pow(beta1, t)));
        T* m = a.s[0];
        T* v = a.s[1];
        detail::in_root_blocks(
            a.n, v, eps,
            [&](std::size_t i)
            {
                m[i] = b1 * m[i] + one_minus_b1 * a.g[i];
                v[i] = b2 * v[i] + one_minus_b2 * a.g[i] * a.g[i];
            },
            [&](std::size_t i, T root) { a.p[i] -= lr_t * m[i] / root; });
    }
};

/// Adam with decoupled weight decay (Loshchilov & Hutter; Keras's and PyTorch's AdamW):
/// p -= lr·λ·p first, then the Adam step, so the decay is not scaled by Adam's 1/√v.
struct adamw
{
    static constexpr std::string_view name = "adamw";
    static constexpr std::size_t state_arrays = 2;
    adam rule;

    template <class T>
    void operator()(const step<T>& a) const
    {
        const T decay = static_cast<T>(a.learning_rate * a.weight_decay);
        if (decay != T(0))
        {
            for (std::size_t i = 0; i < a.n; ++i)
            {
                a.p[i] -= decay * a.p[i];
            }
        }
        rule(a);
    }
};
}  // namespace xtnn::update
