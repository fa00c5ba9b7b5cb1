// SPDX-License-Identifier: MIT
// What a training run leaves behind: one record per epoch (train and validation loss and
// accuracy, time) and the loss of every step, as Keras's History object holds them.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace xtnn
{
/// A value of an epoch that early stopping, checkpoints and ReduceLROnPlateau can watch.
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

/// True for the accuracies, which must rise; losses must fall.
inline bool higher_is_better(monitor m)
{
    return m == monitor::accuracy || m == monitor::val_accuracy;
}

/// True for the values that need validation data.
inline bool needs_validation(monitor m)
{
    return m == monitor::val_loss || m == monitor::val_accuracy;
}

/// One epoch of training. Validation fields are NaN when the run had no validation data.
struct epoch_record
{
    std::size_t epoch = 0;   ///< 1-based
    std::size_t epochs = 0;  ///< epochs requested for the run
    std::size_t steps = 0;   ///< optimizer steps (batches) in this epoch
    double loss = 0;         ///< mean training loss over the epoch's samples (dropout on)
    double accuracy = 0;     ///< training accuracy over the epoch's samples (dropout on)
    double val_loss = std::numeric_limits<double>::quiet_NaN();
    double val_accuracy = std::numeric_limits<double>::quiet_NaN();
    double learning_rate = 0;  ///< the optimizer's rate at the epoch's last step
    double seconds = 0;        ///< wall time of the epoch, validation included
    double train_seconds = 0;  ///< wall time of the optimizer steps alone

    bool has_validation() const { return !std::isnan(val_loss); }

    /// The value `m` names.
    double value(monitor m) const
    {
        switch (m)
        {
        case monitor::loss:
            return loss;
        case monitor::accuracy:
            return accuracy;
        case monitor::val_loss:
            return val_loss;
        case monitor::val_accuracy:
            return val_accuracy;
        }
        return std::numeric_limits<double>::quiet_NaN();
    }
};

/// The record of a fit() run.
struct history
{
    std::vector<epoch_record> epochs;  ///< one per completed epoch
    std::vector<double> step_loss;     ///< the loss of every step, in order (all epochs)
    bool stopped_early = false;        ///< early stopping or a callback ended the run
    std::size_t best_epoch = 0;        ///< early stopping's best epoch (1-based); 0 if unused
    bool restored_best = false;        ///< the network holds best_epoch's weights

    std::size_t size() const { return epochs.size(); }
    bool empty() const { return epochs.empty(); }
    const epoch_record& back() const { return epochs.back(); }

    /// One field over the epochs, e.g. series(&epoch_record::val_loss), for plotting.
    std::vector<double> series(double epoch_record::*field) const
    {
        std::vector<double> values;
        values.reserve(epochs.size());
        for (const auto& record : epochs)
        {
            values.push_back(record.*field);
        }
        return values;
    }

    std::vector<double> loss() const { return series(&epoch_record::loss); }
    std::vector<double> accuracy() const { return series(&epoch_record::accuracy); }
    std::vector<double> val_loss() const { return series(&epoch_record::val_loss); }
    std::vector<double> val_accuracy() const { return series(&epoch_record::val_accuracy); }
    std::vector<double> learning_rates() const { return series(&epoch_record::learning_rate); }

    /// True when any epoch carries validation figures.
    bool has_validation() const
    {
        for (const auto& record : epochs)
        {
            if (record.has_validation())
            {
                return true;
            }
        }
        return false;
    }
};
}  // namespace xtnn
