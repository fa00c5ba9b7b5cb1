// SPDX-License-Identifier: MIT
// Tests of the MNIST loader on the real files in $XTNN_DATA_DIR/mnist, against the reference
// values in data/mnist/SOURCES.md. Exits 77 (reported by ctest as skipped) when
// XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/data/mnist.hpp>

#include "data_dir.hpp"

namespace
{
std::string mnist_dir()
{
    return xtnn_test::data_dir() + "/mnist";
}

/// Loaded once: pixels 0..255, (N, 1, 28, 28), labels (N,).
const xtnn::data::mnist_data<float>& raw_mnist()
{
    static const auto data = []
    {
        xtnn::data::mnist_options options;
        options.normalize = false;
        options.flatten = false;
        return xtnn::data::load_mnist<float>(mnist_dir(), options);
    }();
    return data;
}

/// Pixel sum as an exact integer (the values are whole numbers 0..255).
std::int64_t pixel_sum(const xt::xarray<float>& images)
{
    std::int64_t sum = 0;
    for (float value : images)
    {
        sum += static_cast<std::int64_t>(value);
    }
    return sum;
}

std::array<std::size_t, 10> label_counts(const xt::xarray<float>& labels)
{
    std::array<std::size_t, 10> counts{};
    for (float label : labels)
    {
        ++counts.at(static_cast<std::size_t>(label));
    }
    return counts;
}
}  // namespace

TEST_CASE("mnist data: the book's defaults give 60000 x 784 and 10000 x 784 in [0, 1]",
          "[data][mnist]")
{
    const auto data = xtnn::data::load_mnist(mnist_dir());
    REQUIRE(data.train.images.shape() == std::vector<std::size_t>{60000, 784});
    REQUIRE(data.train.labels.shape() == std::vector<std::size_t>{60000});
    REQUIRE(data.test.images.shape() == std::vector<std::size_t>{10000, 784});
    REQUIRE(data.test.labels.shape() == std::vector<std::size_t>{10000});
    // Train image 0, row 5, column 21 is 255; column 12 is 3.
    CHECK(data.train.images(0, 5 * 28 + 21) == 1.0f);
    CHECK(data.train.images(0, 5 * 28 + 12) == 3.0f / 255.0f);
    const auto [low, high] =
        std::minmax_element(data.train.images.begin(), data.train.images.end());
    CHECK(*low == 0.0f);
    CHECK(*high == 1.0f);
}

TEST_CASE("mnist data: pixel sums match SOURCES.md", "[data][mnist]")
{
    const auto& data = raw_mnist();
    REQUIRE(data.train.images.shape() == std::vector<std::size_t>{60000, 1, 28, 28});
    CHECK(pixel_sum(data.train.images) == 1567298545);
    CHECK(pixel_sum(data.test.images) == 264923200);
}

TEST_CASE("mnist data: label counts and first labels match SOURCES.md", "[data][mnist]")
{
    const auto& data = raw_mnist();
    CHECK(label_counts(data.train.labels) ==
          std::array<std::size_t, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
    CHECK(label_counts(data.test.labels) ==
          std::array<std::size_t, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
    const int train_first[] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    const int test_first[] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    for (std::size_t i = 0; i < 10; ++i)
    {
        CHECK(data.train.labels(i) == train_first[i]);
        CHECK(data.test.labels(i) == test_first[i]);
    }
}

TEST_CASE("mnist data: train image 0, row 5, columns 12..23 match SOURCES.md", "[data][mnist]")
{
    const auto& data = raw_mnist();
    const int expected[] = {3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127};
    for (std::size_t c = 12; c < 24; ++c)
    {
        CHECK(data.train.images(0, 0, 5, c) == expected[c - 12]);
    }
}

TEST_CASE("mnist data: one-hot labels agree with the plain labels", "[data][mnist]")
{
    xtnn::data::mnist_options options;
    options.one_hot_label = true;
    const auto test =
        xtnn::data::load_mnist_part<double>(mnist_dir(), xtnn::data::mnist_part::test, options);
    const auto& plain = raw_mnist().test.labels;
    REQUIRE(test.labels.shape() == std::vector<std::size_t>{10000, 10});
    std::size_t disagreements = 0;
    for (std::size_t i = 0; i < 10000; ++i)
    {
        double row_sum = 0;
        for (std::size_t k = 0; k < 10; ++k)
        {
            row_sum += test.labels(i, k);
        }
        const auto label = static_cast<std::size_t>(plain(i));
        disagreements += (row_sum != 1.0 || test.labels(i, label) != 1.0) ? 1 : 0;
    }
    CHECK(disagreements == 0);
}

TEST_CASE("mnist data: read_idx sees the headers SOURCES.md lists", "[data][idx]")
{
    const auto labels = xtnn::io::read_idx(mnist_dir() + "/t10k-labels-idx1-ubyte.gz");
    CHECK(labels.type == xtnn::io::dtype::u1);
    CHECK(labels.shape == std::vector<std::size_t>{10000});
    const auto images = xtnn::io::read_idx(mnist_dir() + "/t10k-images-idx3-ubyte.gz");
    CHECK(images.type == xtnn::io::dtype::u1);
    CHECK(images.shape == std::vector<std::size_t>{10000, 28, 28});
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);  // exits 77 when XTNN_DATA_DIR is unset
}
