// SPDX-License-Identifier: MIT
// Training over in-memory data, Keras-style: fit() runs epochs of shuffled mini-batches with
// validation, progress lines, callbacks, learning-rate schedules, early stopping and
// divergence checks, and returns a history. evaluate() and predict_labels()
// (eval/evaluate.hpp) score the result.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/eval/evaluate.hpp>
#include <xtnn/eval/metrics.hpp>
#include <xtnn/nn/network.hpp>
#include <xtnn/train/history.hpp>
#include <xtnn/train/loss.hpp>
#include <xtnn/train/optimizer.hpp>
#include <xtnn/train/progress.hpp>
#include <xtnn/train/schedule.hpp>
#include <xtnn/train/training_step.hpp>

namespace xtnn
{
/// fit() stopped because the loss or a parameter became NaN or infinite; the message names
/// the epoch, the step and the learning rate.
class training_diverged : public error
{
public:
    using error::error;
};

/// Keras's EarlyStopping: stop once the monitored value has not improved by more than
/// min_delta for `patience` epochs in a row (at least 1; losses must fall, accuracies rise).
struct early_stopping_options
{
    bool enabled = false;
    xtnn::monitor monitor = xtnn::monitor::val_loss;
    std::size_t patience = 0;
    double min_delta = 0;
    bool restore_best_weights = true;  ///< leave the network with the best epoch's weights
};

/// Where a run stands after an epoch: what fit needs, besides the network, to continue it
/// exactly as if it had not stopped (io/checkpoint.hpp keeps one in a checkpoint file).
template <class T = float>
struct fit_progress
{
    xtnn::history history;             ///< the epochs done (and their step losses)
    std::vector<std::size_t> order;    ///< the training rows' order after the last shuffle
    std::string engine;                ///< the shuffle and dropout engine, as operator<< writes it
    double learning_rate = 0;          ///< the base rate schedules start from
    std::size_t optimizer_iterations = 0;
    std::vector<std::string> optimizer_names;  ///< the parameter each state array is for
    std::vector<std::array<std::vector<T>, 2>> optimizer_state;
    double stopping_best = 0;          ///< early stopping's best value and epochs since
    std::size_t stopping_wait = 0;
    network<T> best_network;           ///< empty unless early stopping keeps the best weights
    reduce_on_plateau::state plateau{};
};

namespace detail
{
template <class T>
struct fit_run;
}  // namespace detail

/// What a callback sees of a run after an epoch, and may change: the network, the
/// optimizer, the history so far, and the base learning rate (schedules start from it;
/// ReduceLROnPlateau lowers it). progress() is a snapshot to resume the run from.
template <class T = float>
struct fit_state
{
    network<T>& net;
    xtnn::optimizer<T>& optimizer;
    const xtnn::history& history;
    double& learning_rate;
    const detail::fit_run<T>* run = nullptr;

    /// Everything besides the network that resuming this run needs; allocates a copy.
    fit_progress<T> progress() const;
};

/// Called after each epoch with its record and the run's state (e.g. to save a checkpoint or
/// lower the learning rate). Return false to stop training; fit_options::on_epoch_end also
/// takes callables of (const epoch_record&, network<T>&), and ones that return void.
template <class T = float>
using epoch_callback = std::function<bool(const epoch_record&, fit_state<T>&)>;

/// fit()'s settings; the defaults train one epoch with Adam (lr 0.001) at batch 32.
template <class T = float>
struct fit_options
{
    std::size_t epochs = 1;
    std::size_t batch_size = 32;  ///< 1 = per-sample SGD, as the book's chapter 4
    optimizer_options optimizer{optimizer_kind::adam, 0.001};
    /// The learning rate of each step from optimizer.learning_rate (empty: constant), e.g.
    /// xtnn::cosine_decay{steps}.
    learning_rate_schedule schedule;
    /// Keras's ReduceLROnPlateau, after every epoch (scales the schedule's base).
    reduce_on_plateau_options reduce_on_plateau{};
    loss_kind loss = loss_kind::softmax_cross_entropy;
    std::uint64_t seed = 0;       ///< seeds the shuffles and dropout masks (std::mt19937_64)
    bool shuffle = true;          ///< a new permutation of the training rows every epoch
    double validation_split = 0;  ///< last fraction of x, y held out (ignored with val data)
    verbosity verbose = verbosity::bar;
    std::ostream* out = nullptr;    ///< progress stream; nullptr = std::cerr
    std::size_t eval_batch = 1000;  ///< rows per forward pass when validating
    early_stopping_options early_stopping{};
    std::vector<epoch_callback<T>> callbacks;
    /// Continue a run from where `resume` says it stood (a checkpoint's progress), with the
    /// network it had: the run goes on as if it had never stopped, bit for bit, up to
    /// `epochs` in all. Not owned: it must outlive the call to fit.
    const fit_progress<T>* resume = nullptr;

    /// Adds a callback of (record, fit_state&) or (record, network&), returning bool (false =
    /// stop) or void (never stops).
    template <class F>
    fit_options& on_epoch_end(F f)
    {
        callbacks.push_back(
            [f](const epoch_record& record, fit_state<T>& state) mutable
            {
                if constexpr (std::is_invocable_v<F&, const epoch_record&, fit_state<T>&>)
                {
                    return call(f, record, state);
                }
                else
                {
                    return call(f, record, state.net);
                }
            });
        return *this;
    }

private:
    template <class F, class Arg>
    static bool call(F& f, const epoch_record& record, Arg& arg)
    {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, const epoch_record&, Arg&>>)
        {
            f(record, arg);
            return true;
        }
        else
        {
            return f(record, arg);
        }
    }
};

/// Keras's LearningRateScheduler as a callback: after epoch e (1-based) the base rate
/// becomes schedule(initial, {epoch e, step 0}) for the next epoch.
template <class T = float>
epoch_callback<T> learning_rate_scheduler(learning_rate_schedule schedule, double initial)
{
    return [schedule, initial](const epoch_record& record, fit_state<T>& state)
    {
        state.learning_rate = schedule(initial, {record.epoch, 0});
        return true;
    };
}

/// Keras's ReduceLROnPlateau as a callback (fit_options::reduce_on_plateau does the same).
template <class T = float>
epoch_callback<T> reduce_lr_on_plateau(const reduce_on_plateau_options& options)
{
    return [rule = reduce_on_plateau(options)](const epoch_record& record,
                                               fit_state<T>& state) mutable
    {
        state.learning_rate = rule.update(record, state.learning_rate);
        return true;
    };
}

namespace detail
{
/// A uniform integer in [0, n), by rejection on 64-bit draws: the same on every standard
/// library (std::uniform_int_distribution is not specified bit for bit).
inline std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t n)
{
    const std::uint64_t excess = (std::numeric_limits<std::uint64_t>::max() % n + 1) % n;
    // accept draws below 2^64 - excess, a multiple of n: every residue equally likely
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - excess;
    std::uint64_t draw = engine();
    while (excess != 0 && draw > limit)
    {
        draw = engine();
    }
    return draw % n;
}

/// Fisher-Yates: for i = n-1 .. 1 swap order[i] with order[j], j uniform in [0, i].
inline void shuffle(std::vector<std::size_t>& order, std::mt19937_64& engine)
{
    for (std::size_t i = order.size(); i > 1; --i)
    {
        std::swap(order[i - 1], order[uniform_below(engine, i)]);
    }
}

/// The mini-batches of an epoch: rows in order, or gathered in the order of a fresh
/// permutation into buffers allocated once.
template <class T>
class batcher
{
public:
    batcher(const labeled_rows<T>& data, std::size_t batch, bool shuffle)
      : m_data(data)
      , m_batch(batch)
      , m_shuffle(shuffle)
      , m_order(data.rows)
      , m_x(shuffle ? batch * data.features : 0)
      , m_one_hot(shuffle && data.one_hot ? batch * data.classes : 0)
      , m_labels(shuffle ? batch : 0)
    {
        for (std::size_t i = 0; i < m_order.size(); ++i)
        {
            m_order[i] = i;
        }
    }

    std::size_t steps() const { return (m_data.rows + m_batch - 1) / m_batch; }

    /// Starts an epoch: a new permutation when shuffling.
    void begin_epoch(std::mt19937_64& engine)
    {
        if (m_shuffle)
        {
            shuffle(m_order, engine);
        }
    }

    /// The rows' order after the last shuffle (a checkpoint keeps it).
    const std::vector<std::size_t>& order() const { return m_order; }
    /// @throws error when `order` is not a permutation of the rows.
    void set_order(const std::vector<std::size_t>& order)
    {
        std::vector<bool> seen(m_data.rows, false);
        for (std::size_t row : order)
        {
            if (order.size() != m_data.rows || row >= m_data.rows || seen[row])
            {
                throw error("xtnn::fit: the resumed run's row order is not a permutation of the " +
                            std::to_string(m_data.rows) + " training rows (" +
                            std::to_string(order.size()) + " entries)");
            }
            seen[row] = true;
        }
        m_order = order;
    }

    /// Batch s of the epoch.
    labeled_rows<T> batch(std::size_t s)
    {
        const std::size_t first = s * m_batch;
        const std::size_t rows = std::min(m_batch, m_data.rows - first);
        labeled_rows<T> part = m_data.slice(first, rows);
        if (!m_shuffle)
        {
            return part;
        }
        for (std::size_t r = 0; r < rows; ++r)
        {
            const std::size_t row = m_order[first + r];
            const T* x = m_data.x + row * m_data.features;
            std::copy(x, x + m_data.features, m_x.data() + r * m_data.features);
            m_labels[r] = m_data.labels[row];
            if (m_data.one_hot)
            {
                const T* t = m_data.one_hot + row * m_data.classes;
                std::copy(t, t + m_data.classes, m_one_hot.data() + r * m_data.classes);
            }
        }
        part.x = m_x.data();
        part.labels = m_labels.data();
        part.one_hot = m_data.one_hot ? m_one_hot.data() : nullptr;
        return part;
    }

private:
    labeled_rows<T> m_data;
    std::size_t m_batch;
    bool m_shuffle;
    std::vector<std::size_t> m_order;
    std::vector<T> m_x, m_one_hot;
    std::vector<std::size_t> m_labels;
};

/// Early stopping's bookkeeping: the best value so far, its epoch, and the epochs since.
template <class T>
class stopping_monitor
{
public:
    explicit stopping_monitor(const early_stopping_options& options)
      : m_options(options)
    {
    }

    /// After an epoch: true when training should stop. Keeps the best weights if asked.
    bool update(const epoch_record& record, const network<T>& net, history& h)
    {
        if (!m_options.enabled)
        {
            return false;
        }
        const double value = record.value(m_options.monitor);
        // improved: value < best - min_delta (losses) or value > best + min_delta
        const bool improved =
            h.best_epoch == 0 || (higher_is_better(m_options.monitor)
                                      ? value > m_best + m_options.min_delta
                                      : value < m_best - m_options.min_delta);
        if (improved)
        {
            m_best = value;
            h.best_epoch = record.epoch;
            m_wait = 0;
            if (m_options.restore_best_weights)
            {
                m_best_net = net;
            }
            return false;
        }
        return ++m_wait >= std::max<std::size_t>(m_options.patience, 1);
    }

    std::size_t wait() const { return m_wait; }
    double best() const { return m_best; }
    const network<T>& best_network() const { return m_best_net; }
    void set_state(double best, std::size_t wait, const network<T>& best_net)
    {
        m_best = best;
        m_wait = wait;
        m_best_net = best_net;
    }

    /// Puts the best epoch's weights back, when asked and when they are not the last ones.
    bool restore(network<T>& net, const history& h)
    {
        if (!m_options.enabled || !m_options.restore_best_weights || h.best_epoch == 0 ||
            h.best_epoch == h.epochs.size())
        {
            return false;
        }
        net = m_best_net;
        return true;
    }

private:
    early_stopping_options m_options;
    double m_best = 0;
    std::size_t m_wait = 0;
    network<T> m_best_net;
};

/// True when every parameter and state array of `net` is finite.
template <class T>
bool parameters_finite(const network<T>& net)
{
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        const auto& layer = net.layer(l);
        for (std::size_t i = 0; i < layer.parameter_count(); ++i)
        {
            const auto p = layer.parameter(i);
            if (!std::all_of(p.data, p.data + p.size(), [](T v) { return std::isfinite(v); }))
            {
                return false;
            }
        }
    }
    return true;
}

inline std::string divergence_message(const char* what, std::size_t epoch, std::size_t step,
                                      std::size_t steps, double learning_rate)
{
    char buffer[320];
    std::snprintf(buffer, sizeof buffer,
                  "xtnn::fit: training diverged: %s at epoch %zu, step %zu of %zu; the learning "
                  "rate %g is probably too high, try a lower one (e.g. %g)",
                  what, epoch, step, steps, learning_rate, learning_rate / 10);
    return buffer;
}

template <class T>
history fit_rows(network<T>& net, const labeled_rows<T>& train, const labeled_rows<T>& val,
                 const fit_options<T>& options);
}  // namespace detail

/// Trains `net` on x (N, inputs) against y: class indices (N,) or one-hot rows
/// (N, outputs), e.g.
///   xtnn::fit_options<float> options;
///   options.epochs = 10;
///   options.early_stopping = {true, xtnn::monitor::val_loss, 2};
///   const xtnn::history h = xtnn::fit(net, x, y, x_val, y_val, options);
/// The network must already be initialised (see nn/init.hpp); dropout and BatchNorm are
/// layers in it and run in training mode here. With options.validation_split = f the last
/// N - int(N·(1 - f)) rows are held out for validation, as Keras takes them (before any
/// shuffling).
/// @throws shape_error when x or y does not fit the network; training_diverged (naming the
/// epoch and step); xtnn::error for invalid options.
template <class T, class X, class Y>
history fit(network<T>& net, const X& x, const Y& y, const fit_options<T>& options = {})
{
    detail::label_storage<T> store;
    const auto all = detail::view_data(net, x, y, store, "x", "xtnn::fit");
    if (!(options.validation_split >= 0 && options.validation_split < 1))
    {
        throw error("xtnn::fit: validation_split " + std::to_string(options.validation_split) +
                    " is out of range; expected 0 <= split < 1");
    }
    // Keras: split_at = int(N * (1 - validation_split)); validation is rows [split_at, N).
    const auto split_at =
        static_cast<std::size_t>(static_cast<double>(all.rows) * (1.0 - options.validation_split));
    return detail::fit_rows(net, all.slice(0, split_at), all.slice(split_at, all.rows - split_at),
                            options);
}

/// Trains `net` on (x, y) and validates after every epoch on (x_val, y_val); shapes as
/// fit(net, x, y, options). options.validation_split is ignored.
/// @throws as fit(net, x, y, options).
template <class T, class X, class Y, class XV, class YV>
history fit(network<T>& net, const X& x, const Y& y, const XV& x_val, const YV& y_val,
            const fit_options<T>& options = {})
{
    detail::label_storage<T> store, val_store;
    const auto train = detail::view_data(net, x, y, store, "x", "xtnn::fit");
    const auto val = detail::view_data(net, x_val, y_val, val_store, "x_val", "xtnn::fit");
    return detail::fit_rows(net, train, val, options);
}

namespace detail
{
/// The parts of a run: what fit_state::progress() reads and resume() writes.
template <class T>
struct fit_run
{
    training_step<T> stepper;
    batcher<T> batches;
    stopping_monitor<T> stopping;
    std::optional<reduce_on_plateau> plateau;
    double learning_rate;
    history h;
    bool keeps_best_network;
};

/// Puts a run back where `p` says it stood.
/// @throws error when p does not fit this run (rows, engine text, optimizer state).
template <class T>
void resume(fit_run<T>& run, const fit_progress<T>& p)
{
    run.h = p.history;
    run.batches.set_order(p.order);
    std::istringstream engine(p.engine);
    engine >> run.stepper.engine();
    if (!engine)
    {
        throw error("xtnn::fit: the resumed run's engine state does not read as a "
                    "std::mt19937_64");
    }
    run.learning_rate = p.learning_rate;
    run.stepper.optimizer().restore(p.optimizer_iterations, p.optimizer_names, p.optimizer_state);
    run.stopping.set_state(p.stopping_best, p.stopping_wait, p.best_network);
    if (run.plateau)
    {
        run.plateau->set_state(p.plateau);
    }
}
}  // namespace detail

template <class T>
fit_progress<T> fit_state<T>::progress() const
{
    const auto& r = *run;
    fit_progress<T> p;
    p.history = r.h;
    p.order = r.batches.order();
    std::ostringstream engine;
    engine << r.stepper.engine();
    p.engine = engine.str();
    p.learning_rate = r.learning_rate;
    const auto& o = r.stepper.optimizer();
    p.optimizer_iterations = o.iterations();
    for (std::size_t i = 0; i < o.state_count(); ++i)
    {
        p.optimizer_names.push_back(o.state_name(i));
        p.optimizer_state.push_back({o.state(i, 0), o.state(i, 1)});
    }
    p.stopping_best = r.stopping.best();
    p.stopping_wait = r.stopping.wait();
    if (r.keeps_best_network)
    {
        p.best_network = r.stopping.best_network();
    }
    if (r.plateau)
    {
        p.plateau = r.plateau->get_state();
    }
    return p;
}

namespace detail
{
template <class T>
history fit_rows(network<T>& net, const labeled_rows<T>& train, const labeled_rows<T>& val,
                 const fit_options<T>& options)
{
    using clock = std::chrono::steady_clock;
    const bool validate = val.rows > 0;
    if (options.epochs == 0 || options.batch_size == 0 || train.rows == 0)
    {
        throw error("xtnn::fit: nothing to train: " + std::to_string(options.epochs) +
                    " epochs, batch size " + std::to_string(options.batch_size) + ", " +
                    std::to_string(train.rows) + " training rows; expected all three > 0");
    }
    const auto check_monitor = [&](bool enabled, monitor m, const char* what)
    {
        if (enabled && !validate && needs_validation(m))
        {
            throw error(std::string("xtnn::fit: ") + what + " monitors " + to_string(m) +
                        " but there is no validation data; pass x_val, y_val or a "
                        "validation_split");
        }
    };
    check_monitor(options.early_stopping.enabled, options.early_stopping.monitor,
                  "early stopping");
    check_monitor(options.reduce_on_plateau.enabled, options.reduce_on_plateau.monitor,
                  "reduce_on_plateau");

    // Everything the steps touch is allocated here, before the first step.
    const std::size_t batch = std::min(options.batch_size, train.rows);
    fit_run<T> run{training_step<T>(net, options.loss, options.optimizer, options.seed),
                   batcher<T>(train, batch, options.shuffle),
                   stopping_monitor<T>(options.early_stopping),
                   std::nullopt,
                   options.optimizer.learning_rate,
                   history{},
                   options.early_stopping.enabled &&
                       options.early_stopping.restore_best_weights};
    if (options.reduce_on_plateau.enabled)
    {
        run.plateau.emplace(options.reduce_on_plateau);
    }
    if (options.resume)
    {
        resume(run, *options.resume);
    }
    auto& stepper = run.stepper;
    auto& batches = run.batches;
    auto& stopping = run.stopping;
    auto& plateau = run.plateau;
    double& learning_rate = run.learning_rate;  // the base rate of the schedule
    history& h = run.h;
    const std::size_t steps = batches.steps();
    workspace<T> eval_ws;
    std::vector<std::size_t> eval_predicted;

    h.epochs.reserve(options.epochs);
    h.step_loss.reserve(options.epochs * steps);
    progress_printer progress(options.verbose, options.out);
    fit_state<T> state{net, stepper.optimizer(), h, learning_rate, &run};

    for (std::size_t epoch = h.size() + 1; epoch <= options.epochs; ++epoch)
    {
        const auto epoch_start = clock::now();
        progress.begin_epoch(epoch, options.epochs, steps);
        batches.begin_epoch(stepper.engine());
        double loss_sum = 0;
        std::size_t correct = 0;
        for (std::size_t s = 0; s < steps; ++s)
        {
            if (options.schedule)
            {
                stepper.optimizer().set_learning_rate(
                    options.schedule(learning_rate, {epoch - 1, (epoch - 1) * steps + s}));
            }
            else if (stepper.optimizer().learning_rate() != learning_rate)
            {
                stepper.optimizer().set_learning_rate(learning_rate);
            }
            const labeled_rows<T> part = batches.batch(s);
            const targets_ref<T> t{part.one_hot, part.one_hot ? nullptr : part.labels};
            const step_result result = stepper.step(part.x, part.rows, t, part.labels);
            if (!std::isfinite(result.loss))
            {
                throw training_diverged(divergence_message(
                    std::isnan(result.loss) ? "the loss is NaN" : "the loss is infinite", epoch,
                    s + 1, steps, stepper.optimizer().learning_rate()));
            }
            h.step_loss.push_back(result.loss);
            const std::size_t seen = s * batch + part.rows;
            loss_sum += result.loss * static_cast<double>(part.rows);
            correct += result.correct;
            progress.step(s + 1, loss_sum / static_cast<double>(seen),
                          static_cast<double>(correct) / static_cast<double>(seen));
        }
        const auto train_end = clock::now();
        if (!parameters_finite(net))
        {
            throw training_diverged(divergence_message("a parameter is NaN or infinite", epoch,
                                                       steps, steps,
                                                       stepper.optimizer().learning_rate()));
        }

        epoch_record record;
        record.epoch = epoch;
        record.epochs = options.epochs;
        record.steps = steps;
        record.loss = loss_sum / static_cast<double>(train.rows);
        record.accuracy = static_cast<double>(correct) / static_cast<double>(train.rows);
        record.learning_rate = stepper.optimizer().learning_rate();
        if (validate)
        {
            const evaluation v =
                evaluate_rows(net, val, options.loss, options.eval_batch, eval_ws, eval_predicted);
            record.val_loss = v.loss;
            record.val_accuracy = v.accuracy;
        }
        const auto epoch_end = clock::now();
        record.train_seconds = std::chrono::duration<double>(train_end - epoch_start).count();
        record.seconds = std::chrono::duration<double>(epoch_end - epoch_start).count();
        h.epochs.push_back(record);
        progress.end_epoch(record);

        bool stop = stopping.update(record, net, h);
        if (stop)
        {
            progress.note("Early stopping: " +
                          std::string(to_string(options.early_stopping.monitor)) +
                          " has not improved for " + std::to_string(stopping.wait()) +
                          " epochs; best was epoch " + std::to_string(h.best_epoch));
        }
        if (plateau)
        {
            const double reduced = plateau->update(record, learning_rate);
            if (reduced != learning_rate)
            {
                char line[96];
                std::snprintf(line, sizeof line, "ReduceLROnPlateau: learning rate %g -> %g",
                              learning_rate, reduced);
                progress.note(line);
                learning_rate = reduced;
            }
        }
        for (const auto& callback : options.callbacks)
        {
            stop = !callback(record, state) || stop;
        }
        if (stop)
        {
            h.stopped_early = epoch < options.epochs;
            break;
        }
    }
    if (stopping.restore(net, h))
    {
        h.restored_best = true;
        progress.note("Restored the weights of epoch " + std::to_string(h.best_epoch));
    }
    return h;
}
}  // namespace detail
}  // namespace xtnn
