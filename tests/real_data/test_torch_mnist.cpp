// SPDX-License-Identifier: MIT
// A 784-32-10 MLP (Linear, BatchNorm1d, ReLU, Dropout, Linear) trained by PyTorch on MNIST
// with torchvision's normalisation (tests/fixtures/make_torch_fixtures.py), read from its
// state_dict with the layers and the scaling given as mnist_inference takes them, classifies
// the 10,000 MNIST test images exactly as torch did: the same argmax for every image, and so
// torch's test accuracy. Exits 77 (skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <cstddef>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/interop.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"

namespace
{
const std::string fixtures = std::string(XTNN_TEST_FIXTURES) + "/torch/";
}

TEST_CASE("torch mnist: xtnn gives torch's argmax on all 10,000 test images")
{
    std::ifstream in(fixtures + "mnist.json");
    const auto expected = nlohmann::json::parse(in);
    xtnn::io::import_options options;
    options.layers = expected["layers"].get<std::string>();
    options.prepend = expected["prepend"].get<std::string>();
    const auto net = xtnn::io::import_model<float>(fixtures + "mnist.pt", options).loaded.net;
    REQUIRE(net.describe() == "784-32-10 (rescale, dense, batch_norm, relu, dropout, dense)");

    xtnn::data::mnist_options raw;
    raw.normalize = false;  // 0..255: the prepended rescale is torchvision's normalisation
    const auto test =
        xtnn::data::load_mnist_part<float>(xtnn_test::data_dir(), xtnn::data::mnist_part::test, raw);
    const auto predicted = xtnn::argmax_rows(net.predict(test.images));
    const auto torch_argmax = xtnn::io::read_npy(fixtures + "mnist.argmax.npy").as<int>();
    REQUIRE(predicted.size() == 10000);
    REQUIRE(torch_argmax.size() == 10000);
    std::size_t agree = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i)
    {
        agree += predicted[i] == static_cast<std::size_t>(torch_argmax(i));
    }
    CHECK(agree == 10000);
    const auto labels = xtnn::class_indices(test.labels);
    CHECK(xtnn::accuracy(predicted, labels) == Approx(expected["test_accuracy"].get<double>()).margin(1e-12));
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
