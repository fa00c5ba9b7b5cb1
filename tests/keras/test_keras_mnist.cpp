// SPDX-License-Identifier: MIT
// The MNIST MLP of tests/fixtures/keras/mnist_mlp.keras (Keras 3 layout: Rescaling(1/255),
// Dense 32 relu, Dense 10 softmax; trained by numpy in make_keras_fixtures.py) read by
// load_keras classifies the 10,000 MNIST test digits, given as raw 0..255 pixels, exactly as
// numpy's forward pass did (mnist_mlp.ref.npz: its argmax per digit and the margin between its
// two highest probabilities). Exits 77 (skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/keras.hpp>
#include <xtnn/io/npz.hpp>

#include "approx.hpp"
#include "data_dir.hpp"

TEST_CASE("keras: the MNIST MLP .keras gives numpy's argmax on all 10,000 test digits")
{
    const std::string fixtures = XTNN_KERAS_FIXTURES;
    const auto net = xtnn::io::load_keras<float>(fixtures + "/mnist_mlp.keras");
    const auto ref = xtnn::io::read_npz(fixtures + "/mnist_mlp.ref.npz");
    const xt::xarray<int> expected = xtnn::io::find_array(ref, "predicted")->as<int>();
    const xt::xarray<double> margin = xtnn::io::find_array(ref, "margin")->as<double>();

    // the first eight digits' probabilities, to 1e-5
    const xt::xarray<float> x8 = xtnn::io::find_array(ref, "x")->as<float>();
    const xt::xarray<double> y8 = xtnn::io::find_array(ref, "y")->as<double>();
    xtnn_test::require_all_close(net.predict(xtnn::matrix<float>(x8)), y8, 1e-5);

    xtnn::data::mnist_options options;
    options.normalize = false;  // raw pixels: the model's Rescaling divides by 255
    const auto test = xtnn::data::load_mnist_part<float>(xtnn_test::data_dir(),
                                                         xtnn::data::mnist_part::test, options);
    REQUIRE(test.size() == 10000);
    REQUIRE(expected.size() == 10000);
    const xtnn::matrix<float> y = net.predict(xtnn::matrix<float>(test.images));
    std::size_t same = 0, correct_xtnn = 0, correct_numpy = 0;
    for (std::size_t i = 0; i < 10000; ++i)
    {
        const auto row = xt::view(y, i, xt::all());
        const int got = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
        const int label = static_cast<int>(test.labels(i));
        same += got == expected(i);
        correct_xtnn += got == label;
        correct_numpy += expected(i) == label;
        if (got != expected(i))
        {
            // only a near tie between two classes may fall either way in float32
            INFO("digit " << i << ": xtnn " << got << ", numpy " << expected(i) << ", margin "
                          << margin(i));
            CHECK(margin(i) < 1e-5);
        }
    }
    std::cout << "keras mnist_mlp: same argmax as numpy on " << same << " of 10000 digits; "
              << "accuracy " << correct_xtnn / 10000.0 << " (numpy " << correct_numpy / 10000.0
              << ")\n";
    REQUIRE(same >= 9999);
    // numpy's count of correct answers, from the script, against the labels read here
    const auto numpy_correct = xtnn::io::find_array(ref, "correct")->as<std::int64_t>();
    REQUIRE(correct_numpy == static_cast<std::size_t>(numpy_correct()));
    REQUIRE(correct_xtnn >= 9000);  // a trained model, not a fluke of agreeing on noise
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
