// SPDX-License-Identifier: MIT
// The optimizer: one of the update rules (update_rules.hpp) applied to every trainable
// parameter of a registry, with L2 weight decay (or AdamW's decoupled decay) and per-parameter
// multipliers from each parameter's options. Its state is kept per parameter, by the
// parameter's place and name in the registry, never by address, so networks stay values.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/train/parameters.hpp>
#include <xtnn/train/update_rules.hpp>

namespace xtnn
{
/// The update rules an optimizer can run.
enum class optimizer_kind
{
    sgd,
    momentum,
    nesterov,
    adagrad,
    rmsprop,
    adam,
    adamw
};

/// "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw".
inline std::string_view to_string(optimizer_kind kind)
{
    switch (kind)
    {
    case optimizer_kind::sgd:
        return update::sgd::name;
    case optimizer_kind::momentum:
        return update::momentum::name;
    case optimizer_kind::nesterov:
        return update::nesterov::name;
    case optimizer_kind::adagrad:
        return update::adagrad::name;
    case optimizer_kind::rmsprop:
        return update::rmsprop::name;
    case optimizer_kind::adam:
        return update::adam::name;
    case optimizer_kind::adamw:
        return update::adamw::name;
    }
    return "unknown";
}

/// The optimizer named `name` (as to_string spells it).
/// @throws xtnn::error listing the valid names.
inline optimizer_kind parse_optimizer(std::string_view name)
{
    for (auto kind : {optimizer_kind::sgd, optimizer_kind::momentum, optimizer_kind::nesterov,
                      optimizer_kind::adagrad, optimizer_kind::rmsprop, optimizer_kind::adam,
                      optimizer_kind::adamw})
    {
        if (name == to_string(kind))
        {
            return kind;
        }
    }
    throw error("xtnn::parse_optimizer: unknown optimizer '" + std::string(name) +
                "'; expected sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw");
}

/// The rule and its hyper-parameters; each rule reads the ones it needs (update_rules.hpp).
/// weight_decay λ is L2 for every rule but adamw: g += λ·m·p before the rule, m the
/// parameter's weight-decay multiplier (1 for kernels, 0 for biases and normalisation
/// parameters by default). It is the gradient of 0.5·λ·ΣW², a term not added to any loss
/// value (the book adds it to its reported loss; Keras's l2(λ) uses λ·ΣW², i.e. 2λ here).
/// For adamw, λ is the decoupled decay p -= lr·λ·m·p (Keras's default 0.004).
struct optimizer_options
{
    optimizer_kind kind = optimizer_kind::sgd;
    double learning_rate = 0.01;
    double momentum = 0.9;
    double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;
    double rho = 0.9;
    double weight_decay = 0;
};

/// Applies one update rule to every trainable parameter of a registry. State (velocities,
/// squared-gradient sums, moments) is per parameter and allocated on the first step only;
/// later steps allocate nothing.
template <class T = float>
class optimizer
{
public:
    using update_rule = std::variant<update::sgd, update::momentum, update::nesterov, update::adagrad,
                              update::rmsprop, update::adam, update::adamw>;

    /// @throws xtnn::error for a negative or non-finite learning rate, momentum, beta or rho
    /// outside [0, 1), or a negative epsilon or weight decay.
    explicit optimizer(const optimizer_options& options = {})
      : m_options(options)
      , m_rule(make_rule(options))
    {
        check_options(options);
    }

    /// One update of every trainable parameter of `params` from its gradient. With L2
    /// weight decay the gradients are changed in place (g += λ·m·p).
    /// @throws shape_error when the registry is not the one the state was made for (call
    /// reset() to start over with another network).
    void step(parameters<T>& params)
    {
        allocate_state(params);
        ++m_iterations;
        std::visit([&](const auto& rule) { update_all(rule, params); }, m_rule);
    }

    const optimizer_options& options() const { return m_options; }
    /// The learning rate of the next step.
    double learning_rate() const { return m_options.learning_rate; }
    /// Changes the learning rate for later steps (schedules); keeps the state.
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
        m_state.clear();
        m_names.clear();
        m_iterations = 0;
    }

    /// State array k (0 or 1) of parameter i, for inspection and checkpoints: the velocity
    /// (momentum, nesterov) or Adam's m as k = 0; Adam's v as k = 1; AdaGrad's and RMSprop's
    /// h as k = 0. Empty before the first step or when the rule has no such state.
    const std::vector<T>& state(std::size_t i, std::size_t k) const
    {
        static const std::vector<T> empty;
        return i < m_state.size() && k < 2 ? m_state[i][k] : empty;
    }
    /// The name of the parameter state i belongs to ("dense_1/kernel").
    const std::string& state_name(std::size_t i) const { return m_names.at(i); }
    /// The parameters that have state (empty before the first step).
    std::size_t state_count() const { return m_names.size(); }

    /// Puts back the state of an earlier run (a checkpoint's): the steps taken, and per
    /// parameter its name and its state arrays. The next step checks them against the
    /// registry it is given.
    /// @throws shape_error when names and state differ in count, or an array's size is not
    /// the rule's (state arrays beyond the rule's must be empty).
    void restore(std::size_t iterations, std::vector<std::string> names,
                 std::vector<std::array<std::vector<T>, 2>> state)
    {
        if (names.size() != state.size())
        {
            throw shape_error("xtnn::optimizer::restore: " + std::to_string(names.size()) +
                              " names for " + std::to_string(state.size()) + " states");
        }
        for (std::size_t i = 0; i < state.size(); ++i)
        {
            for (std::size_t k = 0; k < 2; ++k)
            {
                const bool used = k < state_arrays();
                if (used == state[i][k].empty())
                {
                    throw shape_error("xtnn::optimizer::restore: " + names[i] + " has " +
                                      (state[i][k].empty() ? "no" : "a") + " state array " +
                                      std::to_string(k) + "; " + std::string(to_string(m_options.kind)) +
                                      " keeps " + std::to_string(state_arrays()));
                }
            }
        }
        m_iterations = iterations;
        m_names = std::move(names);
        m_state = std::move(state);
    }

private:
    template <class Rule>
    void update_all(const Rule& rule, parameters<T>& params)
    {
        const double decay = m_options.weight_decay;
        constexpr bool decoupled = std::is_same_v<Rule, update::adamw>;
        for (std::size_t i = 0; i < params.size(); ++i)
        {
            const parameter_ref<T> p = params.values(i);
            if (!p.options->trainable)
            {
                continue;
            }
            T* g = params.gradient(i);
            const std::size_t n = p.size();
            const double lambda = decay * p.options->weight_decay;
            if (!decoupled && lambda != 0)
            {
                const T wd = static_cast<T>(lambda);
                for (std::size_t k = 0; k < n; ++k)
                {
                    g[k] += wd * p.data[k];  // L2: g + λ·p
                }
            }
            const update::step<T> s{p.data,
                                    g,
                                    {m_state[i][0].data(), m_state[i][1].data()},
                                    n,
                                    m_options.learning_rate * p.options->learning_rate,
                                    decoupled ? lambda : 0.0,
                                    m_iterations};
            rule(s);
        }
    }

    static update_rule make_rule(const optimizer_options& o)
    {
        switch (o.kind)
        {
        case optimizer_kind::sgd:
            return update::sgd{};
        case optimizer_kind::momentum:
            return update::momentum{o.momentum};
        case optimizer_kind::nesterov:
            return update::nesterov{o.momentum};
        case optimizer_kind::adagrad:
            return update::adagrad{o.epsilon};
        case optimizer_kind::rmsprop:
            return update::rmsprop{o.rho, o.epsilon};
        case optimizer_kind::adam:
            return update::adam{o.beta1, o.beta2, o.epsilon};
        case optimizer_kind::adamw:
            return update::adamw{update::adam{o.beta1, o.beta2, o.epsilon}};
        }
        throw error("xtnn::optimizer: invalid optimizer_kind value " +
                    std::to_string(static_cast<int>(o.kind)));
    }

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

    std::size_t state_arrays() const
    {
        return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::state_arrays; },
                          m_rule);
    }

    /// Zero state for every parameter on the first step; afterwards a check that the
    /// registry still has the same parameters.
    void allocate_state(const parameters<T>& params)
    {
        if (m_names.empty() && m_iterations == 0 && params.size() != 0)
        {
            m_state.resize(params.size());
            for (std::size_t i = 0; i < params.size(); ++i)
            {
                m_names.push_back(params.name(i));
                for (std::size_t k = 0; k < state_arrays(); ++k)
                {
                    m_state[i][k].assign(params.size(i), T(0));
                }
            }
            return;
        }
        bool same = m_names.size() == params.size();
        for (std::size_t i = 0; same && i < params.size(); ++i)
        {
            same = m_names[i] == params.name(i);
            for (std::size_t k = 0; same && k < state_arrays(); ++k)
            {
                same = m_state[i][k].size() == params.size(i);
            }
        }
        if (!same)
        {
            throw shape_error("xtnn::optimizer::step: the parameters (" +
                              std::to_string(params.size()) +
                              " arrays) are not the ones the optimizer's state was made for (" +
                              std::to_string(m_names.size()) + "); call reset() to start over");
        }
    }

    optimizer_options m_options;
    update_rule m_rule;
    std::vector<std::array<std::vector<T>, 2>> m_state;  // per parameter: up to two arrays
    std::vector<std::string> m_names;                    // the parameter each state is for
    std::size_t m_iterations = 0;
};
}  // namespace xtnn
