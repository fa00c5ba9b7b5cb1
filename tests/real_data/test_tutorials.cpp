// SPDX-License-Identifier: MIT
// Short versions of the tutorial examples (keras_style, digits_train) on the real data,
// skipped unless XTNN_DATA_DIR is set: the 8x8 digits learned by per-sample SGD, the Keras
// MLP improving epoch over epoch on MNIST, and the 2-unit bottleneck's pre-activations.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/blas_threads.hpp>
#include <xtnn/nn/init.hpp>
#include <xtnn/data.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/train/fit.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"

namespace
{
/// The tutorial's preprocessing: standardise all 1797 samples, first 300 as the test set.
const xtnn::data::train_test_split<float>& digits()
{
    static const auto split = []
    {
        auto set = xtnn::data::load_digits<float>(xtnn_test::data_dir());
        set.images = xtnn::data::standardize(set.images);
        return xtnn::data::split_first_as_test(set, 300);
    }();
    return split;
}

/// digits_train's network: sigmoid hidden layers, softmax output, W ~ N(0, 1/n_in).
xtnn::network<float> digits_network(std::vector<std::size_t> hidden, std::uint64_t seed)
{
    std::vector<std::size_t> widths{64};
    widths.insert(widths.end(), hidden.begin(), hidden.end());
    widths.push_back(10);
    xtnn::network<float> net(widths, xtnn::sigmoid(),
                             xtnn::softmax());
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    return net;
}

xtnn::fit_options<float> per_sample_sgd(std::size_t epochs, std::uint64_t seed)
{
    xtnn::fit_options<float> options;
    options.epochs = epochs;
    options.batch_size = 1;
    options.optimizer = {xtnn::optimizer_kind::sgd, 0.2};
    options.seed = seed;
    options.verbose = xtnn::verbosity::silent;
    return options;
}

}  // namespace

TEST_CASE("data tutorials: digits 64-20-10, per-sample SGD lr 0.2, passes 0.85 test accuracy in "
          "20 epochs")
{
    const auto& d = digits();
    REQUIRE(d.x_train.shape()[0] == 1497);
    REQUIRE(d.x_test.shape()[0] == 300);
    auto net = digits_network({20}, 1);
    const auto h = xtnn::fit(net, d.x_train, xtnn::data::one_hot<float>(d.y_train, 10), d.x_test,
                             xtnn::data::one_hot<float>(d.y_test, 10), per_sample_sgd(20, 1));
    REQUIRE(h.size() == 20);
    REQUIRE(h.back().steps == 1497);
    const auto train = xtnn::evaluate(net, d.x_train, d.y_train);
    CAPTURE(train.accuracy, h.back().val_accuracy);
    REQUIRE(train.accuracy > 0.97);
    REQUIRE(h.back().val_accuracy > 0.85);
}

TEST_CASE("data tutorials: the Keras MLP (784-16-10, Adam, batch 1000) improves its test "
          "accuracy every epoch")
{
    xtnn::data::mnist_options load;
    load.one_hot_label = true;
    const auto data = xtnn::data::load_mnist<float>(xtnn_test::data_dir(), load);
    xtnn::network<float> net({784, 16, 10}, xtnn::sigmoid(),
                             xtnn::softmax());
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::glorot_uniform);  // as Keras
    REQUIRE(xt::amax(xt::abs(net.layer<xtnn::dense<float>>(0).kernel()))() < std::sqrt(6.0f / 800));
    xtnn::fit_options<float> options;
    options.epochs = 3;
    options.batch_size = 1000;
    options.optimizer = {xtnn::optimizer_kind::adam, 0.001};
    options.optimizer.epsilon = 1e-7;
    options.seed = 1;
    options.verbose = xtnn::verbosity::silent;
    const auto h = xtnn::fit(net, data.train.images, data.train.labels, data.test.images,
                             data.test.labels, options);
    REQUIRE(h.size() == 3);
    REQUIRE(h.back().steps == 60);
    for (std::size_t e = 1; e < h.size(); ++e)
    {
        CAPTURE(e, h.epochs[e - 1].val_accuracy, h.epochs[e].val_accuracy);
        REQUIRE(h.epochs[e].val_accuracy > h.epochs[e - 1].val_accuracy);
        REQUIRE(h.epochs[e].val_loss < h.epochs[e - 1].val_loss);
    }
    REQUIRE(h.back().val_accuracy > 0.5);
    // evaluate() scores the final network as fit's last validation did
    const auto score = xtnn::evaluate(net, data.test.images, data.test.labels);
    REQUIRE(score.accuracy == Approx(h.back().val_accuracy));
}

TEST_CASE("data tutorials: the 2-unit bottleneck of 64-20-20-2-10 gives finite (N, 2) "
          "pre-activations for every sample")
{
    const auto& d = digits();
    auto net = digits_network({20, 20, 2}, 2);
    xtnn::fit(net, d.x_train, d.y_train, per_sample_sgd(5, 2));
    xtnn::workspace<float> ws;
    net.forward_rows(d.x_train, 0, d.x_train.shape()[0], ws);
    const auto z = ws.output(4);  // dense_3, before its sigmoid
    REQUIRE(z.shape()[0] == 1497);
    REQUIRE(z.shape()[1] == 2);
    std::size_t non_finite = 0;
    double spread = 0;
    for (std::size_t r = 0; r < z.shape()[0]; ++r)
    {
        non_finite += !std::isfinite(z(r, 0)) + !std::isfinite(z(r, 1));
        spread = std::max(spread, std::fabs(static_cast<double>(z(r, 0) - z(0, 0))));
    }
    REQUIRE(non_finite == 0);
    REQUIRE(spread > 0.1);  // trained units tell samples apart
    net.forward_rows(d.x_test, 0, d.x_test.shape()[0], ws);
    REQUIRE(ws.output(4).shape()[0] == 300);
}

TEST_CASE("data tutorials: a digits model with its standardisation as a layer takes raw pixels "
          "and gives the trained network's outputs")
{
    auto raw = xtnn::data::load_digits<float>(xtnn_test::data_dir());
    xtnn::standardize<float> standardize;
    standardize.adapt(raw.images);
    const auto& d = digits();  // standardised as the tutorial does, then split
    auto net = digits_network({20}, 4);
    xtnn::fit(net, d.x_train, d.y_train, per_sample_sgd(3, 4));
    xtnn::network<float> model(64, {standardize});
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        model.add(net.layer(i), net.name(i));
    }
    const xt::xtensor<float, 2> raw_test = xt::view(raw.images, xt::range(0, 300), xt::all());
    // The layer computes (x - mean)·(1/(std + 1e-7)) exactly as data::standardize does.
    REQUIRE((model.predict(raw_test) == net.predict(d.x_test)));
}

int main(int argc, char* argv[])
{
    xtnn::use_default_blas_threads();
    return xtnn_test::run_data_tests(argc, argv);
}
