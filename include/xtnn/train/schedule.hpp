// SPDX-License-Identifier: MIT
// Learning-rate schedules: closed forms of the step (step decay, exponential, cosine, as
// Keras's schedules), which fit() evaluates before every step, and reduce-on-plateau (Keras's
// ReduceLROnPlateau), which reacts to an epoch's monitored value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>

#include <xtnn/error.hpp>
#include <xtnn/train/history.hpp>

namespace xtnn
{
/// Where a step is in a run: its epoch (0-based), and the step counted over the whole run
/// (0-based).
struct schedule_point
{
    std::size_t epoch = 0;
    std::size_t step = 0;
};

/// A schedule: the learning rate of a step from the base rate and where the step is.
using learning_rate_schedule = std::function<double(double base, const schedule_point&)>;

/// lr = base · factor^⌊epoch / every⌋: e.g. halve every 10 epochs.
struct step_decay
{
    double factor = 0.5;
    std::size_t every = 10;

    double operator()(double base, const schedule_point& p) const
    {
        const double drops = std::floor(static_cast<double>(p.epoch) /
                                        static_cast<double>(std::max<std::size_t>(every, 1)));
        return base * std::pow(factor, drops);
    }
};

/// Keras's ExponentialDecay: lr = base · rate^(step / decay_steps), the exponent floored
/// when staircase.
struct exponential_decay
{
    double rate = 0.96;
    std::size_t decay_steps = 1000;
    bool staircase = false;

    double operator()(double base, const schedule_point& p) const
    {
        double exponent = static_cast<double>(p.step) /
                          static_cast<double>(std::max<std::size_t>(decay_steps, 1));
        if (staircase)
        {
            exponent = std::floor(exponent);
        }
        return base * std::pow(rate, exponent);
    }
};

/// Keras's CosineDecay (Loshchilov & Hutter's SGDR without restarts):
/// lr = base · ((1 - alpha) · 0.5 · (1 + cos(π · min(step, decay_steps) / decay_steps)) + alpha),
/// falling from base to alpha · base over decay_steps steps, then staying there.
struct cosine_decay
{
    std::size_t decay_steps = 1000;
    double alpha = 0;

    double operator()(double base, const schedule_point& p) const
    {
        constexpr double pi = 3.14159265358979323846;
        const double steps = static_cast<double>(std::max<std::size_t>(decay_steps, 1));
        const double done = std::min(static_cast<double>(p.step), steps) / steps;
        return base * ((1 - alpha) * 0.5 * (1 + std::cos(pi * done)) + alpha);
    }
};

/// Keras's ReduceLROnPlateau: when the monitored value has not improved by more than
/// min_delta for `patience` epochs, multiply the learning rate by `factor` (not below min_lr),
/// then wait `cooldown` epochs before counting again.
struct reduce_on_plateau_options
{
    bool enabled = false;
    xtnn::monitor monitor = xtnn::monitor::val_loss;
    double factor = 0.1;
    std::size_t patience = 10;
    double min_delta = 1e-4;
    std::size_t cooldown = 0;
    double min_lr = 0;
};

class reduce_on_plateau
{
public:
    /// @throws xtnn::error for a factor outside (0, 1) or a negative min_lr or min_delta.
    explicit reduce_on_plateau(const reduce_on_plateau_options& options = {})
      : m_options(options)
      , m_best(higher_is_better(options.monitor) ? -std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::infinity())
    {
        if (!(options.factor > 0 && options.factor < 1))
        {
            throw error("xtnn::reduce_on_plateau: factor " + std::to_string(options.factor) +
                        " is out of range; expected 0 < factor < 1");
        }
        if (!(options.min_lr >= 0) || !(options.min_delta >= 0))
        {
            throw error("xtnn::reduce_on_plateau: min_lr and min_delta must be >= 0");
        }
    }

    const reduce_on_plateau_options& options() const { return m_options; }

    /// Where the rule stands, for checkpoints: the best value so far, the epochs waited, the
    /// cooldown epochs left.
    struct state
    {
        double best = 0;
        std::size_t wait = 0, cooldown = 0;
    };
    state get_state() const { return {m_best, m_wait, m_cooldown}; }
    void set_state(const state& s)
    {
        m_best = s.best;
        m_wait = s.wait;
        m_cooldown = s.cooldown;
    }

    /// After an epoch: the learning rate to use from now on, given the epoch's record and the
    /// current rate (the same rate unless it is time to reduce it).
    double update(const epoch_record& record, double learning_rate)
    {
        const double value = record.value(m_options.monitor);
        if (m_cooldown > 0)
        {
            --m_cooldown;
            m_wait = 0;
        }
        const bool cooling = m_cooldown > 0;  // after the decrement, as Keras checks it
        const bool improved = higher_is_better(m_options.monitor)
                                  ? value > m_best + m_options.min_delta
                                  : value < m_best - m_options.min_delta;
        if (improved)
        {
            m_best = value;
            m_wait = 0;
        }
        else if (!cooling && ++m_wait >= m_options.patience &&
                 learning_rate > m_options.min_lr)
        {
            m_wait = 0;
            m_cooldown = m_options.cooldown;
            return std::max(learning_rate * m_options.factor, m_options.min_lr);
        }
        return learning_rate;
    }

private:
    reduce_on_plateau_options m_options;
    double m_best;
    std::size_t m_wait = 0, m_cooldown = 0;
};
}  // namespace xtnn
