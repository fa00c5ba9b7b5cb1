// SPDX-License-Identifier: MIT
// Training and scoring over in-memory data, Keras-style: fit() runs epochs of shuffled
// mini-batches with validation, progress lines, callbacks, early stopping and divergence
// checks, and returns a history. evaluate() and predict_labels() (evaluate.hpp) score the
// result.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/evaluate.hpp>
#include <xtnn/history.hpp>
#include <xtnn/loss.hpp>
#include <xtnn/metrics.hpp>
#include <xtnn/network.hpp>
#include <xtnn/optimizer.hpp>
#include <xtnn/progress.hpp>
#include <xtnn/training_step.hpp>

namespace xtnn
{
/// The value early stopping watches.
enum class monitor
{
    loss,
    accuracy,
    val_loss,
    val_accuracy
};

/// "loss", "accuracy", "val_loss", "val_accuracy".
inline const char* to_string(monitor m)
{
    switch (m)
    {
    case monitor::loss:
        return "loss";
    case monitor::accuracy:
        return "accuracy";
    case monitor::val_loss:
        return "val_loss";
    case monitor::val_accuracy:
        return "val_accuracy";
    }
    return "unknown";
}

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

/// Called after each epoch with its record and the network (e.g. to save a checkpoint).
/// Return false to stop training; fit_options::on_epoch_end also takes void callables.
template <class T = float>
using epoch_callback = std::function<bool(const epoch_record&, network<T>&)>;

/// fit()'s settings; the defaults train one epoch with Adam (lr 0.001) at batch 32.
template <class T = float>
struct fit_options
{
    std::size_t epochs = 1;
    std::size_t batch_size = 32;  ///< 1 = per-sample SGD, as the book's chapter 4
    optimizer_options optimizer{optimizer_kind::adam, 0.001};
    loss_kind loss = loss_kind::softmax_cross_entropy;
    std::uint64_t seed = 0;       ///< seeds the shuffles and dropout masks (std::mt19937_64)
    bool shuffle = true;          ///< a new permutation of the training rows every epoch
    double validation_split = 0;  ///< last fraction of x, y held out (ignored with val data)
    double dropout = 0;           ///< drop rate after every hidden layer (training only)
    verbosity verbose = verbosity::bar;
    std::ostream* out = nullptr;    ///< progress stream; nullptr = std::cerr
    std::size_t eval_batch = 1000;  ///< rows per forward pass when validating
    early_stopping_options early_stopping{};
    std::vector<epoch_callback<T>> callbacks;

    /// Adds a callback returning bool (false = stop) or void (never stops).
    template <class F>
    fit_options& on_epoch_end(F f)
    {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, const epoch_record&, network<T>&>>)
        {
            callbacks.push_back(
                [f](const epoch_record& r, network<T>& n) mutable
                {
                    f(r, n);
                    return true;
                });
        }
        else
        {
            callbacks.push_back(std::move(f));
        }
        return *this;
    }
};

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

/// True when every parameter of `net` is finite.
template <class T>
bool parameters_finite(network<T>& net)
{
    for (std::size_t slot = 0; slot < parameter_slots(net); ++slot)
    {
        const T* data = parameter_data(net, slot);
        for (std::size_t i = 0, n = parameter_size(net, slot); i < n; ++i)
        {
            if (!std::isfinite(data[i]))
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
///   options.dropout = 0.2;
///   options.early_stopping = {true, xtnn::monitor::val_loss, 2};
///   const xtnn::history h = xtnn::fit(net, x, y, x_val, y_val, options);
/// The network must already be initialised (see init.hpp). With
/// options.validation_split = f the last N - int(N·(1 - f)) rows are held out for
/// validation, as Keras takes them (before any shuffling).
/// @throws shape_error when x or y does not fit the network; xtnn::error when training
/// diverges (naming the epoch and step), or for invalid options.
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
template <class T>
history fit_rows(network<T>& net, const labeled_rows<T>& train, const labeled_rows<T>& val,
                 const fit_options<T>& options)
{
    using clock = std::chrono::steady_clock;
    const auto& stopping = options.early_stopping;
    const bool validate = val.rows > 0;
    if (options.epochs == 0 || options.batch_size == 0 || train.rows == 0)
    {
        throw error("xtnn::fit: nothing to train: " + std::to_string(options.epochs) +
                    " epochs, batch size " + std::to_string(options.batch_size) + ", " +
                    std::to_string(train.rows) + " training rows; expected all three > 0");
    }
    if (stopping.enabled && !validate &&
        (stopping.monitor == monitor::val_loss || stopping.monitor == monitor::val_accuracy))
    {
        throw error(std::string("xtnn::fit: early stopping monitors ") +
                    to_string(stopping.monitor) +
                    " but there is no validation data; pass x_val, y_val or a validation_split");
    }

    // Everything the steps touch is allocated here, before the first step.
    const std::size_t batch = std::min(options.batch_size, train.rows);
    const std::size_t steps = (train.rows + batch - 1) / batch;
    training_step<T> stepper(net, options.loss, options.optimizer, options.dropout, options.seed);
    stepper.reserve(batch);
    std::vector<std::size_t> order(train.rows);
    for (std::size_t i = 0; i < order.size(); ++i)
    {
        order[i] = i;
    }
    std::vector<T> x_batch(options.shuffle ? batch * train.features : 0);
    std::vector<T> y_batch(options.shuffle && train.one_hot ? batch * train.classes : 0);
    std::vector<std::size_t> label_batch(options.shuffle ? batch : 0);
    workspace<T> eval_ws;
    std::vector<std::size_t> eval_predicted;
    network<T> best;
    double best_value = 0;
    std::size_t wait = 0;
    const bool maximize =
        stopping.monitor == monitor::accuracy || stopping.monitor == monitor::val_accuracy;

    history h;
    h.epochs.reserve(options.epochs);
    h.step_loss.reserve(options.epochs * steps);
    progress_printer progress(options.verbose, options.out);

    for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch)
    {
        const auto epoch_start = clock::now();
        progress.begin_epoch(epoch, options.epochs, steps);
        if (options.shuffle)
        {
            shuffle(order, stepper.engine());
        }
        double loss_sum = 0;
        std::size_t correct = 0;
        for (std::size_t s = 0; s < steps; ++s)
        {
            const std::size_t first = s * batch;
            const std::size_t rows = std::min(batch, train.rows - first);
            labeled_rows<T> part = train.slice(first, rows);
            if (options.shuffle)
            {
                // Gather the permuted rows into the preallocated (batch, in) buffers.
                for (std::size_t r = 0; r < rows; ++r)
                {
                    const std::size_t row = order[first + r];
                    const T* src = train.x + row * train.features;
                    std::copy(src, src + train.features, x_batch.data() + r * train.features);
                    label_batch[r] = train.labels[row];
                    if (train.one_hot)
                    {
                        const T* t = train.one_hot + row * train.classes;
                        std::copy(t, t + train.classes, y_batch.data() + r * train.classes);
                    }
                }
                part.x = x_batch.data();
                part.labels = label_batch.data();
                part.one_hot = train.one_hot ? y_batch.data() : nullptr;
            }
            const targets_ref<T> t{part.one_hot, part.one_hot ? nullptr : part.labels};
            const step_result result = stepper.step(part.x, rows, t, part.labels);
            if (!std::isfinite(result.loss))
            {
                throw error(divergence_message(
                    std::isnan(result.loss) ? "the loss is NaN" : "the loss is infinite", epoch,
                    s + 1, steps, options.optimizer.learning_rate));
            }
            h.step_loss.push_back(result.loss);
            loss_sum += result.loss * static_cast<double>(rows);
            correct += result.correct;
            progress.step(s + 1, loss_sum / static_cast<double>(first + rows),
                          static_cast<double>(correct) / static_cast<double>(first + rows));
        }
        const auto train_end = clock::now();
        if (!parameters_finite(net))
        {
            throw error(divergence_message("a parameter is NaN or infinite", epoch, steps, steps,
                                           options.optimizer.learning_rate));
        }

        epoch_record record;
        record.epoch = epoch;
        record.epochs = options.epochs;
        record.steps = steps;
        record.loss = loss_sum / static_cast<double>(train.rows);
        record.accuracy = static_cast<double>(correct) / static_cast<double>(train.rows);
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

        bool stop = false;
        if (stopping.enabled)
        {
            const double value = stopping.monitor == monitor::loss       ? record.loss
                                 : stopping.monitor == monitor::accuracy ? record.accuracy
                                 : stopping.monitor == monitor::val_loss ? record.val_loss
                                                                         : record.val_accuracy;
            // improved: value < best - min_delta (losses) or value > best + min_delta
            const bool improved =
                h.best_epoch == 0 || (maximize ? value > best_value + stopping.min_delta
                                               : value < best_value - stopping.min_delta);
            if (improved)
            {
                best_value = value;
                h.best_epoch = epoch;
                wait = 0;
                if (stopping.restore_best_weights)
                {
                    best = net;
                }
            }
            else if (++wait >= std::max<std::size_t>(stopping.patience, 1))
            {
                stop = true;
                progress.note("Early stopping: " + std::string(to_string(stopping.monitor)) +
                              " has not improved for " + std::to_string(wait) +
                              " epochs; best was epoch " + std::to_string(h.best_epoch));
            }
        }
        for (const auto& callback : options.callbacks)
        {
            stop = !callback(record, net) || stop;
        }
        if (stop)
        {
            h.stopped_early = epoch < options.epochs;
            break;
        }
    }
    if (stopping.enabled && stopping.restore_best_weights && h.best_epoch != 0 &&
        h.best_epoch != h.epochs.size())
    {
        net = best;
        h.restored_best = true;
        progress.note("Restored the weights of epoch " + std::to_string(h.best_epoch));
    }
    return h;
}
}  // namespace detail
}  // namespace xtnn
