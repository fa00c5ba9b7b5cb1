// SPDX-License-Identifier: MIT
// Training on the real MNIST files (skipped unless XTNN_DATA_DIR is set): one epoch of a
// 784-100-10 network reaches a sane test accuracy, runs repeat bit for bit, and saved
// weights score the same after loading them back as mnist_inference does.
#define CATCH_CONFIG_RUNNER
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/blas_threads.hpp>
#include <xtnn/eval/confusion.hpp>
#include <xtnn/nn/init.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/train/fit.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"
#include "temp_files.hpp"

namespace
{
const xtnn::data::mnist_data<float>& mnist()
{
    static const auto data = xtnn::data::load_mnist<float>(xtnn_test::data_dir());
    return data;
}

xtnn::network<float> fresh(const xtnn::any_layer<float>& hidden, std::uint64_t seed,
                           double dropout = 0)
{
    xtnn::network<float> net(784);
    net.add(xtnn::dense(100)).add(hidden);
    if (dropout > 0)
    {
        net.add(xtnn::dropout(dropout));
    }
    net.add(xtnn::dense(10)).add(xtnn::softmax());
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine,
                     hidden.kind() == "relu" ? xtnn::init_kind::he : xtnn::init_kind::xavier);
    return net;
}
}  // namespace

TEST_CASE("data train: one epoch of 784-100-10 with Adam passes 0.93 on the test set")
{
    auto net = fresh(xtnn::relu(), 1);
    xtnn::fit_options<float> options;
    options.batch_size = 100;
    options.verbose = xtnn::verbosity::silent;
    const auto h = xtnn::fit(net, mnist().train.images, mnist().train.labels, options);
    REQUIRE(h.back().steps == 600);
    const auto score = xtnn::evaluate(net, mnist().test.images, mnist().test.labels);
    CAPTURE(score.accuracy, score.loss);
    REQUIRE(score.accuracy > 0.93);
    REQUIRE(score.loss < 0.25);
}

TEST_CASE("data train: the book's setting (sigmoid, SGD lr 0.1, batch 100) learns in an epoch")
{
    auto net = fresh(xtnn::sigmoid(), 2);
    xtnn::fit_options<float> options;
    options.batch_size = 100;
    options.optimizer = {xtnn::optimizer_kind::sgd, 0.1};
    options.verbose = xtnn::verbosity::silent;
    options.validation_split = 0.1;
    const auto h = xtnn::fit(net, mnist().train.images, mnist().train.labels, options);
    REQUIRE(h.back().steps == 540);
    CAPTURE(h.back().val_accuracy);
    REQUIRE(h.back().val_accuracy > 0.85);
    REQUIRE(xtnn::evaluate(net, mnist().test.images, mnist().test.labels).accuracy > 0.85);
}

TEST_CASE("data train: the same seed repeats a run bit for bit on real data")
{
    const auto run = []
    {
        auto net = fresh(xtnn::relu(), 3, 0.2);
        xtnn::fit_options<float> options;
        options.batch_size = 256;
        options.seed = 9;
        options.verbose = xtnn::verbosity::silent;
        xtnn::fit(net, mnist().train.images, mnist().train.labels, options);
        return net;
    };
    const auto a = run();
    const auto b = run();
    REQUIRE((a.layer<xtnn::dense<float>>(0).kernel() == b.layer<xtnn::dense<float>>(0).kernel()));
    REQUIRE((a.layer<xtnn::dense<float>>(3).bias() == b.layer<xtnn::dense<float>>(3).bias()));
}

TEST_CASE("data train: saved weights load back (as mnist_inference loads them) and score the same")
{
    auto net = fresh(xtnn::relu(), 4);
    xtnn::fit_options<float> options;
    options.batch_size = 128;
    options.verbose = xtnn::verbosity::silent;
    xtnn::fit(net, mnist().train.images, mnist().train.labels, options);
    const xtnn_test::temp_dir scratch;
    const std::string path = scratch.file("weights.npz");
    xtnn::io::save_weights(net, path);
    const auto loaded = xtnn::io::load_network<float>(path, xtnn::relu(),
                                                      xtnn::softmax());
    const auto before = xtnn::predict_labels(net, mnist().test.images);
    const auto after = xtnn::predict_labels(loaded, mnist().test.images, 1);  // per sample
    REQUIRE(before == after);
    const auto labels = xtnn::class_indices(mnist().test.labels);
    const xtnn::confusion_matrix matrix(after, labels, 10);
    REQUIRE(matrix.accuracy() == xtnn::accuracy(before, labels));
    REQUIRE(matrix.total() == 10000);
}

int main(int argc, char* argv[])
{
    xtnn::use_default_blas_threads();
    return xtnn_test::run_data_tests(argc, argv);
}
