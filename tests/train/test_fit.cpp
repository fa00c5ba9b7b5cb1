// SPDX-License-Identifier: MIT
// fit(), evaluate(), predict_labels() and training_step on small synthetic problems: XOR and
// separable blobs learned to 100% (BatchNorm and dropout networks too), bit-for-bit
// determinism, divergence detection, early stopping, validation splits, callbacks, learning-
// rate schedules, progress lines, and no allocation per step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "counting_allocator.hpp"
#include "temp_files.hpp"

namespace
{
using Catch::Matchers::Contains;

template <class T>
struct xor_data
{
    xtnn::matrix<T> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    xtnn::vector<T> y{0, 1, 1, 0};
};

/// Two Gaussian blobs per class in 2-D, linearly separable with a wide margin: (n, 2), (n,).
/// The noise is xtnn's normal sampler, not std::normal_distribution, whose numbers differ
/// between standard libraries (libc++ drew other blobs, and a margin tuned on one failed).
template <class T>
std::pair<xtnn::matrix<T>, xtnn::vector<T>> blobs(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 engine(seed);
    xtnn::normal_sampler<std::mt19937_64> standard_normal(engine);
    const auto noise = [&](std::mt19937_64&) { return 0.3 * standard_normal(); };
    auto x = xtnn::matrix<T>::from_shape({n, 2});
    auto y = xtnn::vector<T>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i)
    {
        const int label = static_cast<int>(i % 3);
        const double cx[] = {-2, 2, 0}, cy[] = {-1, -1, 2};
        x(i, 0) = static_cast<T>(cx[label] + noise(engine));
        x(i, 1) = static_cast<T>(cy[label] + noise(engine));
        y(i) = static_cast<T>(label);
    }
    return {x, y};
}

template <class T>
xtnn::network<T> make_net(std::vector<std::size_t> widths, const xtnn::any_layer<T>& hidden,
                          std::uint64_t seed, xtnn::init_kind init = xtnn::init_kind::xavier)
{
    xtnn::network<T> net(widths, hidden, xtnn::softmax<T>());
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine, init);
    return net;
}

/// 2-32-16-3 ReLU with dropout after each hidden layer.
xtnn::network<float> dropout_net(double rate, std::uint64_t seed)
{
    xtnn::network<float> net{xtnn::dense(2, 32), xtnn::relu(), xtnn::dropout(rate),
                             xtnn::dense(16),    xtnn::relu(), xtnn::dropout(rate),
                             xtnn::dense(3),     xtnn::softmax()};
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    return net;
}

/// Every parameter of `net`, in order.
template <class T>
std::vector<T> all_parameters(const xtnn::network<T>& net)
{
    std::vector<T> values;
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        for (std::size_t p = 0; p < net.layer(l).parameter_count(); ++p)
        {
            const auto ref = net.layer(l).parameter(p);
            values.insert(values.end(), ref.data, ref.data + ref.size());
        }
    }
    return values;
}

template <class T = float>
xtnn::fit_options<T> quiet(std::size_t epochs, std::size_t batch, xtnn::optimizer_kind kind,
                           double lr)
{
    xtnn::fit_options<T> options;
    options.epochs = epochs;
    options.batch_size = batch;
    options.optimizer.kind = kind;
    options.optimizer.learning_rate = lr;
    options.verbose = xtnn::verbosity::silent;
    return options;
}
}  // namespace

TEMPLATE_TEST_CASE("fit: fit learns XOR to 100% with a small tanh network", "", float, double)
{
    const xor_data<TestType> data;
    auto net = make_net<TestType>({2, 8, 2}, xtnn::tanh(), 1);
    auto options = quiet<TestType>(300, 4, xtnn::optimizer_kind::adam, 0.05);
    const auto h = xtnn::fit(net, data.x, data.y, options);
    REQUIRE(h.size() == 300);
    REQUIRE(h.step_loss.size() == 300);
    REQUIRE(h.back().accuracy == 1.0);
    const auto score = xtnn::evaluate(net, data.x, data.y);
    REQUIRE(score.accuracy == 1.0);
    REQUIRE(score.loss < 0.05);
    REQUIRE(xtnn::predict_labels(net, data.x) == std::vector<std::size_t>{0, 1, 1, 0});
}

TEST_CASE("fit: fit learns XOR with a sigmoid network, per-sample SGD and mean squared error")
{
    const xor_data<float> data;
    xtnn::network<float> net({2, 6, 2}, xtnn::sigmoid(),
                             xtnn::sigmoid());
    std::mt19937_64 engine(7);
    xtnn::initialize(net, engine, xtnn::init_kind::normal, 1.0f);
    auto options = quiet(2000, 1, xtnn::optimizer_kind::momentum, 0.5);
    options.loss = xtnn::loss_kind::mean_squared_error;
    const auto h = xtnn::fit(net, data.x, data.y, options);
    REQUIRE(h.back().steps == 4);
    REQUIRE(xtnn::evaluate(net, data.x, data.y, xtnn::loss_kind::mean_squared_error).accuracy ==
            1.0);
}

TEST_CASE("fit: fit separates three Gaussian blobs to 100%, with one-hot or index labels")
{
    const auto [x, y] = blobs<float>(300, 3);
    const auto [x_val, y_val] = blobs<float>(90, 4);
    auto net = make_net<float>({2, 16, 3}, xtnn::relu(), 5, xtnn::init_kind::he);
    const auto h =
        xtnn::fit(net, x, y, x_val, y_val, quiet(20, 16, xtnn::optimizer_kind::momentum, 0.05));
    REQUIRE(h.has_validation());
    REQUIRE(h.back().val_accuracy == 1.0);
    REQUIRE(xtnn::evaluate(net, x, y).accuracy == 1.0);

    // One-hot rows are the same targets: the same run, bit for bit.
    xtnn::matrix<float> one_hot = xt::zeros<float>({x.shape()[0], std::size_t{3}});
    for (std::size_t i = 0; i < y.size(); ++i)
    {
        one_hot(i, static_cast<std::size_t>(y(i))) = 1;
    }
    auto net2 = make_net<float>({2, 16, 3}, xtnn::relu(), 5, xtnn::init_kind::he);
    const auto h2 = xtnn::fit(net2, x, one_hot, x_val, y_val,
                              quiet(20, 16, xtnn::optimizer_kind::momentum, 0.05));
    REQUIRE(h2.step_loss == h.step_loss);
    REQUIRE(all_parameters(net2) == all_parameters(net));
}

TEST_CASE("fit: the same seed gives the same history and weights bit for bit")
{
    // Named references, not a structured binding: the lambda below uses them, and clang
    // before 16 cannot capture a binding.
    const auto data = blobs<float>(200, 11);
    const auto& x = data.first;
    const auto& y = data.second;
    const auto run = [&](std::uint64_t seed)
    {
        auto net = dropout_net(0.3, 9);
        auto options = quiet(4, 10, xtnn::optimizer_kind::adam, 0.01);
        options.seed = seed;
        options.validation_split = 0.2;
        auto h = xtnn::fit(net, x, y, options);
        return std::make_pair(h, net);
    };
    const auto [h1, n1] = run(42);
    const auto [h2, n2] = run(42);
    REQUIRE(h1.step_loss == h2.step_loss);
    REQUIRE(h1.size() == h2.size());
    for (std::size_t e = 0; e < h1.size(); ++e)
    {
        REQUIRE(h1.epochs[e].loss == h2.epochs[e].loss);
        REQUIRE(h1.epochs[e].accuracy == h2.epochs[e].accuracy);
        REQUIRE(h1.epochs[e].val_loss == h2.epochs[e].val_loss);
        REQUIRE(h1.epochs[e].val_accuracy == h2.epochs[e].val_accuracy);
    }
    REQUIRE(all_parameters(n1) == all_parameters(n2));
    // Another seed shuffles and drops differently.
    REQUIRE(run(43).first.step_loss != h1.step_loss);
}

TEST_CASE("fit: the shuffle is a fixed Fisher-Yates over mt19937_64, the same everywhere")
{
    std::vector<std::size_t> order(10);
    for (std::size_t i = 0; i < order.size(); ++i)
    {
        order[i] = i;
    }
    std::mt19937_64 engine(42);
    xtnn::detail::shuffle(order, engine);
    // Pinned: mt19937_64 is fully specified by the standard, and so is this shuffle.
    REQUIRE(order == std::vector<std::size_t>{1, 7, 9, 0, 3, 8, 4, 2, 5, 6});
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("fit: a diverging run stops with an error naming the epoch and step")
{
    const auto [x, y] = blobs<float>(200, 2);
    auto net = make_net<float>({2, 16, 3}, xtnn::relu(), 3, xtnn::init_kind::he);
    auto options = quiet(5, 10, xtnn::optimizer_kind::sgd, 1e30);
    REQUIRE_THROWS_WITH(xtnn::fit(net, x, y, options),
                        Contains("diverged") && Contains("at epoch 1, step") && Contains("of 20") &&
                            Contains("try a lower one"));

    // Mean squared error on a linear output overflows to Inf rather than NaN.
    xtnn::network<float> linear({2, 3}, xtnn::identity(),
                                xtnn::identity());
    std::mt19937_64 engine(1);
    xtnn::initialize(linear, engine, xtnn::init_kind::xavier);
    auto mse = quiet(5, 10, xtnn::optimizer_kind::sgd, 1e6);
    mse.loss = xtnn::loss_kind::mean_squared_error;
    REQUIRE_THROWS_AS(xtnn::fit(linear, x, y, mse), xtnn::training_diverged);
    REQUIRE_THROWS_WITH(xtnn::fit(linear, x, y, mse), Contains("learning rate"));
}

TEST_CASE("fit: early stopping ends the run and restores the best weights")
{
    // Validation labels are the training labels rotated: the better the network fits the
    // training data, the worse validation gets, so the best val_loss comes early.
    const auto [x, y] = blobs<float>(150, 8);
    xtnn::vector<float> y_bad = y;
    for (auto& label : y_bad)
    {
        label = static_cast<float>((static_cast<int>(label) + 1) % 3);
    }
    auto net = make_net<float>({2, 16, 3}, xtnn::relu(), 4, xtnn::init_kind::he);
    auto options = quiet(50, 10, xtnn::optimizer_kind::adam, 0.01);
    options.early_stopping.enabled = true;
    options.early_stopping.monitor = xtnn::monitor::val_loss;
    options.early_stopping.patience = 3;
    std::ostringstream log;
    options.verbose = xtnn::verbosity::epochs;
    options.out = &log;
    const auto h = xtnn::fit(net, x, y, x, y_bad, options);
    REQUIRE(h.stopped_early);
    REQUIRE(h.size() == h.best_epoch + 3);
    REQUIRE(h.restored_best);
    for (const auto& record : h.epochs)
    {
        REQUIRE(record.val_loss >= h.epochs[h.best_epoch - 1].val_loss);
    }
    // The network now scores exactly what the best epoch recorded.
    const auto score = xtnn::evaluate(net, x, y_bad);
    REQUIRE(score.loss == h.epochs[h.best_epoch - 1].val_loss);
    REQUIRE(score.loss < h.back().val_loss);
    REQUIRE_THAT(log.str(),
                 Contains("Early stopping: val_loss") &&
                     Contains("Restored the weights of epoch " + std::to_string(h.best_epoch)));
}

TEST_CASE("fit: early stopping on a validation value needs validation data")
{
    const xor_data<float> data;
    auto net = make_net<float>({2, 4, 2}, xtnn::tanh(), 1);
    auto options = quiet(5, 4, xtnn::optimizer_kind::adam, 0.01);
    options.early_stopping.enabled = true;
    REQUIRE_THROWS_WITH(xtnn::fit(net, data.x, data.y, options),
                        Contains("val_loss") && Contains("no validation data"));
}

TEST_CASE("fit: validation_split holds out the last rows, as Keras does")
{
    const auto [x, y] = blobs<float>(100, 5);
    auto net = make_net<float>({2, 8, 3}, xtnn::tanh(), 2);
    auto options = quiet(2, 10, xtnn::optimizer_kind::adam, 0.01);
    options.validation_split = 0.25;  // int(100 * 0.75) = 75 training rows
    const auto h = xtnn::fit(net, x, y, options);
    REQUIRE(h.back().steps == 8);  // ceil(75 / 10): the last batch has 5 rows
    // The recorded val figures are those of the last 25 rows.
    const xtnn::matrix<float> x_val = xt::view(x, xt::range(75, 100), xt::all());
    const xtnn::vector<float> y_val = xt::view(y, xt::range(75, 100));
    const auto score = xtnn::evaluate(net, x_val, y_val);
    REQUIRE(score.loss == h.back().val_loss);
    REQUIRE(score.accuracy == h.back().val_accuracy);

    options.validation_split = 1.0;
    REQUIRE_THROWS_WITH(xtnn::fit(net, x, y, options), Contains("validation_split"));
}

TEST_CASE("fit: callbacks see every epoch and may stop the run")
{
    const xor_data<float> data;
    auto net = make_net<float>({2, 4, 2}, xtnn::tanh(), 1);
    auto options = quiet(10, 2, xtnn::optimizer_kind::adam, 0.01);
    std::vector<std::size_t> seen;
    options.on_epoch_end([&](const xtnn::epoch_record& r, xtnn::network<float>&)
                         { seen.push_back(r.epoch); });
    options.on_epoch_end([](const xtnn::epoch_record& r, xtnn::network<float>&)
                         { return r.epoch < 3; });
    const auto h = xtnn::fit(net, data.x, data.y, options);
    REQUIRE(seen == std::vector<std::size_t>{1, 2, 3});
    REQUIRE(h.size() == 3);
    REQUIRE(h.stopped_early);
}

TEST_CASE("fit: a checkpoint saved by a callback loads back to identical predictions")
{
    const auto [x, y] = blobs<float>(120, 6);
    auto net = make_net<float>({2, 10, 3}, xtnn::relu(), 3, xtnn::init_kind::he);
    auto options = quiet(3, 12, xtnn::optimizer_kind::adam, 0.01);
    const xtnn_test::temp_dir scratch;
    const std::string path = scratch.file("checkpoint.npz");
    options.on_epoch_end([&](const xtnn::epoch_record&, xtnn::network<float>& n)
                         { xtnn::io::save_weights(n, path); });
    xtnn::fit(net, x, y, options);
    const auto loaded = xtnn::io::load_network<float>(path, xtnn::relu(),
                                                      xtnn::softmax());
    REQUIRE((loaded.predict(x) == net.predict(x)));
    REQUIRE(xtnn::predict_labels(loaded, x) == xtnn::predict_labels(net, x));
}

TEST_CASE("fit: fit rejects data that does not fit the network, naming the shapes")
{
    auto net = make_net<float>({3, 4, 2}, xtnn::tanh(), 1);
    const xtnn::matrix<float> x = xt::zeros<float>({5, 2});
    const xtnn::vector<float> y = xt::zeros<float>({5});
    REQUIRE_THROWS_AS(xtnn::fit(net, x, y, quiet(1, 1, xtnn::optimizer_kind::sgd, 0.1)),
                      xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::fit(net, x, y, quiet(1, 1, xtnn::optimizer_kind::sgd, 0.1)),
                        Contains("(5, 2)") && Contains("(N, 3)"));
    const xtnn::matrix<float> x3 = xt::zeros<float>({5, 3});
    const xtnn::vector<float> y4 = xt::zeros<float>({4});
    REQUIRE_THROWS_WITH(xtnn::fit(net, x3, y4, quiet(1, 1, xtnn::optimizer_kind::sgd, 0.1)),
                        Contains("(4,)") && Contains("expected (5,) or (5, 2)"));
    const xtnn::vector<float> y_big{0, 1, 2, 0, 1};
    REQUIRE_THROWS_WITH(xtnn::fit(net, x3, y_big, quiet(1, 1, xtnn::optimizer_kind::sgd, 0.1)),
                        Contains("label 2") && Contains("row 2"));
    REQUIRE_THROWS_WITH(xtnn::predict_labels(net, x), Contains("(5, 2)"));

    xtnn::network<float> no_softmax({3, 2}, xtnn::tanh(),
                                    xtnn::sigmoid());
    const xtnn::vector<float> y2 = xt::zeros<float>({5});
    REQUIRE_THROWS_WITH(xtnn::fit(no_softmax, x3, y2, quiet(1, 1, xtnn::optimizer_kind::sgd, 0.1)),
                        Contains("needs a softmax last layer"));
}

TEST_CASE("fit: the progress line is Keras's, one per epoch")
{
    xtnn::epoch_record record;
    record.epoch = 3;
    record.epochs = 10;
    record.steps = 60;
    record.seconds = 0.1234;
    record.train_seconds = 0.12;
    record.loss = 1.30591;
    record.accuracy = 0.76824;
    REQUIRE(xtnn::format_epoch_line(record) ==
            "Epoch 3/10 - 60/60 - 0.1s - 2ms/step - loss: 1.3059 - accuracy: 0.7682");
    record.val_loss = 0.25;
    record.val_accuracy = 0.9;
    record.train_seconds = 0.03;
    REQUIRE(xtnn::format_epoch_line(record) ==
            "Epoch 3/10 - 60/60 - 0.1s - 500us/step - loss: 1.3059 - accuracy: 0.7682 - "
            "val_loss: 0.2500 - val_accuracy: 0.9000");

    // fit writes one such line per epoch to the given stream (never a live bar: not a tty).
    const auto [x, y] = blobs<float>(40, 1);
    auto net = make_net<float>({2, 4, 3}, xtnn::tanh(), 1);
    auto options = quiet(2, 16, xtnn::optimizer_kind::adam, 0.01);
    options.verbose = xtnn::verbosity::bar;
    options.validation_split = 0.2;
    std::ostringstream log;
    options.out = &log;
    xtnn::fit(net, x, y, options);
    const std::string text = log.str();
    REQUIRE(text.find('\r') == std::string::npos);
    std::istringstream lines(text);
    std::string line;
    std::size_t count = 0;
    while (std::getline(lines, line))
    {
        ++count;
        REQUIRE_THAT(line, Contains("Epoch " + std::to_string(count) + "/2 - 2/2 - ") &&
                               Contains("/step - loss: ") && Contains(" - accuracy: ") &&
                               Contains(" - val_loss: ") && Contains(" - val_accuracy: "));
    }
    REQUIRE(count == 2);

    options.verbose = xtnn::verbosity::silent;
    std::ostringstream silent;
    options.out = &silent;
    xtnn::fit(net, x, y, options);
    REQUIRE(silent.str().empty());
}

TEST_CASE("fit: on a terminal the progress bar is redrawn in place, then replaced by the line")
{
    // A clock of the test's own: what is drawn does not depend on the machine's speed.
    static std::chrono::steady_clock::time_point now;
    now = std::chrono::steady_clock::time_point{};
    const auto at = [](double seconds)
    {
        now = std::chrono::steady_clock::time_point{} +
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(seconds));
    };
    std::ostringstream out;
    xtnn::progress_printer printer(xtnn::verbosity::bar, &out, true, [] { return now; });
    REQUIRE(printer.live());
    printer.begin_epoch(1, 2, 4);
    at(0.05);
    printer.step(1, 0.9, 0.25);    // throttled: 0.05 s after the start, under 0.1 s
    at(4.0);
    printer.step(2, 0.5, 0.75);    // drawn; ETA 4 s / 2 steps x 2 left = 4 s
    at(4.01);
    printer.step(3, 0.4, 0.8);     // throttled: 0.01 s after the last draw
    printer.step(4, 0.25, 0.875);  // the last step is always drawn
    xtnn::epoch_record record;
    record.epoch = 1;
    record.epochs = 2;
    record.steps = 4;
    printer.end_epoch(record);
    REQUIRE(out.str() == "\rEpoch 1/2 - 2/4 [===============>..............] - ETA: 4s - loss: "
                         "0.5000 - accuracy: 0.7500"
                         "\rEpoch 1/2 - 4/4 [==============================] - ETA: 0s - loss: "
                         "0.2500 - accuracy: 0.8750\r\x1b[K" +
                             xtnn::format_epoch_line(record) + "\n");
    REQUIRE_FALSE(xtnn::progress_printer(xtnn::verbosity::epochs, &out, true).live());
    REQUIRE_FALSE(xtnn::progress_printer(xtnn::verbosity::bar, &out).live());  // not a tty
}

TEST_CASE("fit: evaluate takes one-hot labels of another value type")
{
    const auto [x, y] = blobs<float>(60, 2);
    auto net = make_net<float>({2, 8, 3}, xtnn::tanh(), 2);
    xtnn::matrix<double> one_hot = xt::zeros<double>({std::size_t{60}, std::size_t{3}});
    for (std::size_t i = 0; i < 60; ++i)
    {
        one_hot(i, static_cast<std::size_t>(y(i))) = 1;
    }
    const auto by_index = xtnn::evaluate(net, x, y, xtnn::loss_kind::softmax_cross_entropy, 7);
    const auto by_one_hot = xtnn::evaluate(net, x, one_hot);
    REQUIRE(by_one_hot.accuracy == by_index.accuracy);
    REQUIRE(by_one_hot.loss == Approx(by_index.loss).epsilon(1e-6));
    REQUIRE_THROWS_WITH(xtnn::evaluate(net, x, xtnn::matrix<float>(xt::zeros<float>({60, 4}))),
                        Contains("xtnn::evaluate") && Contains("(60, 4)"));
}

TEST_CASE("fit: training steps allocate nothing once warmed up")
{
    const auto [x, y] = blobs<float>(256, 1);
    std::vector<std::size_t> labels = xtnn::class_indices(y);
    auto net = dropout_net(0.5, 1);
    for (auto kind : {xtnn::optimizer_kind::sgd, xtnn::optimizer_kind::adam})
    {
        xtnn::training_step<float> step(net, xtnn::loss_kind::softmax_cross_entropy,
                                        xtnn::optimizer_options{kind, 0.01}, 1);
        const xtnn::targets_ref<float> t{nullptr, labels.data()};
        step.step(x.data(), 32, t, labels.data());  // warm-up: optimizer state, masks
        const std::size_t before = xtnn_test::allocations.load();
        double loss = 0;
        for (std::size_t s = 0; s < 8; ++s)
        {
            loss += step.step(x.data() + s * 32 * 2, 32, {nullptr, labels.data() + s * 32},
                              labels.data() + s * 32)
                        .loss;
            step.step(x.data(), 7, t, labels.data());  // a smaller batch needs no more room
        }
        REQUIRE(xtnn_test::allocations.load() == before);
        REQUIRE(std::isfinite(loss));
    }
}

TEST_CASE("fit: fit's allocations do not grow with the number of steps or epochs")
{
    // Named references, not a structured binding: the lambda below uses them, and clang
    // before 16 cannot capture a binding.
    const auto data = blobs<float>(600, 1);
    const auto& x = data.first;
    const auto& y = data.second;
    const auto count = [&](std::size_t epochs, std::size_t batch)
    {
        xtnn::network<float> net{xtnn::dense(2, 16), xtnn::batch_norm(), xtnn::relu(),
                                 xtnn::dropout(0.2), xtnn::dense(3), xtnn::softmax()};
        std::mt19937_64 engine(1);
        xtnn::initialize(net, engine, xtnn::init_kind::he);
        auto options = quiet(epochs, batch, xtnn::optimizer_kind::momentum, 0.01);
        const std::size_t before = xtnn_test::allocations.load();
        xtnn::fit(net, x, y, options);
        return xtnn_test::allocations.load() - before;
    };
    REQUIRE(count(1, 10) == count(5, 10));
    REQUIRE(count(1, 10) == count(1, 3));
}

TEST_CASE("fit: a BatchNorm and dropout network separates the blobs, and BatchNorm's running "
          "statistics follow the data")
{
    const auto [x, y] = blobs<float>(300, 3);
    xtnn::network<float> net{xtnn::rescale(10.0, 3.0), xtnn::dense(2, 16), xtnn::batch_norm(),
                             xtnn::relu(),             xtnn::dropout(0.1), xtnn::dense(3),
                             xtnn::softmax()};
    std::mt19937_64 engine(5);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    const auto h = xtnn::fit(net, x, y, quiet(15, 16, xtnn::optimizer_kind::adam, 0.01));
    REQUIRE(xtnn::evaluate(net, x, y).accuracy == 1.0);
    REQUIRE(h.back().learning_rate == 0.01);
    // The running mean of the first dense layer's outputs is near their mean over the data.
    // It averages the last batches' means (momentum 0.9: about 10 batches of 16), whose own
    // spread is a column's std σ over √16, so over √(0.1/1.9) of it in the average: about
    // 0.06·σ, and 0.3·σ allows five times that. (A margin in absolute terms failed on a unit
    // whose values have σ ≈ 20 about a mean near 0: rescale(10, 3) makes the inputs large.)
    const auto& bn = net.layer<xtnn::batch_norm<float>>(2);
    xtnn::workspace<float> ws;
    net.predict(x, ws);
    const xtnn::matrix<float> z = ws.output(1);
    const xtnn::vector<float> column_mean = xt::mean(z, {0});
    const xtnn::vector<float> column_std = xt::stddev(z, {0});
    for (std::size_t c = 0; c < 16; ++c)
    {
        CAPTURE(c, column_std(c));
        REQUIRE(bn.running_mean()(c) ==
                Approx(column_mean(c)).margin(0.3 * column_std(c) + 0.01));
    }
}

TEST_CASE("fit: a callback sees the run's state and may change the learning rate")
{
    const xor_data<float> data;
    auto net = make_net<float>({2, 4, 2}, xtnn::tanh(), 1);
    auto options = quiet(4, 2, xtnn::optimizer_kind::sgd, 0.1);
    std::vector<double> rates;
    options.on_epoch_end(
        [&](const xtnn::epoch_record& r, xtnn::fit_state<float>& state)
        {
            rates.push_back(r.learning_rate);
            REQUIRE(state.history.size() == r.epoch);
            state.learning_rate /= 2;  // from the next epoch on
        });
    const auto h = xtnn::fit(net, data.x, data.y, options);
    REQUIRE(rates == std::vector<double>{0.1, 0.05, 0.025, 0.0125});
}
