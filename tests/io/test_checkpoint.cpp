// SPDX-License-Identifier: MIT
// Checkpoints: 4 epochs straight and 2 epochs, a checkpoint, and 2 more resumed from it end
// with the same weights, running statistics and history, bit for bit — with dropout and
// BatchNorm drawing from the engine, Adam's moments, a schedule, ReduceLROnPlateau and early
// stopping's best weights all in play. The best-only callback saves improvements only.
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/checkpoint.hpp>
#include <xtnn/xtnn.hpp>

#include "temp_files.hpp"

namespace
{
using Catch::Matchers::Contains;

/// Three noisy blobs in 2-D: (n, 2), labels (n,).
std::pair<xtnn::matrix<float>, xtnn::vector<float>> blobs(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 engine(seed);
    std::normal_distribution<double> noise(0.0, 0.6);
    auto x = xtnn::matrix<float>::from_shape({n, 2});
    auto y = xtnn::vector<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i)
    {
        const int label = static_cast<int>(i % 3);
        const double cx[] = {-1, 1, 0}, cy[] = {-1, -1, 1};
        x(i, 0) = static_cast<float>(cx[label] + noise(engine));
        x(i, 1) = static_cast<float>(cy[label] + noise(engine));
        y(i) = static_cast<float>(label);
    }
    return {x, y};
}

xtnn::network<float> fresh()
{
    xtnn::network<float> net{xtnn::dense(2, 16), xtnn::batch_norm(), xtnn::relu(),
                             xtnn::dropout(0.3), xtnn::dense(8),     xtnn::tanh(),
                             xtnn::dense(3),     xtnn::softmax()};
    std::mt19937_64 engine(3);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    return net;
}

xtnn::fit_options<float> options()
{
    xtnn::fit_options<float> o;
    o.epochs = 4;
    o.batch_size = 16;
    o.seed = 11;
    o.verbose = xtnn::verbosity::silent;
    o.optimizer = {xtnn::optimizer_kind::adam, 0.01};
    o.schedule = xtnn::exponential_decay{0.9, 10, false};
    o.reduce_on_plateau.enabled = true;
    o.reduce_on_plateau.monitor = xtnn::monitor::val_loss;
    o.reduce_on_plateau.patience = 1;
    o.reduce_on_plateau.min_delta = 0.05;
    o.early_stopping = {true, xtnn::monitor::val_accuracy, 10, 0.0, true};
    return o;
}

std::vector<float> everything_in(const xtnn::network<float>& net)
{
    std::vector<float> values;
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        const auto& layer = net.layer(l);
        for (std::size_t p = 0; p < layer.parameter_count(); ++p)
        {
            values.insert(values.end(), layer.parameter(p).data,
                          layer.parameter(p).data + layer.parameter(p).size());
        }
        for (std::size_t s = 0; s < layer.state_count(); ++s)
        {
            values.insert(values.end(), layer.state(s).data,
                          layer.state(s).data + layer.state(s).size());
        }
    }
    return values;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
}  // namespace

TEST_CASE("checkpoint: 2 epochs + resume + 2 is 4 epochs straight, bit for bit")
{
    const auto [x, y] = blobs(150, 1);
    const auto [x_val, y_val] = blobs(60, 2);

    auto straight = fresh();
    const auto h_straight = xtnn::fit(straight, x, y, x_val, y_val, options());
    REQUIRE(h_straight.size() == 4);

    const std::string path = xtnn_test::temp_path("run.ckpt.npz");
    auto first = fresh();
    auto o = options();
    o.on_epoch_end(xtnn::io::save_checkpoints<float>(path));
    o.on_epoch_end([](const xtnn::epoch_record& r, xtnn::network<float>&) { return r.epoch < 2; });
    xtnn::fit(first, x, y, x_val, y_val, o);

    const auto saved = xtnn::io::load_checkpoint<float>(path);
    REQUIRE(saved.progress.history.size() == 2);
    auto resumed = saved.model.net;
    auto rest = options();
    rest.resume = &saved.progress;
    const auto h_resumed = xtnn::fit(resumed, x, y, x_val, y_val, rest);

    REQUIRE(h_resumed.size() == 4);
    REQUIRE(h_resumed.step_loss == h_straight.step_loss);
    for (std::size_t e = 0; e < 4; ++e)
    {
        INFO("epoch " << e + 1);
        REQUIRE(h_resumed.epochs[e].loss == h_straight.epochs[e].loss);
        REQUIRE(h_resumed.epochs[e].val_loss == h_straight.epochs[e].val_loss);
        REQUIRE(h_resumed.epochs[e].val_accuracy == h_straight.epochs[e].val_accuracy);
        REQUIRE(h_resumed.epochs[e].learning_rate == h_straight.epochs[e].learning_rate);
    }
    REQUIRE(h_resumed.best_epoch == h_straight.best_epoch);
    REQUIRE(h_resumed.restored_best == h_straight.restored_best);
    REQUIRE(same_bits(everything_in(resumed), everything_in(straight)));
    // The plateau rule did lower the rate on the way: its state came across too.
    REQUIRE(h_straight.epochs[3].learning_rate < 0.01 * 0.9);

    // A checkpoint is a model file like any other.
    REQUIRE(xtnn::io::load_model<float>(path).net.describe() == straight.describe());
}

TEST_CASE("checkpoint: a model file without one, and a resume that does not fit, are refused")
{
    const auto [x, y] = blobs(30, 1);
    const std::string path = xtnn_test::temp_path("plain.npz");
    xtnn::io::save_model(fresh(), path);
    REQUIRE_THROWS_WITH(xtnn::io::load_checkpoint<float>(path),
                        Contains("a model file without a checkpoint"));

    const std::string ckpt = xtnn_test::temp_path("small.ckpt.npz");
    auto net = fresh();
    auto o = options();
    o.early_stopping.enabled = false;
    o.reduce_on_plateau.enabled = false;
    o.epochs = 1;
    o.on_epoch_end(xtnn::io::save_checkpoints<float>(ckpt));
    xtnn::fit(net, x, y, o);
    const auto saved = xtnn::io::load_checkpoint<float>(ckpt);
    // Other data: the row order no longer fits.
    const auto [x2, y2] = blobs(45, 2);
    auto again = saved.model.net;
    auto resume = options();
    resume.early_stopping.enabled = false;
    resume.reduce_on_plateau.enabled = false;
    resume.resume = &saved.progress;
    REQUIRE_THROWS_WITH(xtnn::fit(again, x2, y2, resume),
                        Contains("not a permutation of the 45 training rows"));
    // Another update rule: its state no longer fits.
    resume.optimizer.kind = xtnn::optimizer_kind::sgd;
    REQUIRE_THROWS_AS(xtnn::fit(again, x, y, resume), xtnn::shape_error);
}

TEST_CASE("checkpoint: save_best_model writes only when the monitored value improves")
{
    const auto [x, y] = blobs(90, 3);
    const std::string path = xtnn_test::temp_path("best.npz");
    auto net = fresh();
    auto o = options();
    o.early_stopping.enabled = false;
    o.reduce_on_plateau.enabled = false;
    o.epochs = 6;
    o.validation_split = 0.3;
    std::vector<std::vector<float>> saved_weights;
    o.on_epoch_end(xtnn::io::save_best_model<float>(path, xtnn::monitor::val_loss));
    std::vector<double> val_losses;
    o.on_epoch_end(
        [&](const xtnn::epoch_record& r, xtnn::network<float>& n)
        {
            val_losses.push_back(r.val_loss);
            saved_weights.push_back(everything_in(n));
        });
    xtnn::fit(net, x, y, o);
    // The file holds the epoch with the lowest val_loss.
    std::size_t best = 0;
    for (std::size_t e = 1; e < val_losses.size(); ++e)
    {
        best = val_losses[e] < val_losses[best] ? e : best;
    }
    REQUIRE(same_bits(everything_in(xtnn::io::load_model<float>(path).net), saved_weights[best]));
}

TEST_CASE("checkpoint: parse_checkpoint reads memory; malformed optimizer state is a format_error")
{
    const auto [x, y] = blobs(30, 1);
    const std::string ckpt = xtnn_test::temp_path("memory.ckpt.npz");
    auto net = fresh();
    auto o = options();
    o.early_stopping.enabled = false;
    o.reduce_on_plateau.enabled = false;
    o.epochs = 1;
    o.on_epoch_end(xtnn::io::save_checkpoints<float>(ckpt));
    xtnn::fit(net, x, y, o);
    const auto file = xtnn::detail::read_file(ckpt, "test");
    const auto from_memory = xtnn::io::parse_checkpoint<float>(file.data(), file.size());
    REQUIRE(from_memory.progress.history.size() == 1);
    REQUIRE(from_memory.progress.order.size() == 30);

    // An optimizer state listing three arrays (Adam keeps two per parameter): refused with
    // the reader's error, not std::out_of_range.
    auto members = xtnn::io::parse_zip(file.data(), file.size(), "ckpt");
    for (auto& member : members)
    {
        if (member.name == "model.json")
        {
            auto doc = nlohmann::ordered_json::parse(member.data.begin(), member.data.end());
            auto& arrays = doc["checkpoint"]["optimizer"]["state"][0]["arrays"];
            REQUIRE(arrays.size() == 2);
            arrays.push_back(arrays[0]);
            const std::string text = doc.dump();
            member.data.assign(text.begin(), text.end());
        }
    }
    const auto changed = xtnn::io::detail::format_zip(members, false, "test");
    REQUIRE_THROWS_AS(xtnn::io::parse_checkpoint<float>(changed.data(), changed.size(), "c.npz"),
                      xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::parse_checkpoint<float>(changed.data(), changed.size(), "c.npz"),
                        Contains("\"c.npz\"") && Contains("must list at most 2 array names"));
}
