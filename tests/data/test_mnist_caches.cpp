// SPDX-License-Identifier: MIT
// Tests for xtnn/data/mnist_caches.hpp and load_mnist's search for them: Keras's mnist.npz
// and the book's mnist.pkl as numpy and pickle write them (tests/fixtures/mnist_caches/, made
// by tests/fixtures/make_mnist_cache_fixtures.py), found in the data directory and in Keras's
// own cache, and the broken ones refused with the file and what was expected.
#include <cstdint>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/data/datasets.hpp>
#include <xtnn/data/mnist.hpp>

#include "scoped_env.hpp"
#include "temp_files.hpp"

namespace
{
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using xtnn_test::scoped_env;
using xtnn_test::temp_dir;

const std::string fixtures = XTNN_TEST_FIXTURES "/mnist_caches/";

/// The fixture script's pixels: sample k (train 0..2, test 3..4), pixel p = (37k + 11p) % 256.
int pixel(int k, int p) { return (37 * k + 11 * p) % 256; }

/// Copies a fixture into `dir` under `name`.
void place(const std::string& fixture, const fs::path& dir, const std::string& name)
{
    fs::create_directories(dir);
    fs::copy_file(fixtures + fixture, dir / name, fs::copy_options::overwrite_existing);
}

/// Checks that `data` is the fixtures' MNIST: 3 training and 2 test images, labels 5 0 9, 7 2.
template <class T>
void require_fixture_mnist(const xtnn::data::mnist_data<T>& data, bool normalized)
{
    REQUIRE(data.train.size() == 3);
    REQUIRE(data.test.size() == 2);
    REQUIRE(data.train.images.shape()[1] == 784);
    const double scale = normalized ? 255.0 : 1.0;
    for (int p : {0, 1, 27, 28, 500, 783})
    {
        CAPTURE(p);
        REQUIRE(data.train.images(0, p) == Approx(pixel(0, p) / scale));
        REQUIRE(data.train.images(2, p) == Approx(pixel(2, p) / scale));
        REQUIRE(data.test.images(1, p) == Approx(pixel(4, p) / scale));
    }
    REQUIRE(data.train.labels(0) == 5);
    REQUIRE(data.train.labels(2) == 9);
    REQUIRE(data.test.labels(0) == 7);
    REQUIRE(data.test.labels(1) == 2);
}
}  // namespace

TEST_CASE("mnist caches: Keras's mnist.npz in DIR or DIR/mnist stands in for the IDX files",
          "[mnist][caches]")
{
    temp_dir dir;
    const scoped_env no_keras_cache("KERAS_HOME", dir.file("no_keras_home").c_str());
    for (const char* fixture : {"keras_mnist.npz", "keras_mnist_stored.npz"})
    {
        CAPTURE(fixture);
        place(fixture, dir.path(), "mnist.npz");
        require_fixture_mnist(xtnn::data::load_mnist<float>(dir.path()), true);
        fs::remove(dir.file("mnist.npz"));
    }
    place("keras_mnist.npz", dir.file("mnist"), "mnist.npz");
    xtnn::data::mnist_options raw;
    raw.normalize = false;
    require_fixture_mnist(xtnn::data::load_mnist<double>(dir.path(), raw), false);

    const auto set = xtnn::data::load_dataset<float>("mnist", dir.path());
    REQUIRE_THAT(set.source, Contains("Keras's mnist.npz") && Contains("mnist.npz\""));
    const auto test =
        xtnn::data::load_mnist_part<float>(dir.path(), xtnn::data::mnist_part::test);
    REQUIRE(test.size() == 2);
    REQUIRE(test.images(0, 1) == Approx(pixel(3, 1) / 255.0));
}

TEST_CASE("mnist caches: the book's mnist.pkl, pickled by Python 3.8+ or 3.4-3.7",
          "[mnist][caches]")
{
    temp_dir dir;
    const scoped_env no_keras_cache("KERAS_HOME", dir.file("no_keras_home").c_str());
    for (const char* fixture : {"book_mnist_p5.pkl", "book_mnist_p4.pkl"})
    {
        CAPTURE(fixture);
        place(fixture, dir.path(), "mnist.pkl");
        require_fixture_mnist(xtnn::data::load_mnist<float>(dir.path()), true);
    }
    // One-hot labels, (N, 1, 28, 28) images: the book's options apply to the cache too.
    xtnn::data::mnist_options options;
    options.flatten = false;
    options.one_hot_label = true;
    const auto data = xtnn::data::load_mnist<float>(dir.path(), options);
    REQUIRE(data.train.images.shape() == std::vector<std::size_t>{3, 1, 28, 28});
    REQUIRE(data.train.images(1, 0, 1, 0) == Approx(pixel(1, 28) / 255.0));
    REQUIRE(data.train.labels(0, 5) == 1);
    REQUIRE(data.train.labels(0, 4) == 0);
    REQUIRE_THAT(xtnn::data::load_dataset<float>("mnist", dir.path()).source,
                 Contains("the book's mnist.pkl"));
}

TEST_CASE("mnist caches: Keras's own cache, $KERAS_HOME/datasets/mnist.npz, is found too",
          "[mnist][caches]")
{
    temp_dir dir;
    place("keras_mnist.npz", fs::path(dir.path()) / "keras" / "datasets", "mnist.npz");
    const scoped_env keras_home("KERAS_HOME", dir.file("keras").c_str());
    require_fixture_mnist(xtnn::data::load_mnist<float>(dir.file("empty")), true);
}

TEST_CASE("mnist caches: the IDX files win, and IDX files found in part are reported missing",
          "[mnist][caches][errors]")
{
    temp_dir dir;
    const scoped_env no_keras_cache("KERAS_HOME", dir.file("no_keras_home").c_str());
    place("keras_mnist.npz", dir.path(), "mnist.npz");
    // One IDX file present: the user meant the IDX files, so the missing three are reported.
    xtnn_test::write_raw(dir.file("train-labels-idx1-ubyte"), {0, 0, 8, 1, 0, 0, 0, 1, 4});
    REQUIRE_THROWS_AS(xtnn::data::load_mnist<float>(dir.path()), xtnn::data::data_not_found);
    REQUIRE_THROWS_WITH(xtnn::data::load_mnist<float>(dir.path()),
                        Contains("train-images: tried") && !Contains("train-labels: tried"));
}

TEST_CASE("mnist caches: nothing found lists the caches tried", "[mnist][caches][errors]")
{
    temp_dir dir;
    const scoped_env keras_home("KERAS_HOME", dir.file("kh").c_str());
    REQUIRE_THROWS_WITH(xtnn::data::load_mnist<float>(dir.path()),
                        Contains("mnist.npz (Keras's mnist.npz): tried in \"" + dir.path() +
                                 "\", \"" + dir.file("mnist") + "\" or \"" + dir.file("kh") +
                                 "/datasets\"") &&
                            Contains("mnist.pkl (the book's mnist.pkl): tried in") &&
                            Contains("cmake -P cmake/fetch-data.cmake mnist DIR"));
}

TEST_CASE("mnist caches: wrong keys, dtypes and missing arrays name the file and the layout",
          "[mnist][caches][errors]")
{
    temp_dir dir;
    const scoped_env no_keras_cache("KERAS_HOME", dir.file("no_keras_home").c_str());
    const auto load = [&] { return xtnn::data::load_mnist<float>(dir.path()); };

    place("keras_wrong_keys.npz", dir.path(), "mnist.npz");
    REQUIRE_THROWS_AS(load(), xtnn::format_error);
    REQUIRE_THROWS_WITH(load(), Contains("\"" + dir.file("mnist.npz") + "\"") &&
                                    Contains("(Keras's mnist.npz) has no array 'x_train'") &&
                                    Contains("expected x_train (N, 28, 28) or (N, 784) uint8, "
                                             "y_train (N,) integers, x_test, y_test") &&
                                    Contains("it holds x_tr, y_tr, x_te, y_te"));

    place("keras_float_images.npz", dir.path(), "mnist.npz");
    REQUIRE_THROWS_WITH(load(), Contains("'x_train' is <f4 (3, 28, 28); expected uint8 pixels"));

    fs::remove(dir.file("mnist.npz"));
    place("book_missing_key.pkl", dir.path(), "mnist.pkl");
    REQUIRE_THROWS_AS(load(), xtnn::format_error);
    REQUIRE_THROWS_WITH(load(), Contains("\"" + dir.file("mnist.pkl") + "\"") &&
                                    Contains("(the book's mnist.pkl) has no array 'test_label'") &&
                                    Contains("it holds train_img, train_label, test_img"));
    // The training part alone does not need test_label.
    REQUIRE(xtnn::data::load_mnist_part<float>(dir.path(), xtnn::data::mnist_part::train).size() ==
            3);
}
