// SPDX-License-Identifier: MIT
// Tests for xtnn/io/mnist.hpp and xtnn/io/data_dir.hpp on a tiny fake MNIST directory written
// here (3 train and 2 test images with known pixels, both file-name spellings, raw and gz),
// plus the broken and missing cases.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/mnist.hpp>

#include "idx_files.hpp"
#include "scoped_env.hpp"
#include "temp_files.hpp"

namespace
{
namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;
using Catch::Matchers::Contains;

using xtnn_test::images_file;
using xtnn_test::labels_file;
using xtnn_test::scoped_env;
using xtnn_test::temp_dir;
using xtnn_test::write_raw;
using xtnn_test::write_gz;

// Train: image 0 is black but for pixel (0, 0) = 255 and (27, 27) = 51; image 1 has
// pixel (r, c) = r + c; image 2 is 128 everywhere. Labels 7, 0, 9.
bytes train_pixels()
{
    bytes pixels(3 * 784, 0);
    pixels[0] = 255;
    pixels[783] = 51;
    for (int r = 0; r < 28; ++r)
    {
        for (int c = 0; c < 28; ++c)
        {
            pixels[784 + r * 28 + c] = static_cast<std::uint8_t>(r + c);
        }
    }
    std::fill(pixels.begin() + 2 * 784, pixels.end(), 128);
    return pixels;
}

/// The fake MNIST directory: train files under the dash names (raw images, gz labels), test
/// files under the dot names (gz images, raw labels). Test: image 0 all 51, image 1 all 0;
/// labels 3, 1.
void write_fake_mnist(const std::string& dir)
{
    const auto at = [&](const char* name) { return (fs::path(dir) / name).string(); };
    write_raw(at("train-images-idx3-ubyte"), images_file(3, train_pixels()));
    write_gz(at("train-labels-idx1-ubyte.gz"), labels_file({7, 0, 9}));
    bytes test_pixels(2 * 784, 0);
    std::fill(test_pixels.begin(), test_pixels.begin() + 784, 51);
    write_gz(at("t10k-images.idx3-ubyte.gz"), images_file(2, test_pixels));
    write_raw(at("t10k-labels.idx1-ubyte"), labels_file({3, 1}));
}

}  // namespace

TEMPLATE_TEST_CASE("mnist: load_mnist's defaults give (N, 784) images in [0, 1] and (N,) labels",
                   "[mnist]", float, double)
{
    temp_dir dir;
    write_fake_mnist(dir.path());
    const auto data = xtnn::data::load_mnist<TestType>(dir.path());

    REQUIRE(data.train.size() == 3);
    REQUIRE(data.train.images.shape() == std::vector<std::size_t>{3, 784});
    REQUIRE(data.train.labels.shape() == std::vector<std::size_t>{3});
    CHECK(data.train.images(0, 0) == TestType(1));
    CHECK(data.train.images(0, 1) == TestType(0));
    CHECK(data.train.images(0, 783) == TestType(0.2));  // 51 / 255 = 0.2 exactly
    CHECK(data.train.images(1, 5 * 28 + 12) == Approx(17.0 / 255.0));
    CHECK(data.train.images(2, 400) == Approx(128.0 / 255.0));
    CHECK(data.train.labels(0) == TestType(7));
    CHECK(data.train.labels(1) == TestType(0));
    CHECK(data.train.labels(2) == TestType(9));

    REQUIRE(data.test.size() == 2);
    REQUIRE(data.test.images.shape() == std::vector<std::size_t>{2, 784});
    CHECK(data.test.images(0, 0) == TestType(0.2));
    CHECK(data.test.images(1, 0) == TestType(0));
    CHECK(data.test.labels(0) == TestType(3));
    CHECK(data.test.labels(1) == TestType(1));
}

TEMPLATE_TEST_CASE("mnist: flatten=false gives (N, 1, 28, 28) and normalize=false keeps 0..255",
                   "[mnist]", float, double)
{
    temp_dir dir;
    write_fake_mnist(dir.path());
    xtnn::data::mnist_options options;
    options.flatten = false;
    options.normalize = false;
    const auto train =
        xtnn::data::load_mnist_part<TestType>(dir.path(), xtnn::data::mnist_part::train, options);
    REQUIRE(train.images.shape() == std::vector<std::size_t>{3, 1, 28, 28});
    CHECK(train.images(0, 0, 0, 0) == TestType(255));
    CHECK(train.images(0, 0, 27, 27) == TestType(51));
    CHECK(train.images(1, 0, 5, 12) == TestType(17));
    CHECK(train.images(1, 0, 27, 26) == TestType(53));
    double sum = 0;
    for (auto value : train.images)
    {
        sum += value;
    }
    // 255 + 51 + sum over r, c < 28 of (r + c) = 2 * 28 * 378 + 784 * 128.
    CHECK(sum == 255.0 + 51.0 + 21168.0 + 100352.0);
}

TEMPLATE_TEST_CASE("mnist: one_hot_label gives (N, 10) rows with a single 1", "[mnist]", float,
                   double)
{
    temp_dir dir;
    write_fake_mnist(dir.path());
    xtnn::data::mnist_options options;
    options.one_hot_label = true;
    const auto data = xtnn::data::load_mnist<TestType>(dir.path(), options);
    REQUIRE(data.train.labels.shape() == std::vector<std::size_t>{3, 10});
    REQUIRE(data.test.labels.shape() == std::vector<std::size_t>{2, 10});
    const std::size_t expected[] = {7, 0, 9};
    for (std::size_t i = 0; i < 3; ++i)
    {
        for (std::size_t k = 0; k < 10; ++k)
        {
            CHECK(data.train.labels(i, k) == TestType(k == expected[i] ? 1 : 0));
        }
    }
    CHECK(data.test.labels(0, 3) == TestType(1));
    CHECK(data.test.labels(1, 1) == TestType(1));
}

TEST_CASE("mnist: load_mnist also finds the files in the mnist/ subdirectory", "[mnist]")
{
    temp_dir dir;
    fs::create_directories(dir.file("mnist"));
    write_fake_mnist(dir.file("mnist"));
    CHECK(xtnn::data::load_mnist(dir.path()).train.size() == 3);
    CHECK(xtnn::data::load_mnist(dir.file("mnist")).test.size() == 2);
}

TEST_CASE("mnist: a label count that differs from the image count names both files",
          "[mnist][errors]")
{
    temp_dir dir;
    write_fake_mnist(dir.path());
    write_gz(dir.file("train-labels-idx1-ubyte.gz"), labels_file({7, 0}));
    const auto call = [&] { return xtnn::data::load_mnist(dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::format_error);
    REQUIRE_THROWS_WITH(call(),
                        Contains("xtnn::data::load_mnist: ") &&
                            Contains("\"" + dir.file("train-images-idx3-ubyte") +
                                     "\" holds 3 images but \"" +
                                     dir.file("train-labels-idx1-ubyte.gz") + "\" holds 2 labels"));
}

TEST_CASE("mnist: rejects labels above 9, images not 28 x 28 and files of the wrong kind",
          "[mnist][errors]")
{
    temp_dir dir;
    write_fake_mnist(dir.path());
    const auto part = [&]
    { return xtnn::data::load_mnist_part(dir.path(), xtnn::data::mnist_part::test); };
    SECTION("label 10")
    {
        write_raw(dir.file("t10k-labels.idx1-ubyte"), labels_file({3, 10}));
        REQUIRE_THROWS_AS(part(), xtnn::format_error);
        REQUIRE_THROWS_WITH(part(), Contains("label 10 at index 1; expected 0..9"));
    }
    SECTION("27 x 28 images")
    {
        write_gz(dir.file("t10k-images.idx3-ubyte.gz"), images_file(2, bytes(2 * 27 * 28), 27));
        REQUIRE_THROWS_AS(part(), xtnn::format_error);
        REQUIRE_THROWS_WITH(part(), Contains("images are 27 x 28; expected 28 x 28"));
    }
    SECTION("an images file where the labels should be")
    {
        write_raw(dir.file("t10k-labels.idx1-ubyte"), images_file(2, bytes(2 * 784)));
        REQUIRE_THROWS_AS(part(), xtnn::format_error);
        REQUIRE_THROWS_WITH(part(), Contains("xtnn::data::load_mnist_part: \"" +
                                             dir.file("t10k-labels.idx1-ubyte") +
                                             "\": bad magic 0x00000803; expected 0x00000801"));
    }
    SECTION("a truncated images file")
    {
        write_gz(dir.file("t10k-images.idx3-ubyte.gz"), images_file(2, bytes(784)));
        REQUIRE_THROWS_AS(part(), xtnn::format_error);
        REQUIRE_THROWS_WITH(part(), Contains("data is truncated; expected 1568 bytes"));
    }
}

TEST_CASE("mnist: missing files throw data_not_found saying where and how to get them",
          "[mnist][errors]")
{
    temp_dir dir;
    const scoped_env no_keras_cache("KERAS_HOME", dir.file("no_keras_home").c_str());
    const auto call = [&] { return xtnn::data::load_mnist(dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::data::data_not_found);
    REQUIRE_THROWS_AS(call(), xtnn::io_error);
    REQUIRE_THROWS_WITH(call(), Contains("\"" + dir.path() + "\"") &&
                                    Contains("\"" + dir.file("mnist") + "\"") &&
                                    Contains("train-images: tried train-images-idx3-ubyte, "
                                             "train-images-idx3-ubyte.gz, train-images.idx3-ubyte, "
                                             "train-images.idx3-ubyte.gz") &&
                                    Contains("t10k-labels: tried t10k-labels-idx1-ubyte"));
    REQUIRE_THROWS_WITH(call(), Contains("yann.lecun.com/exdb/mnist/") &&
                                    Contains("f68b3c2dcbeaaa9fbdd348bbdeb94873") &&
                                    Contains("d53e105ee54ea40749a09fcbcd1e9432") &&
                                    Contains("9fb629c4189551a2d022fa330f9573f3") &&
                                    Contains("ec29112dd5afa0611ce80d1b7f02629c") &&
                                    Contains("--data DIR") && Contains("XTNN_DATA_DIR"));

    // Train present, test missing: reported before the train files are read.
    write_fake_mnist(dir.path());
    fs::remove(dir.file("t10k-labels.idx1-ubyte"));
    REQUIRE_THROWS_AS(call(), xtnn::data::data_not_found);
    REQUIRE_THROWS_WITH(call(), Contains("not found in") && Contains("t10k-labels: tried") &&
                                    !Contains("train-images: tried"));
}

TEST_CASE("data_dir: resolve_data_dir prefers --data, then XTNN_DATA_DIR, then ./data",
          "[data_dir]")
{
    {
        scoped_env env("XTNN_DATA_DIR", "/from/env");
        CHECK(xtnn::data::resolve_data_dir("/from/flag") == "/from/flag");
        CHECK(xtnn::data::resolve_data_dir("") == "/from/env");
    }
    {
        scoped_env env("XTNN_DATA_DIR", "");
        CHECK(xtnn::data::resolve_data_dir("") == "./data");
    }
    {
        scoped_env env("XTNN_DATA_DIR", nullptr);
        CHECK(xtnn::data::resolve_data_dir("") == "./data");
        CHECK(xtnn::data::resolve_data_dir("d") == "d");
    }
}
