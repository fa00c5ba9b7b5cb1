// SPDX-License-Identifier: MIT
// The one forward/backward pass, against numpy (float64), with the network of
// example_network.hpp (dense 3→2, sigmoid, dense 2→2, softmax) and one-hot targets
// [[0, 1], [1, 0]]:
//   loss = 0.718209172369858
//   dW2 = [[-0.03899857766793376, 0.03899857766793378], [-0.11614921335409983,
//          0.11614921335409986]],  db2 = [-0.15722505578979776, 0.15722505578979779]
//   dW1 = [[0.20121244591051443, -0.1169505040825603], [0.07676802086229942,
//          -0.005574185601347571], [-0.047676404185915594, 0.10580213287986517]]
//   db1 = [-0.059313050856469124, 0.06571095396845814]
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>
#include <xtnn/train.hpp>

#include "approx.hpp"
#include "counting_allocator.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_network;
using xtnn_test::example_x;
template <class T>
const std::vector<T> example_t{0, 1, 1, 0};
const std::vector<std::size_t> example_labels{1, 0};

template <class T>
std::vector<T> gradient(const xtnn::parameters<T>& params, const std::string& name)
{
    const std::size_t i = params.find(name);
    REQUIRE(i < params.size());
    return std::vector<T>(params.gradient(i), params.gradient(i) + params.size(i));
}
}  // namespace

TEMPLATE_TEST_CASE("backprop: the gradients of every parameter match numpy", "", float, double)
{
    auto net = example_network<TestType>();
    xtnn::backprop<TestType> pass(net);
    std::mt19937_64 engine(1);
    const xtnn::targets_ref<TestType> t{example_t<TestType>.data(), nullptr};
    const TestType loss = pass.template run<xtnn::softmax_cross_entropy>(
        example_x<TestType>.data(), 2, t, xtnn::mode::training, engine);
    REQUIRE(loss == Approx(0.718209172369858).epsilon(1e-6));
    const auto& params = pass.parameters();
    REQUIRE(params.size() == 4);
    REQUIRE(params.name(0) == "dense_1/kernel");
    REQUIRE(params.name(3) == "dense_2/bias");
    const double tolerance = 1e-6;
    xtnn_test::require_all_close(gradient(params, "dense_2/kernel"),
                                 std::vector<double>{-0.03899857766793376, 0.03899857766793378,
                                                     -0.11614921335409983, 0.11614921335409986},
                                 tolerance);
    xtnn_test::require_all_close(gradient(params, "dense_2/bias"),
                                 std::vector<double>{-0.15722505578979776, 0.15722505578979779},
                                 tolerance);
    xtnn_test::require_all_close(gradient(params, "dense_1/kernel"),
                                 std::vector<double>{0.20121244591051443, -0.1169505040825603,
                                                     0.07676802086229942, -0.005574185601347571,
                                                     -0.047676404185915594, 0.10580213287986517},
                                 tolerance);
    xtnn_test::require_all_close(gradient(params, "dense_1/bias"),
                                 std::vector<double>{-0.059313050856469124, 0.06571095396845814},
                                 tolerance);

    // Integer labels give the same gradients bit for bit; so does the run-time loss_kind, and
    // so does inference mode (no layer here differs between the modes).
    xtnn::backprop<TestType> by_labels(net);
    const TestType loss_from_labels =
        by_labels.run(xtnn::loss_kind::softmax_cross_entropy, example_x<TestType>.data(), 2,
                      {nullptr, example_labels.data()}, xtnn::mode::inference, engine);
    REQUIRE(loss_from_labels == loss);
    for (std::size_t i = 0; i < params.size(); ++i)
    {
        REQUIRE(gradient(by_labels.parameters(), params.name(i)) == gradient(params, params.name(i)));
    }
}

TEST_CASE("backprop: a loss fused with softmax needs a softmax last layer, naming the layer")
{
    auto net = example_network<float>(xtnn::sigmoid<float>());
    xtnn::backprop<float> pass(net);
    std::mt19937_64 engine(1);
    REQUIRE_THROWS_WITH(pass.run<xtnn::softmax_cross_entropy>(example_x<float>.data(), 2,
                                                              {nullptr, example_labels.data()},
                                                              xtnn::mode::training, engine),
                        Catch::Matchers::Contains("softmax_cross_entropy needs a softmax last layer") &&
                            Catch::Matchers::Contains("layer 4 (sigmoid_2) is a sigmoid"));
    // Mean squared error goes through any last layer.
    REQUIRE(std::isfinite(pass.run<xtnn::mean_squared_error>(
        example_x<float>.data(), 2, {nullptr, example_labels.data()}, xtnn::mode::training, engine)));
    REQUIRE_THROWS_WITH(pass.run<xtnn::mean_squared_error>(example_x<float>.data(), 0,
                                                           {nullptr, example_labels.data()},
                                                           xtnn::mode::training, engine),
                        Catch::Matchers::Contains("empty batch"));
}

TEST_CASE("backprop: layers before the first with parameters are not differentiated")
{
    // Input dropout and rescaling ahead of the first dense layer: the gradients are those of
    // the same network fed the dropped, rescaled input.
    xtnn::network<double> net{xtnn::dropout(0.5), xtnn::rescale(2.0), xtnn::dense(3, 4),
                              xtnn::tanh(), xtnn::dense(2), xtnn::softmax()};
    std::mt19937_64 init(4);
    xtnn::initialize(net, init, xtnn::init_kind::xavier);
    xtnn::backprop<double> pass(net);
    std::mt19937_64 engine(9);
    const xtnn::targets_ref<double> t{nullptr, example_labels.data()};
    pass.run<xtnn::softmax_cross_entropy>(example_x<double>.data(), 2, t, xtnn::mode::training,
                                          engine);
    const auto dropped = pass.workspace().output(1);  // the rescaled, dropped input
    const xtnn::matrix<double> x_seen = dropped;

    xtnn::network<double> rest(3, {net.layer(2), net.layer(3), net.layer(4), net.layer(5)});
    xtnn::backprop<double> plain(rest);
    plain.run<xtnn::softmax_cross_entropy>(x_seen.data(), 2, t, xtnn::mode::training, engine);
    for (std::size_t i = 0; i < plain.parameters().size(); ++i)
    {
        const auto& p = plain.parameters();
        xtnn_test::require_all_close(
            std::vector<double>(pass.parameters().gradient(i),
                                pass.parameters().gradient(i) + p.size(i)),
            std::vector<double>(p.gradient(i), p.gradient(i) + p.size(i)), 1e-15);
    }
}

TEST_CASE("backprop: repeated passes allocate nothing, for every layer kind, once the buffers "
          "have grown")
{
    xtnn::network<float> net{xtnn::rescale(0.5), xtnn::dropout(0.1), xtnn::dense(3, 8),
                             xtnn::batch_norm(),  xtnn::leaky_relu(), xtnn::dropout(0.3),
                             xtnn::dense(8),      xtnn::layer_norm(), xtnn::gelu(),
                             xtnn::elu(),         xtnn::silu(),       xtnn::softplus(),
                             xtnn::tanh(),        xtnn::sigmoid(),    xtnn::identity(),
                             xtnn::relu(),        xtnn::dense(2),     xtnn::softmax()};
    std::mt19937_64 engine(2);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    xtnn::backprop<float> pass(net);
    const xtnn::targets_ref<float> t{nullptr, example_labels.data()};
    pass.run<xtnn::softmax_cross_entropy>(example_x<float>.data(), 2, t, xtnn::mode::training,
                                          engine);
    const std::size_t before = xtnn_test::allocations.load();
    for (std::size_t rows : {2, 1, 2})
    {
        for (const auto mode : {xtnn::mode::training, xtnn::mode::inference})
        {
            pass.run<xtnn::softmax_cross_entropy>(example_x<float>.data(), rows, t, mode, engine);
            pass.run<xtnn::mean_squared_error>(example_x<float>.data(), rows, t, mode, engine);
        }
    }
    REQUIRE(xtnn_test::allocations.load() == before);
}
