// SPDX-License-Identifier: MIT
// Checkpoints that resume: a model file (model.hpp) that also holds where the training run
// stood — the optimizer's state for every parameter, the epochs done and their history, the
// row order and the random engine, early stopping's and ReduceLROnPlateau's bookkeeping — so
// that fit can go on from it bit for bit as if the run had never stopped. And the callbacks
// that write them: every epoch, or only the best model by a monitored value (Keras's
// ModelCheckpoint and its save_best_only).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/io/model.hpp>
#include <xtnn/train/fit.hpp>

namespace xtnn::io
{
/// A checkpoint as loaded: the model (a checkpoint is a model file too) and the run's
/// progress, to pass to fit as fit_options::resume.
template <class T = float>
struct checkpoint
{
    xtnn::io::model<T> model;
    fit_progress<T> progress;
};

namespace detail
{
/// A double in JSON, which has no infinities or NaN: those are written "inf", "-inf", null.
inline json real_to_json(double v)
{
    if (std::isnan(v))
    {
        return nullptr;
    }
    if (std::isinf(v))
    {
        return v > 0 ? "inf" : "-inf";
    }
    return v;
}

inline double real_from_json(const json& v, const std::string& where)
{
    if (v.is_null())
    {
        return std::numeric_limits<double>::quiet_NaN();
    }
    if (v.is_string())
    {
        const auto text = v.get<std::string>();
        if (text == "inf" || text == "-inf")
        {
            return text == "inf" ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
        }
        throw format_error(where + ": \"" + text + "\" is not a number");
    }
    return v.get<double>();
}

/// The epoch records' fields, by name, in model.json.
inline json history_to_json(const history& h)
{
    json epochs = json::array();
    for (const auto& r : h.epochs)
    {
        const auto number = [](double v) { return real_to_json(v); };  // no validation: NaN
        epochs.push_back({{"epoch", r.epoch},
                          {"epochs", r.epochs},
                          {"steps", r.steps},
                          {"loss", r.loss},
                          {"accuracy", r.accuracy},
                          {"val_loss", number(r.val_loss)},
                          {"val_accuracy", number(r.val_accuracy)},
                          {"learning_rate", r.learning_rate},
                          {"seconds", r.seconds},
                          {"train_seconds", r.train_seconds}});
    }
    return {{"epochs", epochs},
            {"stopped_early", h.stopped_early},
            {"best_epoch", h.best_epoch},
            {"restored_best", h.restored_best}};
}

inline history history_from_json(const json& j, const std::string& where)
{
    history h;
    const auto number = [&](const json& record, const char* key)
    { return real_from_json(field(record, key, where), where); };
    for (const auto& r : field(j, "epochs", where))
    {
        epoch_record record;
        record.epoch = get<std::size_t>(r, "epoch", where);
        record.epochs = get<std::size_t>(r, "epochs", where);
        record.steps = get<std::size_t>(r, "steps", where);
        record.loss = number(r, "loss");
        record.accuracy = number(r, "accuracy");
        record.val_loss = number(r, "val_loss");
        record.val_accuracy = number(r, "val_accuracy");
        record.learning_rate = number(r, "learning_rate");
        record.seconds = number(r, "seconds");
        record.train_seconds = number(r, "train_seconds");
        h.epochs.push_back(record);
    }
    h.stopped_early = get<bool>(j, "stopped_early", where);
    h.best_epoch = get<std::size_t>(j, "best_epoch", where);
    h.restored_best = get<bool>(j, "restored_best", where);
    return h;
}

inline const ndarray& checkpoint_array(const model_archive& archive, const std::string& name)
{
    const auto found = archive.arrays.find(name);
    if (found == archive.arrays.end())
    {
        throw format_error(archive.where + ": no array \"" + name + "\"; a checkpoint needs it");
    }
    return *found->second;
}
}  // namespace detail

/// The bytes of a checkpoint of `net` and `progress` (see save_checkpoint).
template <class T>
std::vector<std::uint8_t> format_checkpoint(const network<T>& net, const fit_progress<T>& progress,
                                            const model_info& info = {})
{
    constexpr const char* where = "xtnn::io::save_checkpoint";
    using detail::json;
    detail::model_document document = detail::describe_model(net, info, where);
    auto& arrays = document.arrays;
    const auto add = [&](const std::string& name, const auto& values)
    { arrays.emplace_back(name, detail::to_stored(values.data(), array_shape{values.size()})); };
    std::vector<std::uint64_t> order(progress.order.begin(), progress.order.end());
    add("checkpoint/order", order);
    add("checkpoint/step_loss", progress.history.step_loss);
    json optimizer = json::array();
    for (std::size_t i = 0; i < progress.optimizer_names.size(); ++i)
    {
        json entry = {{"parameter", progress.optimizer_names[i]}, {"arrays", json::array()}};
        for (std::size_t k = 0; k < 2; ++k)
        {
            const auto& state = progress.optimizer_state.at(i)[k];
            if (!state.empty())
            {
                const std::string name = "checkpoint/optimizer/" + progress.optimizer_names[i] +
                                         "/" + std::to_string(k);
                add(name, state);
                entry["arrays"].push_back(name);
            }
        }
        optimizer.push_back(std::move(entry));
    }
    json best = nullptr;
    if (!progress.best_network.empty())
    {
        // Early stopping's best weights: only their arrays, the layers are the model's.
        best = json::array();
        const auto& b = progress.best_network;
        for (std::size_t l = 0; l < b.size(); ++l)
        {
            for (std::size_t p = 0; p < b.layer(l).parameter_count() + b.layer(l).state_count(); ++p)
            {
                const bool is_state = p >= b.layer(l).parameter_count();
                const auto ref = is_state ? b.layer(l).state(p - b.layer(l).parameter_count())
                                          : static_cast<array_ref<const T>>(b.layer(l).parameter(p));
                const std::string name =
                    "checkpoint/best/" + b.name(l) + "/" + std::string(ref.name);
                arrays.emplace_back(name, detail::to_stored(ref.data, ref.shape));
                best.push_back(name);
            }
        }
    }
    document.doc["checkpoint"] = {
        {"epochs_done", progress.history.size()},
        {"history", detail::history_to_json(progress.history)},
        {"order", "checkpoint/order"},
        {"step_loss", "checkpoint/step_loss"},
        {"engine", progress.engine},
        {"learning_rate", progress.learning_rate},
        {"optimizer", {{"iterations", progress.optimizer_iterations}, {"state", optimizer}}},
        {"early_stopping",
         {{"best", detail::real_to_json(progress.stopping_best)},
          {"wait", progress.stopping_wait},
          {"best_arrays", best}}},
        {"reduce_on_plateau",
         {{"best", detail::real_to_json(progress.plateau.best)},
          {"wait", progress.plateau.wait},
          {"cooldown", progress.plateau.cooldown}}}};
    return detail::pack(std::move(document), where);
}

/// Saves a checkpoint: the model file of `net` (which load_model and mnist_inference read like
/// any other) with `progress` beside it, atomically and durably, so a run killed at any moment
/// leaves the previous checkpoint whole.
/// @throws as save_model.
template <class T>
void save_checkpoint(const network<T>& net, const fit_progress<T>& progress,
                     const std::string& path, const model_info& info = {})
{
    xtnn::detail::write_file_atomically(path, format_checkpoint(net, progress, info),
                                        "xtnn::io::save_checkpoint");
}

/// Reads a checkpoint held in memory: its model (checked as parse_model checks one) and the
/// run's progress; `name` names it in messages.
/// @throws as parse_model; format_error when it is a model file without a checkpoint, or
/// its checkpoint entries are malformed.
template <class T = float>
checkpoint<T> parse_checkpoint(const std::uint8_t* data, std::size_t size,
                               const std::string& name = "<memory>",
                               const model_load_options& options = {})
{
    using detail::json;
    return detail::json_errors_as_format_errors(name, [&] {
    detail::model_archive archive;
    detail::read_model_archive(archive, data, size, name, options);
    const std::string& where = archive.where;
    if (!archive.doc.contains("checkpoint"))
    {
        throw format_error(where + ": a model file without a checkpoint: nothing to resume");
    }
    checkpoint<T> result;
    result.model = detail::build_model<T>(archive, options);
    const json& c = archive.doc["checkpoint"];
    auto& p = result.progress;
    p.history = detail::history_from_json(detail::field(c, "history", where), where);
    for (double loss : detail::checkpoint_array(archive, "checkpoint/step_loss").template as<double>())
    {
        p.history.step_loss.push_back(loss);
    }
    for (auto row : detail::checkpoint_array(archive, "checkpoint/order").template as<std::uint64_t>())
    {
        p.order.push_back(static_cast<std::size_t>(row));
    }
    p.engine = detail::get<std::string>(c, "engine", where);
    p.learning_rate = detail::get<double>(c, "learning_rate", where);
    const json& optimizer = detail::field(c, "optimizer", where);
    p.optimizer_iterations = detail::get<std::size_t>(optimizer, "iterations", where);
    for (const auto& entry : detail::field(optimizer, "state", where))
    {
        p.optimizer_names.push_back(detail::get<std::string>(entry, "parameter", where));
        std::array<std::vector<T>, 2> state;
        const json& arrays = detail::field(entry, "arrays", where);
        if (!arrays.is_array() || arrays.size() > state.size())
        {
            throw format_error(where + ": optimizer state of \"" + p.optimizer_names.back() +
                               "\": \"arrays\" must list at most " + std::to_string(state.size()) +
                               " array names");
        }
        std::size_t k = 0;
        for (const auto& array_name : arrays)
        {
            const auto values =
                detail::checkpoint_array(archive, array_name.get<std::string>()).template as<T>();
            state[k++].assign(values.begin(), values.end());
        }
        p.optimizer_state.push_back(std::move(state));
    }
    const json& stopping = detail::field(c, "early_stopping", where);
    p.stopping_best = detail::real_from_json(detail::field(stopping, "best", where), where);
    p.stopping_wait = detail::get<std::size_t>(stopping, "wait", where);
    if (!detail::field(stopping, "best_arrays", where).is_null())
    {
        // The best weights go into a copy of the model's network, array by array.
        p.best_network = result.model.net;
        auto& b = p.best_network;
        for (std::size_t l = 0; l < b.size(); ++l)
        {
            auto& layer = b.mutable_layer(l);
            for (std::size_t q = 0; q < layer.parameter_count() + layer.state_count(); ++q)
            {
                const bool is_state = q >= layer.parameter_count();
                const array_ref<T> ref = is_state ? layer.state(q - layer.parameter_count())
                                                  : static_cast<array_ref<T>>(layer.parameter(q));
                const ndarray& stored = detail::stored_array(
                    archive.arrays, "checkpoint/best/" + b.name(l) + "/" + std::string(ref.name),
                    ref.shape.to_vector(), where);
                const auto values = stored.template as<T>();
                std::copy(values.begin(), values.end(), ref.data);
            }
        }
    }
    const json& plateau = detail::field(c, "reduce_on_plateau", where);
    p.plateau.best = detail::real_from_json(detail::field(plateau, "best", where), where);
    p.plateau.wait = detail::get<std::size_t>(plateau, "wait", where);
    p.plateau.cooldown = detail::get<std::size_t>(plateau, "cooldown", where);
    return result;
    });
}

/// Loads a checkpoint file (see parse_checkpoint).
/// @throws io_error when the file cannot be read; as parse_checkpoint.
template <class T = float>
checkpoint<T> load_checkpoint(const std::string& path, const model_load_options& options = {})
{
    const auto bytes = xtnn::detail::read_file(path, "xtnn::io::load_checkpoint");
    return parse_checkpoint<T>(bytes.data(), bytes.size(), path, options);
}

/// A callback that saves a checkpoint to `path` after every epoch (replacing the last one):
/// kill the run at any moment and resume it from the file, losing at most the epoch in
/// progress.
template <class T = float>
epoch_callback<T> save_checkpoints(std::string path, model_info info = {})
{
    return [path = std::move(path), info = std::move(info)](const epoch_record&,
                                                            fit_state<T>& state)
    {
        save_checkpoint(state.net, state.progress(), path, info);
        return true;
    };
}

/// Keras's ModelCheckpoint(save_best_only=True): a callback that saves the model file to
/// `path` after each epoch whose `monitored` value improves on the best so far (losses must
/// fall, accuracies rise, by more than min_delta).
template <class T = float>
epoch_callback<T> save_best_model(std::string path, monitor monitored, model_info info = {},
                                  double min_delta = 0)
{
    const double start = higher_is_better(monitored) ? -std::numeric_limits<double>::infinity()
                                                     : std::numeric_limits<double>::infinity();
    return [path = std::move(path), info = std::move(info), monitored, min_delta,
            best = start](const epoch_record& record, fit_state<T>& state) mutable
    {
        const double value = record.value(monitored);
        if (higher_is_better(monitored) ? value > best + min_delta : value < best - min_delta)
        {
            best = value;
            save_model(state.net, path, info);
        }
        return true;
    };
}
}  // namespace xtnn::io
