// SPDX-License-Identifier: MIT
// The compile-time face: the type names the architecture, the layers are the runtime ones
// (same numbers), and it converts to and from network<T>, saying what differs.
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>

#include "approx.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_x;

template <class T>
using example_type = xtnn::fixed_network<T, xtnn::fixed::dense<3, 2>, xtnn::fixed::sigmoid,
                                         xtnn::fixed::dense<2, 2>, xtnn::fixed::softmax>;
}  // namespace

TEMPLATE_TEST_CASE("fixed_network: the type names the architecture and computes like network", "",
                   float, double)
{
    using net_type = example_type<TestType>;
    static_assert(net_type::size_v == 4 && net_type::inputs_v == 3 && net_type::outputs_v == 2);
    static_assert(std::is_same_v<typename net_type::template layer_type<1>, xtnn::sigmoid<TestType>>);
    const net_type net(xtnn_test::example_network<TestType>());
    REQUIRE(net.widths() == std::vector<std::size_t>{3, 2, 2, 2, 2});
    xtnn::workspace<TestType> ws;
    const auto y = net.predict(example_x<TestType>, ws);
    xtnn_test::require_all_close(
        y, std::vector<double>{0.33042986, 0.66957014, 0.35512003, 0.64487997}, 1e-6);
    xtnn_test::require_all_close(ws.output(0), std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-6);
    // The very same numbers as the runtime face: one implementation of the math.
    xtnn_test::require_equal(net.predict(example_x<TestType>),
                             xtnn_test::example_network<TestType>().predict(example_x<TestType>));
}

TEST_CASE("fixed_network: converts to a runtime network and back, bit for bit")
{
    xtnn::network<float> runtime{xtnn::dense(3, 6), xtnn::batch_norm(), xtnn::leaky_relu(0.2),
                                 xtnn::dropout(0.1), xtnn::dense(2), xtnn::softmax()};
    std::mt19937_64 engine(5);
    xtnn::initialize(runtime, engine, xtnn::init_kind::he);
    runtime.layer<xtnn::batch_norm<float>>(1).running_mean() = {0.1f, -0.2f, 0.3f, 0, 0.5f, -0.1f};

    using fixed_type =
        xtnn::fixed_network<float, xtnn::fixed::dense<3, 6>, xtnn::fixed::batch_norm,
                            xtnn::fixed::leaky_relu, xtnn::fixed::dropout, xtnn::fixed::dense<6, 2>,
                            xtnn::fixed::softmax>;
    const fixed_type fixed(runtime);
    // Settings come across with the layers (the type's leaky_relu has the default alpha).
    REQUIRE(fixed.layer<2>().alpha() == 0.2);
    REQUIRE(fixed.layer<3>().rate() == 0.1);
    xtnn_test::require_equal(fixed.predict(example_x<float>), runtime.predict(example_x<float>));

    const xtnn::network<float> back = fixed.to_network();
    REQUIRE(back.describe() == runtime.describe());
    xtnn_test::require_equal(back.predict(example_x<float>), runtime.predict(example_x<float>));
}

TEST_CASE("fixed_network: a runtime network of another architecture is refused with what differs")
{
    const auto runtime = xtnn_test::example_network<float>();
    using other_activation = xtnn::fixed_network<float, xtnn::fixed::dense<3, 2>, xtnn::fixed::relu,
                                                 xtnn::fixed::dense<2, 2>, xtnn::fixed::softmax>;
    REQUIRE_THROWS_WITH(other_activation(runtime),
                        Catch::Matchers::Contains("layer 2 (sigmoid_1) is a sigmoid") &&
                            Catch::Matchers::Contains("expects a relu"));
    using other_width = xtnn::fixed_network<float, xtnn::fixed::dense<3, 4>, xtnn::fixed::sigmoid,
                                            xtnn::fixed::dense<4, 2>, xtnn::fixed::softmax>;
    REQUIRE_THROWS_WITH(other_width(runtime), Catch::Matchers::Contains("layer 1 (dense_1) maps 3 -> 2") &&
                                                  Catch::Matchers::Contains("expects 3 -> 4"));
    using shorter = xtnn::fixed_network<float, xtnn::fixed::dense<3, 2>, xtnn::fixed::softmax>;
    REQUIRE_THROWS_WITH(shorter(runtime), Catch::Matchers::Contains("the type has 2 layers") &&
                                              Catch::Matchers::Contains("the network has 4"));
}

TEST_CASE("fixed_network: parameters are written in place, their shapes fixed by the type")
{
    xtnn::fixed_network<double, xtnn::fixed::dense<3, 2>, xtnn::fixed::identity> net;
    const auto kernel = net.parameter<0>(0);
    REQUIRE(kernel.name == "kernel");
    REQUIRE(kernel.shape == xtnn::array_shape{3, 2});
    const std::vector<double> w{0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
    std::copy(w.begin(), w.end(), kernel.data);
    const auto bias = net.parameter<0>(1);
    bias.data[0] = 0.01;
    bias.data[1] = -0.02;
    xtnn_test::require_all_close(net.predict(example_x<double>),
                                 std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-14);
    REQUIRE_THROWS_AS(net.predict(xtnn::matrix<double>(xt::zeros<double>({1, 4}))),
                      xtnn::shape_error);
}
