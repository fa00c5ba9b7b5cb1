// SPDX-License-Identifier: MIT
// The backward pass over a network, against numpy (float64), with the two-layer network of
// test_network.cpp (sigmoid 3→2, softmax 2→2) and one-hot targets [[0, 1], [1, 0]]:
//   loss = 0.718209172369858
//   dW2 = [[-0.03899857766793376, 0.03899857766793378], [-0.11614921335409983,
//   0.11614921335409986]] db2 = [-0.15722505578979776, 0.15722505578979779] dW1 =
//   [[0.20121244591051443, -0.1169505040825603], [0.07676802086229942, -0.005574185601347571],
//          [-0.047676404185915594, 0.10580213287986517]]
//   db1 = [-0.059313050856469124, 0.06571095396845814]
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/backprop.hpp>
#include <xtnn/optimizer.hpp>

#include "approx.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_network;
using xtnn_test::example_x;
template <class T>
const std::vector<T> example_t{0, 1, 1, 0};
const std::vector<std::size_t> example_labels{1, 0};
}  // namespace

TEMPLATE_TEST_CASE("backprop: loss_and_gradients matches numpy on a two-layer network", "", float,
                   double)
{
    const auto net = example_network<TestType>();
    xtnn::gradients<TestType> grads(net);
    xtnn::workspace<TestType> ws;
    xtnn::backprop_buffers<TestType> buffers;
    xtnn::targets_ref<TestType> t;
    t.one_hot = example_t<TestType>.data();
    const TestType loss = xtnn::loss_and_gradients<TestType, xtnn::softmax_cross_entropy>(
        net, example_x<TestType>.data(), 2, t, ws, buffers, grads);
    REQUIRE(loss == Approx(0.718209172369858).epsilon(1e-6));
    const double tolerance = 1e-6;
    xtnn_test::require_all_close(grads.weights(1),
                                 std::vector<double>{-0.03899857766793376, 0.03899857766793378,
                                                     -0.11614921335409983, 0.11614921335409986},
                                 tolerance);
    xtnn_test::require_all_close(
        grads.bias(1), std::vector<double>{-0.15722505578979776, 0.15722505578979779}, tolerance);
    xtnn_test::require_all_close(grads.weights(0),
                                 std::vector<double>{0.20121244591051443, -0.1169505040825603,
                                                     0.07676802086229942, -0.005574185601347571,
                                                     -0.047676404185915594, 0.10580213287986517},
                                 tolerance);
    xtnn_test::require_all_close(
        grads.bias(0), std::vector<double>{-0.059313050856469124, 0.06571095396845814}, tolerance);

    // Integer labels give the same gradients, bit for bit; so does the run-time loss_kind.
    xtnn::gradients<TestType> from_labels(net);
    xtnn::targets_ref<TestType> labels;
    labels.indices = example_labels.data();
    const TestType loss_from_labels =
        xtnn::loss_and_gradients(xtnn::loss_kind::softmax_cross_entropy, net,
                                 example_x<TestType>.data(), 2, labels, ws, buffers, from_labels);
    REQUIRE(loss_from_labels == loss);
    for (std::size_t slot = 0; slot < grads.slots(); ++slot)
    {
        const TestType* a = grads.slot_data(slot);
        const TestType* b = from_labels.slot_data(slot);
        xtnn_test::require_all_close(std::vector<TestType>(a, a + grads.slot_size(slot)),
                                     std::vector<TestType>(b, b + grads.slot_size(slot)), 0);
    }
}

TEST_CASE("backprop: slots are W1, b1, W2, b2 for both parameters and gradients")
{
    auto net = example_network<float>();
    xtnn::gradients<float> grads(net);
    REQUIRE(grads.slots() == 4);
    REQUIRE(xtnn::parameter_slots(net) == 4);
    REQUIRE(grads.fits(net));
    const std::size_t sizes[] = {6, 2, 4, 2};
    for (std::size_t slot = 0; slot < 4; ++slot)
    {
        REQUIRE(grads.slot_size(slot) == sizes[slot]);
        REQUIRE(xtnn::parameter_size(net, slot) == sizes[slot]);
    }
    REQUIRE(xtnn::parameter_data(net, 0) == net.layer(0).weights().data());
    REQUIRE(xtnn::parameter_data(net, 1) == net.layer(0).bias().data());
    REQUIRE(xtnn::parameter_data(net, 2) == net.layer(1).weights().data());
    REQUIRE(xtnn::parameter_data(net, 3) == net.layer(1).bias().data());
    REQUIRE(grads.slot_data(2) == grads.weights(1).data());
    REQUIRE(grads.slot_data(3) == grads.bias(1).data());
    REQUIRE_THROWS_AS(grads.slot_data(4), std::out_of_range);

    const xtnn::network<float> other({3, 5, 2}, xtnn::activation_kind::relu,
                                     xtnn::activation_kind::softmax);
    REQUIRE_FALSE(grads.fits(other));
}

TEST_CASE("backprop: cross-entropy without a softmax output is refused, naming the layer")
{
    const auto net = example_network<float>(xtnn::activation_kind::sigmoid);
    xtnn::gradients<float> grads(net);
    xtnn::workspace<float> ws;
    xtnn::backprop_buffers<float> buffers;
    xtnn::targets_ref<float> t;
    t.indices = example_labels.data();
    REQUIRE_THROWS_WITH((xtnn::loss_and_gradients<float, xtnn::softmax_cross_entropy>(
                            net, example_x<float>.data(), 2, t, ws, buffers, grads)),
                        Catch::Matchers::Contains("softmax output layer") &&
                            Catch::Matchers::Contains("layer 2 has sigmoid"));
    // MSE is fine with any output activation.
    REQUIRE_NOTHROW(xtnn::loss_and_gradients<float, xtnn::mean_squared_error>(
        net, example_x<float>.data(), 2, t, ws, buffers, grads));
}

TEST_CASE("backprop: backward refuses a workspace from another batch or gradients of another "
          "network")
{
    const auto net = example_network<float>();
    xtnn::workspace<float> ws;
    net.forward(example_x<float>.data(), 2, ws);
    xtnn::backprop_buffers<float> buffers;
    xtnn::gradients<float> grads(net);
    std::vector<float> dz(4, 0.1f);
    REQUIRE_THROWS_AS(
        xtnn::backward(net, example_x<float>.data(), 1, ws, dz.data(), buffers, grads),
        xtnn::shape_error);
    xtnn::gradients<float> wrong(xtnn::network<float>({3, 4, 2}, xtnn::activation_kind::relu,
                                                      xtnn::activation_kind::softmax));
    REQUIRE_THROWS_AS(
        xtnn::backward(net, example_x<float>.data(), 2, ws, dz.data(), buffers, wrong),
        xtnn::shape_error);
}

TEST_CASE("backprop: repeated steps allocate nothing once the buffers have grown")
{
    const xtnn::network<float> net({3, 8, 8, 2}, xtnn::activation_kind::relu,
                                   xtnn::activation_kind::softmax);
    xtnn::gradients<float> grads(net);
    xtnn::workspace<float> ws;
    xtnn::backprop_buffers<float> buffers;
    xtnn::targets_ref<float> t;
    t.indices = example_labels.data();
    xtnn::loss_and_gradients<float, xtnn::softmax_cross_entropy>(net, example_x<float>.data(), 2, t,
                                                                 ws, buffers, grads);
    const float* delta_0 = buffers.delta(0);
    const float* delta_2 = buffers.delta(2);
    const float* w_grad = grads.weights(1).data();
    const auto out_before = ws.output().data();
    for (std::size_t batch : {2, 1, 2})
    {
        xtnn::loss_and_gradients<float, xtnn::softmax_cross_entropy>(net, example_x<float>.data(),
                                                                     batch, t, ws, buffers, grads);
        REQUIRE(buffers.delta(0) == delta_0);
        REQUIRE(buffers.delta(2) == delta_2);
        REQUIRE(grads.weights(1).data() == w_grad);
        REQUIRE(ws.output().data() == out_before);
    }
    REQUIRE(buffers.capacity() == 2);
}

TEMPLATE_TEST_CASE("backprop: loss_and_sgd_step is loss_and_gradients plus an SGD step", "", float,
                   double)
{
    for (double weight_decay : {0.0, 0.05})
    {
        for (std::size_t batch : {1, 2})
        {
            INFO("weight decay " << weight_decay << ", batch " << batch);
            auto fused = xtnn::network<TestType>({3, 4, 3, 2}, xtnn::activation_kind::tanh,
                                                 xtnn::activation_kind::softmax);
            for (std::size_t slot = 0; slot < xtnn::parameter_slots(fused); ++slot)
            {
                TestType* p = xtnn::parameter_data(fused, slot);
                for (std::size_t k = 0; k < xtnn::parameter_size(fused, slot); ++k)
                {
                    p[k] = static_cast<TestType>(0.1 * std::sin(1.0 + 7.0 * slot + 3.0 * k));
                }
            }
            auto separate = fused;
            xtnn::targets_ref<TestType> t;
            t.indices = example_labels.data();
            xtnn::workspace<TestType> ws;
            xtnn::backprop_buffers<TestType> buffers;

            xtnn::gradients<TestType> grads(separate);
            const TestType expected_loss =
                xtnn::loss_and_gradients<TestType, xtnn::softmax_cross_entropy>(
                    separate, example_x<TestType>.data(), batch, t, ws, buffers, grads);
            xtnn::optimizer_options options;
            options.learning_rate = 0.5;
            options.weight_decay = weight_decay;
            xtnn::optimizer<TestType>(options).step(separate, grads);

            const TestType loss = xtnn::loss_and_sgd_step<TestType, xtnn::softmax_cross_entropy>(
                fused, example_x<TestType>.data(), batch, t, ws, buffers, TestType(0.5),
                static_cast<TestType>(weight_decay));
            REQUIRE(loss == expected_loss);
            if (weight_decay == 0 && batch == 2)
            {
                // the run-time loss_kind face, with a double learning rate: same update again
                auto again = separate;
                xtnn::loss_and_sgd_step(xtnn::loss_kind::softmax_cross_entropy, again,
                                        example_x<TestType>.data(), batch, t, ws, buffers, 0.5);
                REQUIRE_FALSE(xtnn::parameter_data(again, 0)[0] ==
                              xtnn::parameter_data(separate, 0)[0]);
            }
            for (std::size_t slot = 0; slot < xtnn::parameter_slots(fused); ++slot)
            {
                const TestType* a = xtnn::parameter_data(fused, slot);
                const TestType* b = xtnn::parameter_data(separate, slot);
                const std::size_t n = xtnn::parameter_size(fused, slot);
                xtnn_test::require_all_close(std::vector<TestType>(a, a + n),
                                             std::vector<TestType>(b, b + n),
                                             std::is_same_v<TestType, float> ? 1e-6 : 1e-14);
            }
        }
    }
}
