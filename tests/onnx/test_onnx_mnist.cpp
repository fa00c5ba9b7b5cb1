// SPDX-License-Identifier: MIT
// The MNIST MLP that tests/fixtures/make_onnx_fixtures.py trained in torch and exported with
// torch.onnx.export: xtnn's class for each of the 10,000 MNIST test images (pixels / 255)
// must be torch's (mnist_mlp_argmax.npy). Exits 77 (skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/npy.hpp>
#include <xtnn/io/onnx.hpp>
#include <xtnn/xtnn.hpp>

#include "data_dir.hpp"

TEST_CASE("onnx mnist: xtnn gives torch's class for all 10,000 test images")
{
    const std::string fixtures = XTNN_ONNX_FIXTURES;
    const auto net = xtnn::io::load_onnx<float>(fixtures + "/mnist_mlp.onnx");
    REQUIRE(net.describe() == "784-32-10 (dense, relu, dense)");
    const auto torch_classes =
        xtnn::io::read_npy(fixtures + "/mnist_mlp_argmax.npy").as<std::int64_t>();
    const auto test = xtnn::data::load_mnist_part<float>(xtnn_test::data_dir(),
                                                         xtnn::data::mnist_part::test);
    const auto labels = xtnn::class_indices(test.labels);
    REQUIRE(labels.size() == 10000);
    REQUIRE(torch_classes.size() == 10000);

    const xtnn::matrix<float> scores = net.predict(test.images);
    std::vector<std::size_t> predicted(labels.size());
    xtnn::argmax_rows(scores.data(), labels.size(), net.outputs(), predicted.data());
    std::size_t same = 0, correct = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        same += predicted[i] == static_cast<std::size_t>(torch_classes(i));
        correct += predicted[i] == labels[i];
    }
    INFO("xtnn agrees with torch on " << same << " of 10000; accuracy " << correct / 1e4);
    CHECK(same == 10000);
    CHECK(correct == 9338);  // torch's accuracy 0.9338, printed by make_onnx_fixtures.py
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
