// SPDX-License-Identifier: MIT
// Parameter updates from gradients: SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam in the
// book's / Keras's forms, with optional L2 weight decay on the weights. Per-parameter state
// is held by slot (W1, b1, W2, ...), never by address, so networks stay copyable values.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <xtnn/backprop.hpp>
#include <xtnn/error.hpp>
#include <xtnn/network.hpp>

namespace xtnn
{
/// The update rules optimizer implements.
enum class optimizer_kind
{
    sgd,
    momentum,
    nesterov,
    adagrad,
    rmsprop,
    adam
};

/// "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam".
inline std::string_view to_string(optimizer_kind kind)
{
    switch (kind)
    {
    case optimizer_kind::sgd:
        return "sgd";
    case optimizer_kind::momentum:
        return "momentum";
    case optimizer_kind::nesterov:
        return "nesterov";
    case optimizer_kind::adagrad:
        return "adagrad";
    case optimizer_kind::rmsprop:
        return "rmsprop";
    case optimizer_kind::adam:
        return "adam";
    }
    return "unknown";
}

/// The optimizer named `name` (as to_string spells it).
/// @throws xtnn::error listing the valid names.
inline optimizer_kind parse_optimizer(std::string_view name)
{
    for (auto kind : {optimizer_kind::sgd, optimizer_kind::momentum, optimizer_kind::nesterov,
                      optimizer_kind::adagrad, optimizer_kind::rmsprop, optimizer_kind::adam})
    {
        if (name == to_string(kind))
        {
            return kind;
        }
    }
    throw error("xtnn::parse_optimizer: unknown optimizer '" + std::string(name) +
                "'; expected sgd, momentum, nesterov, adagrad, rmsprop or adam");
}

/// Hyper-parameters; each rule reads the ones it needs. g is the gradient, p the parameter.
///   sgd       p -= lr·g
///   momentum  v = momentum·v - lr·g;  p += v
///   nesterov  v = momentum·v - lr·g;  p += momentum²·v - (1 + momentum)·lr·g   (the book's)
///   adagrad   h += g²;  p -= lr·g / (sqrt(h) + epsilon)
///   rmsprop   h = rho·h + (1 - rho)·g²;  p -= lr·g / (sqrt(h) + epsilon)
///             rho defaults to Keras's 0.9 (the book's RMSprop uses decay_rate 0.99);
///             epsilon is added to sqrt(h) as in the book (Keras 3 takes sqrt(h + epsilon);
///             the two differ only while h is tiny, below about 1e-6)
///   adam      m = beta1·m + (1 - beta1)·g;  v = beta2·v + (1 - beta2)·g²
///             lr_t = lr·sqrt(1 - beta2^t) / (1 - beta1^t);  p -= lr_t·m / (sqrt(v) + epsilon)
///             (the book's and Keras 2's form: epsilon 1e-7 is added to sqrt(v), after the
///             bias correction folded into lr_t)
/// weight_decay (L2, the book's λ): g += weight_decay·p for weights only, never biases,
/// before the rule. It is the gradient of 0.5·λ·ΣW²; that term is not added to any loss
/// value (the book adds it to its reported loss; Keras's l2(λ) uses λ·ΣW², i.e. 2λ here).
struct optimizer_options
{
    optimizer_kind kind = optimizer_kind::sgd;
    double learning_rate = 0.01;
    double momentum = 0.9;
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;
    double rho = 0.9;
    double weight_decay = 0;
};

/// Applies one of the update rules to every parameter slot of a network.
/// State (velocities, squared-gradient sums, moments) is per slot and is allocated on the
/// first step() only; later steps allocate nothing.
template <class T = float>
class optimizer
{
public:
    /// @throws xtnn::error for a negative or non-finite learning rate, momentum, beta or rho
    /// outside [0, 1), or a negative epsilon or weight decay.
    explicit optimizer(const optimizer_options& options = {})
      : m_options(options)
    {
        check_options(options);
    }

    /// One update of every slot of `net` from `grads` (shaped like net: see gradients<T>).
    /// @throws shape_error when grads do not fit net, or net's shapes changed since the
    /// first step (call reset() to start over with a new network).
    void step(network<T>& net, const gradients<T>& grads)
    {
        if (!grads.fits(net))
        {
            throw shape_error(
                "xtnn::optimizer::step: gradients with " + std::to_string(grads.slots()) +
                " slots do not fit the network of widths " + shape_string(net.widths()));
        }
        const std::size_t slots = grads.slots();
        allocate_state(net, slots);
        ++m_iterations;
        const auto& o = m_options;
        const T lr = static_cast<T>(o.learning_rate);
        for (std::size_t slot = 0; slot < slots; ++slot)
        {
            T* p = parameter_data(net, slot);
            const T* g = grads.slot_data(slot);
            const std::size_t n = grads.slot_size(slot);
            // L2 on weights (even slots) only: g + wd·p; exactly g when wd == 0.
            const T wd = slot % 2 == 0 ? static_cast<T>(o.weight_decay) : T(0);
            switch (o.kind)
            {
            case optimizer_kind::sgd:
                for (std::size_t i = 0; i < n; ++i)
                {
                    p[i] -= lr * (g[i] + wd * p[i]);  // p -= lr·g
                }
                break;
            case optimizer_kind::momentum:
            {
                T* v = m_first[slot].data();
                const T mu = static_cast<T>(o.momentum);
                for (std::size_t i = 0; i < n; ++i)
                {
                    const T gi = g[i] + wd * p[i];
                    v[i] = mu * v[i] - lr * gi;  // v = μv - lr·g
                    p[i] += v[i];                // p += v
                }
                break;
            }
            case optimizer_kind::nesterov:
            {
                T* v = m_first[slot].data();
                const T mu = static_cast<T>(o.momentum);
                const T mu2 = mu * mu;
                const T step_g = (T(1) + mu) * lr;
                for (std::size_t i = 0; i < n; ++i)
                {
                    const T gi = g[i] + wd * p[i];
                    v[i] = mu * v[i] - lr * gi;        // v = μv - lr·g
                    p[i] += mu2 * v[i] - step_g * gi;  // p += μ²v - (1 + μ)·lr·g
                }
                break;
            }
            case optimizer_kind::adagrad:
            {
                T* h = m_second[slot].data();
                const T eps = static_cast<T>(o.epsilon);
                for (std::size_t i = 0; i < n; ++i)
                {
                    const T gi = g[i] + wd * p[i];
                    h[i] += gi * gi;                            // h += g²
                    p[i] -= lr * gi / (std::sqrt(h[i]) + eps);  // p -= lr·g / (√h + ε)
                }
                break;
            }
            case optimizer_kind::rmsprop:
            {
                T* h = m_second[slot].data();
                const T rho = static_cast<T>(o.rho);
                const T one_minus_rho = static_cast<T>(1 - o.rho);
                const T eps = static_cast<T>(o.epsilon);
                for (std::size_t i = 0; i < n; ++i)
                {
                    const T gi = g[i] + wd * p[i];
                    h[i] = rho * h[i] + one_minus_rho * gi * gi;  // h = ρh + (1 - ρ)g²
                    p[i] -= lr * gi / (std::sqrt(h[i]) + eps);    // p -= lr·g / (√h + ε)
                }
                break;
            }
            case optimizer_kind::adam:
            {
                T* m = m_first[slot].data();
                T* v = m_second[slot].data();
                const T b1 = static_cast<T>(o.beta1);
                const T b2 = static_cast<T>(o.beta2);
                const T one_minus_b1 = static_cast<T>(1 - o.beta1);
                const T one_minus_b2 = static_cast<T>(1 - o.beta2);
                const T eps = static_cast<T>(o.epsilon);
                // lr_t = lr·sqrt(1 - β2^t) / (1 - β1^t), in double
                const double t = static_cast<double>(m_iterations);
                const T lr_t =
                    static_cast<T>(o.learning_rate * std::sqrt(1 - std::pow(o.beta2, t)) /
                                   (1 - std::pow(o.beta1, t)));
                for (std::size_t i = 0; i < n; ++i)
                {
                    const T gi = g[i] + wd * p[i];
                    m[i] = b1 * m[i] + one_minus_b1 * gi;           // m = β1m + (1 - β1)g
                    v[i] = b2 * v[i] + one_minus_b2 * gi * gi;      // v = β2v + (1 - β2)g²
                    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);  // p -= lr_t·m / (√v + ε)
                }
                break;
            }
            }
        }
    }

    const optimizer_options& options() const { return m_options; }

    /// Changes the learning rate for later steps (schedules, warm restarts); keeps the state.
    /// @throws xtnn::error for a negative or non-finite rate.
    void set_learning_rate(double learning_rate)
    {
        optimizer_options changed = m_options;
        changed.learning_rate = learning_rate;
        check_options(changed);
        m_options = changed;
    }

    /// Steps taken since construction or reset() (Adam's t).
    std::size_t iterations() const { return m_iterations; }

    /// Forgets all state (velocities, moments, t); the next step() starts afresh.
    void reset()
    {
        m_first.clear();
        m_second.clear();
        m_iterations = 0;
    }

    /// The per-slot state, for inspection and checkpoints: `first` is the velocity
    /// (momentum, nesterov) or Adam's m; `second` AdaGrad's/RMSprop's h or Adam's v. Empty
    /// before the first step or when the rule has no such state.
    const std::vector<T>& first_moment(std::size_t slot) const { return state(m_first, slot); }
    const std::vector<T>& second_moment(std::size_t slot) const { return state(m_second, slot); }

private:
    static void check_options(const optimizer_options& o)
    {
        const auto fraction = [](double value) { return value >= 0 && value < 1; };
        const auto bad = [](const char* what, double value, const char* expected)
        {
            throw error(std::string("xtnn::optimizer: ") + what + " " + std::to_string(value) +
                        " is out of range; expected " + expected);
        };
        if (!(o.learning_rate >= 0) || !std::isfinite(o.learning_rate))
        {
            bad("learning_rate", o.learning_rate, "a finite value >= 0");
        }
        if (!fraction(o.momentum))
        {
            bad("momentum", o.momentum, "[0, 1)");
        }
        if (!fraction(o.beta1))
        {
            bad("beta1", o.beta1, "[0, 1)");
        }
        if (!fraction(o.beta2))
        {
            bad("beta2", o.beta2, "[0, 1)");
        }
        if (!fraction(o.rho))
        {
            bad("rho", o.rho, "[0, 1)");
        }
        if (!(o.epsilon >= 0) || !std::isfinite(o.epsilon))
        {
            bad("epsilon", o.epsilon, "a finite value >= 0");
        }
        if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay))
        {
            bad("weight_decay", o.weight_decay, "a finite value >= 0");
        }
    }

    void allocate_state(const network<T>& net, std::size_t slots)
    {
        const bool first = m_options.kind == optimizer_kind::momentum ||
                           m_options.kind == optimizer_kind::nesterov ||
                           m_options.kind == optimizer_kind::adam;
        const bool second = m_options.kind == optimizer_kind::adagrad ||
                            m_options.kind == optimizer_kind::rmsprop ||
                            m_options.kind == optimizer_kind::adam;
        if (m_first.empty() && m_second.empty())
        {
            if (first)
            {
                m_first.resize(slots);
            }
            if (second)
            {
                m_second.resize(slots);
            }
            for (std::size_t slot = 0; slot < slots; ++slot)
            {
                const std::size_t size = parameter_size(net, slot);
                if (first)
                {
                    m_first[slot].assign(size, T(0));
                }
                if (second)
                {
                    m_second[slot].assign(size, T(0));
                }
            }
            return;
        }
        const auto& held = m_first.empty() ? m_second : m_first;
        bool same = held.size() == slots;
        for (std::size_t slot = 0; same && slot < slots; ++slot)
        {
            same = held[slot].size() == parameter_size(net, slot);
        }
        if (!same)
        {
            throw shape_error("xtnn::optimizer::step: the network of widths " +
                              shape_string(net.widths()) +
                              " is not the one the optimizer's state was made for; call "
                              "reset() to start over");
        }
    }

    const std::vector<T>& state(const std::vector<std::vector<T>>& all, std::size_t slot) const
    {
        static const std::vector<T> empty;
        return slot < all.size() ? all[slot] : empty;
    }

    optimizer_options m_options;
    std::vector<std::vector<T>> m_first;   // per slot: velocity, or Adam's m
    std::vector<std::vector<T>> m_second;  // per slot: h, or Adam's v
    std::size_t m_iterations = 0;
};
}  // namespace xtnn
