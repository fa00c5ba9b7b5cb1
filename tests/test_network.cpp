// SPDX-License-Identifier: MIT
// Dense layers and networks, runtime and compile-time faces. Expected values from numpy:
//   X = [[1,2,3],[-1,0.5,2]]; W = [[0.1,-0.2],[0.3,0.4],[-0.5,0.6]]; b = [0.01,-0.02]
//   Z = X@W + b = [[-0.79, 2.38], [-0.94, 1.58]]
//   sigmoid(Z) = [[0.312168669, 0.915289434], [0.280900343, 0.829204518]]
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_layer;
using xtnn_test::example_x;
}  // namespace

TEMPLATE_TEST_CASE("dense: forward computes X·W + b for a batch and for one row", "", float, double)
{
    const auto layer = example_layer<TestType>(xtnn::activation_kind::sigmoid);
    std::vector<TestType> z(4), a(4);
    layer.forward(example_x<TestType>.data(), 2, z.data(), a.data());
    xtnn_test::require_all_close(z, std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-6);
    xtnn_test::require_all_close(
        a, std::vector<double>{0.312168669, 0.915289434, 0.280900343, 0.829204518}, 1e-6);

    // Batch 1 takes the gemv path; the second row alone must give the same numbers.
    std::vector<TestType> z1(2), a1(2);
    layer.forward(example_x<TestType>.data() + 3, 1, z1.data(), a1.data());
    xtnn_test::require_all_close(z1, std::vector<double>{-0.94, 1.58}, 1e-6);
    xtnn_test::require_all_close(a1, std::vector<double>{0.280900343, 0.829204518}, 1e-6);
}

TEST_CASE("dense: a bias that does not match the weights is refused with both shapes")
{
    REQUIRE_THROWS_AS(xtnn::dense_layer<float>(xtnn::matrix<float>(xt::zeros<float>({3, 2})),
                                               xtnn::vector<float>(xt::zeros<float>({3})),
                                               xtnn::activation_kind::relu),
                      xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::dense_layer<float>(xtnn::matrix<float>(xt::zeros<float>({3, 2})),
                                                 xtnn::vector<float>(xt::zeros<float>({3})),
                                                 xtnn::activation_kind::relu),
                        Catch::Matchers::Contains("(3, 2)") && Catch::Matchers::Contains("(3,)"));
}

TEMPLATE_TEST_CASE("network: two layers chain and expose every Z and A", "", float, double)
{
    // Layer 2: W2 = [[1, -1], [0, 2]], b2 = [0.5, 0], softmax.
    // numpy: Z2 = A1@W2 + b2 = [[0.812168669, 1.518410199], [0.780900343, 1.377508693]]
    //        softmax(Z2) = [[0.33042986, 0.66957014], [0.35512003, 0.64487997]]
    std::vector<xtnn::dense_layer<TestType>> layers{
        example_layer<TestType>(xtnn::activation_kind::sigmoid),
        xtnn_test::example_output_layer<TestType>(xtnn::activation_kind::softmax)};
    const xtnn::network<TestType> net(layers);
    REQUIRE(net.depth() == 2);
    REQUIRE(net.widths() == std::vector<std::size_t>{3, 2, 2});

    xtnn::workspace<TestType> ws;
    const auto y = net.predict(example_x<TestType>, ws);
    REQUIRE(y.shape()[0] == 2);
    REQUIRE(y.shape()[1] == 2);
    xtnn_test::require_all_close(
        ws.pre_activation(1),
        std::vector<double>{0.812168669, 1.518410199, 0.780900343, 1.377508693}, 1e-6);
    xtnn_test::require_all_close(
        y, std::vector<double>{0.33042986, 0.66957014, 0.35512003, 0.64487997}, 1e-6);
    xtnn_test::require_all_close(
        ws.activation(0), std::vector<double>{0.312168669, 0.915289434, 0.280900343, 0.829204518},
        1e-6);

    // The allocating overload, an xarray input, and one row at a time agree.
    xtnn_test::require_all_close(net.predict(example_x<TestType>), y, 0);
    const xt::xarray<TestType> as_xarray = example_x<TestType>;
    xtnn_test::require_all_close(net.predict(as_xarray), y, 0);
    const auto row1 = net.forward_rows(example_x<TestType>, 1, 1, ws);
    xtnn_test::require_all_close(row1, std::vector<double>{0.35512003, 0.64487997}, 1e-6);
}

TEST_CASE("network: inputs of the wrong width or rank are refused with the shapes")
{
    const xtnn::network<float> net({3, 4, 2}, xtnn::activation_kind::relu,
                                   xtnn::activation_kind::softmax);
    const xtnn::matrix<float> wrong = xt::zeros<float>({5, 4});
    REQUIRE_THROWS_AS(net.predict(wrong), xtnn::shape_error);
    REQUIRE_THROWS_WITH(net.predict(wrong), Catch::Matchers::Contains("(5, 4)") &&
                                                Catch::Matchers::Contains("(batch, 3)"));
    const xt::xarray<float> rank3 = xt::zeros<float>({2, 1, 3});
    REQUIRE_THROWS_WITH(net.predict(rank3), Catch::Matchers::Contains("(2, 1, 3)"));
    xtnn::workspace<float> ws;
    const xtnn::matrix<float> x = xt::zeros<float>({2, 3});
    REQUIRE_THROWS_WITH(net.forward_rows(x, 1, 2, ws), Catch::Matchers::Contains("[1, 3)"));
}

TEST_CASE("network: layers whose widths do not chain are refused naming the layer")
{
    std::vector<xtnn::dense_layer<float>> layers{
        xtnn::dense_layer<float>(3, 4, xtnn::activation_kind::relu),
        xtnn::dense_layer<float>(5, 2, xtnn::activation_kind::softmax)};
    REQUIRE_THROWS_AS(xtnn::network<float>(layers), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::network<float>(layers),
                        Catch::Matchers::Contains("layer 2 has weights (5, 2)") &&
                            Catch::Matchers::Contains("layer 1 outputs 4"));
    REQUIRE_THROWS_AS(
        xtnn::network<float>({3}, xtnn::activation_kind::relu, xtnn::activation_kind::softmax),
        xtnn::shape_error);

    // A weight matrix resized in place is caught at the next forward pass.
    xtnn::network<float> net({3, 4, 2}, xtnn::activation_kind::relu,
                             xtnn::activation_kind::softmax);
    net.layer(1).weights() = xt::zeros<float>({6, 2});
    REQUIRE_THROWS_AS(net.predict(xtnn::matrix<float>(xt::zeros<float>({1, 3}))),
                      xtnn::shape_error);
}

TEST_CASE("network: a workspace grows to the largest batch and then stays put")
{
    const xtnn::network<float> net({3, 4, 2}, xtnn::activation_kind::sigmoid,
                                   xtnn::activation_kind::softmax);
    xtnn::workspace<float> ws(net, 8);
    const xtnn::matrix<float> x = xt::ones<float>({8, 3});
    const float* before = &ws.output()(0, 0);
    net.forward_rows(x, 0, 5, ws);
    REQUIRE(ws.batch() == 5);
    REQUIRE(ws.capacity() == 8);
    net.forward_rows(x, 0, 8, ws);
    REQUIRE(&ws.output()(0, 0) == before);  // no reallocation for batches <= capacity
    REQUIRE(ws.output().shape()[0] == 8);
}

TEST_CASE("network: predict is safe from several threads on one network")
{
    const auto net = xtnn_test::example_network<float>();
    const xtnn::matrix<float> expected = net.predict(example_x<float>);

    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < mismatches.size(); ++t)
    {
        threads.emplace_back(
            [&, t]
            {
                xtnn::workspace<float> ws;
                for (int i = 0; i < 2000; ++i)
                {
                    const auto y = net.predict(example_x<float>, ws);
                    mismatches[t] += !(y == expected);
                }
            });
    }
    for (auto& thread : threads)
    {
        thread.join();
    }
    REQUIRE(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("fixed_network: the type names the architecture and computes like network")
{
    using net_type = xtnn::fixed_network<xtnn::dense<3, 2, xtnn::activation::sigmoid>,
                                         xtnn::dense<2, 2, xtnn::activation::softmax>>;
    static_assert(net_type::depth_v == 2 && net_type::inputs_v == 3 && net_type::outputs_v == 2);
    net_type net;
    REQUIRE(net.widths() == std::vector<std::size_t>{3, 2, 2});
    REQUIRE(net.layer<1>().activation() == xtnn::activation_kind::softmax);
    net.layer<0>() = example_layer<float>(xtnn::activation_kind::sigmoid);
    net.layer<1>() = xtnn_test::example_output_layer<float>(xtnn::activation_kind::softmax);
    xtnn_test::require_all_close(
        net.predict(example_x<float>),
        std::vector<double>{0.33042986, 0.66957014, 0.35512003, 0.64487997}, 1e-6);
    // It is a network: functions taking network<float> accept it.
    const xtnn::network<float>& as_runtime = net;
    REQUIRE(as_runtime.depth() == 2);
}

TEST_CASE("fixed_network: double value type")
{
    xtnn::fixed_network<xtnn::dense<3, 2, xtnn::activation::identity, double>> net;
    net.layer<0>() = example_layer<double>(xtnn::activation_kind::identity);
    xtnn_test::require_all_close(net.predict(example_x<double>),
                                 std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-14);
}
