// SPDX-License-Identifier: MIT
// The book's numbers on the real files: its pretrained sample_weight.pkl classifies the
// 10,000 MNIST test images with accuracy 0.9352 (pixels / 255) and 0.9207 (raw pixels), one
// image at a time and in batches (ch03 neuralnet_mnist.py, neuralnet_mnist_batch.py;
// data/SOURCES.md). Exits 77 (skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"

namespace
{
template <class T, class Network>
std::size_t correct_answers(const Network& net, bool normalize, std::size_t batch)
{
    xtnn::data::mnist_options options;
    options.normalize = normalize;
    const auto test =
        xtnn::data::load_mnist_part<T>(xtnn_test::data_dir(), xtnn::data::mnist_part::test, options);
    const auto labels = xtnn::class_indices(test.labels);
    xtnn::workspace<T> ws;
    std::size_t correct = 0;
    std::vector<std::size_t> predicted(batch);
    for (std::size_t first = 0; first < labels.size(); first += batch)
    {
        const std::size_t rows = std::min(batch, labels.size() - first);
        const auto scores = net.forward_rows(test.images, first, rows, ws);
        // No output may be inf or NaN, even for raw 0..255 pixels.
        const bool all_finite =
            std::all_of(scores.begin(), scores.end(), [](T v) { return std::isfinite(v); });
        REQUIRE(all_finite);
        xtnn::argmax_rows(scores.data(), rows, net.outputs(), predicted.data());
        for (std::size_t r = 0; r < rows; ++r)
        {
            correct += predicted[r] == labels[first + r];
        }
    }
    return correct;
}

std::string book_weights()
{
    return xtnn_test::data_dir() + "/dlfs/sample_weight.pkl";
}
}  // namespace

TEMPLATE_TEST_CASE("inference: the book's weights score 0.9352 with normalized pixels", "", float,
                   double)
{
    const auto net = xtnn::io::load_network<TestType>(book_weights());
    REQUIRE(net.describe() == "784-50-100-10 (dense, sigmoid, dense, sigmoid, dense, softmax)");
    CHECK(correct_answers<TestType>(net, true, 1) == 9352);
    CHECK(correct_answers<TestType>(net, true, 100) == 9352);
    CHECK(correct_answers<TestType>(net, true, 10000) == 9352);
}

TEMPLATE_TEST_CASE("inference: the book's weights score 0.9207 with raw pixels", "", float, double)
{
    const auto net = xtnn::io::load_network<TestType>(book_weights());
    CHECK(correct_answers<TestType>(net, false, 1) == 9207);
    CHECK(correct_answers<TestType>(net, false, 100) == 9207);
}

TEST_CASE("inference: the compile-time face loads the book's weights and agrees")
{
    using book_network =
        xtnn::fixed_network<float, xtnn::fixed::dense<784, 50>, xtnn::fixed::sigmoid,
                            xtnn::fixed::dense<50, 100>, xtnn::fixed::sigmoid,
                            xtnn::fixed::dense<100, 10>, xtnn::fixed::softmax>;
    const book_network net(xtnn::io::load_network<float>(book_weights()));
    CHECK(correct_answers<float>(net, true, 1) == 9352);
    CHECK(correct_answers<float>(net, true, 100) == 9352);
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
