// SPDX-License-Identifier: MIT
// Dropout: the kept fraction, the scaling, the shared mask in backward, inference.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/dropout.hpp>
#include <xtnn/init.hpp>

TEMPLATE_TEST_CASE("dropout: keeps about 1 - rate of a large buffer, scaled by 1 / (1 - rate)", "",
                   float, double)
{
    for (double rate : {0.2, 0.5, 0.8})
    {
        INFO("rate " << rate);
        xtnn::dropout<TestType> layer(rate);
        std::mt19937 engine(1);
        const std::size_t size = 100000;
        std::vector<TestType> a(size, TestType(2));
        layer.forward_train(a.data(), size, engine);
        const TestType scaled = static_cast<TestType>(2 * (1.0 / (1.0 - rate)));
        std::size_t kept = 0, wrong = 0;
        for (auto v : a)
        {
            kept += v != TestType(0) ? 1 : 0;
            wrong += v != TestType(0) && v != scaled ? 1 : 0;
        }
        REQUIRE(wrong == 0);
        // binomial std of the kept fraction is sqrt(rate (1 - rate) / size) < 0.0016
        REQUIRE(static_cast<double>(kept) / size == Approx(1.0 - rate).margin(0.01));
    }
}

TEMPLATE_TEST_CASE("dropout: backward multiplies by the same mask as the forward pass", "", float,
                   double)
{
    xtnn::dropout<TestType> layer(0.5);
    std::mt19937 engine(9);
    std::vector<TestType> a(1000, TestType(1));
    layer.forward_train(a.data(), a.size(), engine);
    std::vector<TestType> grad(1000, TestType(3));
    layer.backward(grad.data(), grad.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        REQUIRE(grad[i] == 3 * a[i]);  // both are (1 or 3) · mask / (1 - rate)
        REQUIRE(layer.mask()[i] == a[i]);
    }
    REQUIRE_THROWS_AS(layer.backward(grad.data(), 999), xtnn::shape_error);
}

TEST_CASE("dropout: inference is the identity and rate 0 draws nothing")
{
    xtnn::dropout<float> layer(0.5);
    std::vector<float> a{1, 2, 3};
    layer.forward_inference(a.data(), a.size());
    REQUIRE(a == std::vector<float>{1, 2, 3});

    xtnn::dropout<float> none(0.0);
    std::mt19937 engine(3);
    std::mt19937 untouched(3);
    none.forward_train(a.data(), a.size(), engine);
    REQUIRE(a == std::vector<float>{1, 2, 3});
    REQUIRE(engine == untouched);
}

TEST_CASE("dropout: the same seed gives the same mask; the mask buffer is reused")
{
    xtnn::dropout<float> first(0.3), second(0.3);
    std::mt19937 engine_a(77), engine_b(77);
    std::vector<float> a(500, 1.0f), b(500, 1.0f);
    first.forward_train(a.data(), a.size(), engine_a);
    second.forward_train(b.data(), b.size(), engine_b);
    REQUIRE(a == b);
    const float* mask = first.mask();
    first.forward_train(a.data(), 200, engine_a);  // smaller: no reallocation
    REQUIRE(first.mask() == mask);
    REQUIRE(first.size() == 200);
}

TEST_CASE("dropout: a rate outside [0, 1) is refused")
{
    REQUIRE_THROWS_WITH(xtnn::dropout<float>(1.0), Catch::Matchers::Contains("0 <= rate < 1"));
    REQUIRE_THROWS_AS(xtnn::dropout<float>(-0.1), xtnn::error);
}

namespace
{
xtnn::network<double> three_layer_net(xtnn::activation_kind hidden)
{
    xtnn::network<double> net({5, 6, 4, 3}, hidden, xtnn::activation_kind::softmax);
    std::mt19937 engine(8);
    xtnn::initialize(net, engine, xtnn::init_kind::normal, 0.5);
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        net.layer(i).bias().fill(0.1);
    }
    return net;
}

const std::vector<double> batch_x{0.3,  -1.2, 0.5, 2.0,  -0.7, 1.1, 0.4,  -0.3, 0.9, -1.5,
                                  -0.8, 0.6,  1.4, -0.2, 0.05, 0.7, -1.1, 0.2,  0.3, 1.6};
const std::vector<std::size_t> batch_labels{2, 0, 1, 2};
}  // namespace

TEST_CASE("dropout: a training pass with rate 0 (or no dropouts) is loss_and_gradients")
{
    const auto net = three_layer_net(xtnn::activation_kind::relu);
    xtnn::targets_ref<double> t;
    t.indices = batch_labels.data();
    xtnn::workspace<double> ws;
    xtnn::backprop_buffers<double> buffers;
    xtnn::gradients<double> expected(net);
    const double loss = xtnn::loss_and_gradients<double, xtnn::softmax_cross_entropy>(
        net, batch_x.data(), 4, t, ws, buffers, expected);

    std::mt19937 engine(1);
    xtnn::dropout_workspace<double> dws;
    for (std::vector<xtnn::dropout<double>> hidden :
         {std::vector<xtnn::dropout<double>>{},
          std::vector<xtnn::dropout<double>>(2, xtnn::dropout<double>(0.0))})
    {
        xtnn::gradients<double> grads(net);
        const double with_dropout =
            xtnn::loss_and_gradients_with_dropout<double, xtnn::softmax_cross_entropy>(
                net, batch_x.data(), 4, t, hidden, engine, dws, buffers, grads);
        REQUIRE(with_dropout == loss);
        for (std::size_t slot = 0; slot < grads.slots(); ++slot)
        {
            for (std::size_t k = 0; k < grads.slot_size(slot); ++k)
            {
                REQUIRE(grads.slot_data(slot)[k] == expected.slot_data(slot)[k]);
            }
        }
    }
    std::vector<xtnn::dropout<double>> wrong_count(1, xtnn::dropout<double>(0.5));
    xtnn::gradients<double> grads(net);
    REQUIRE_THROWS_WITH((xtnn::loss_and_gradients_with_dropout<double, xtnn::softmax_cross_entropy>(
                            net, batch_x.data(), 4, t, wrong_count, engine, dws, buffers, grads)),
                        Catch::Matchers::Contains("expected one per hidden layer, 2"));
}

TEST_CASE("dropout: training-pass gradients match central differences with the mask held fixed")
{
    // The mask depends only on the engine's state: restarting the engine from the same seed
    // for every evaluation makes the dropped network's loss a plain function of the weights.
    for (auto hidden_kind : {xtnn::activation_kind::sigmoid, xtnn::activation_kind::tanh})
    {
        INFO("hidden activation " << xtnn::to_string(hidden_kind));
        auto net = three_layer_net(hidden_kind);
        xtnn::targets_ref<double> t;
        t.indices = batch_labels.data();
        std::vector<xtnn::dropout<double>> hidden{xtnn::dropout<double>(0.5),
                                                  xtnn::dropout<double>(0.3)};
        xtnn::dropout_workspace<double> dws;
        xtnn::backprop_buffers<double> buffers;
        xtnn::gradients<double> analytic(net), scratch(net);
        const auto loss_at = [&](xtnn::gradients<double>& grads)
        {
            std::mt19937 engine(12345);
            return xtnn::loss_and_gradients_with_dropout<double, xtnn::softmax_cross_entropy>(
                net, batch_x.data(), 4, t, hidden, engine, dws, buffers, grads);
        };
        loss_at(analytic);
        // some units really are dropped
        std::size_t zeros = 0;
        for (std::size_t k = 0; k < 4 * 6; ++k)
        {
            zeros += dws.dropped(0)[k] == 0.0 ? 1 : 0;
        }
        REQUIRE(zeros > 0);
        const double h = 1e-5;
        double worst = 0;
        for (std::size_t slot = 0; slot < analytic.slots(); ++slot)
        {
            double* p = xtnn::parameter_data(net, slot);
            for (std::size_t k = 0; k < analytic.slot_size(slot); ++k)
            {
                const double saved = p[k];
                p[k] = saved + h;
                const double plus = loss_at(scratch);
                p[k] = saved - h;
                const double minus = loss_at(scratch);
                p[k] = saved;
                const double numerical = (plus - minus) / (2 * h);
                const double a = analytic.slot_data(slot)[k];
                worst = std::max(worst, std::fabs(a - numerical) /
                                            std::max({std::fabs(a), std::fabs(numerical), 1e-2}));
            }
        }
        REQUIRE(worst < 1e-5);  // cross-entropy's 1e-7 keeps it from 1e-8; a bug gives O(1)
    }
}

TEST_CASE("dropout: repeated training passes allocate nothing once warmed up")
{
    const auto net = three_layer_net(xtnn::activation_kind::relu);
    xtnn::targets_ref<double> t;
    t.indices = batch_labels.data();
    std::vector<xtnn::dropout<double>> hidden(2, xtnn::dropout<double>(0.5));
    std::mt19937 engine(4);
    xtnn::dropout_workspace<double> dws;
    xtnn::backprop_buffers<double> buffers;
    xtnn::gradients<double> grads(net);
    xtnn::loss_and_gradients_with_dropout<double, xtnn::softmax_cross_entropy>(
        net, batch_x.data(), 4, t, hidden, engine, dws, buffers, grads);
    const double* dropped = dws.dropped(1);
    const double* mask = hidden[1].mask();
    const double* delta = buffers.delta(0);
    for (std::size_t batch : {4, 2, 4})
    {
        xtnn::loss_and_gradients_with_dropout<double, xtnn::softmax_cross_entropy>(
            net, batch_x.data(), batch, t, hidden, engine, dws, buffers, grads);
        REQUIRE(dws.dropped(1) == dropped);
        REQUIRE(hidden[1].mask() == mask);
        REQUIRE(buffers.delta(0) == delta);
        REQUIRE(dws.batch() == batch);
    }
}
