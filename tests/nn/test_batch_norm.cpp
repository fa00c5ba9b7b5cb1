// SPDX-License-Identifier: MIT
// BatchNorm against PyTorch's BatchNorm1d (reference/layer_reference.hpp, made by
// reference/make_layer_reference.py with eps 1e-5, momentum 0.1 — 0.9 in xtnn's Keras
// convention — gamma [1.5, -0.5, 2], beta [0.1, 0.2, -0.3]): training output and gradients,
// the running statistics after one and two training steps, and inference with them.
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn/batch_norm.hpp>

#include "approx.hpp"
#include "layer_harness.hpp"
#include "reference/layer_reference.hpp"

namespace
{
namespace ref = xtnn_reference;
using xtnn_test::run_layer;
using xtnn_test::values;

template <class T>
xtnn::batch_norm<T> torch_like()
{
    xtnn::batch_norm<T> layer;  // momentum 0.9, epsilon 1e-5, unbiased running variance
    layer.build(3);
    layer.gamma() = {1.5, -0.5, 2.0};
    layer.beta() = {0.1, 0.2, -0.3};
    return layer;
}

template <class T>
double tolerance()
{
    return std::is_same_v<T, float> ? 1e-5 : 1e-12;
}
}  // namespace

TEMPLATE_TEST_CASE("batch_norm: training mode matches PyTorch, outputs, gradients and running "
                   "statistics",
                   "", float, double)
{
    const double tol = tolerance<TestType>();
    auto layer = torch_like<TestType>();
    const auto run = run_layer(layer, values<TestType>(ref::x), 4, values<TestType>(ref::grad_y), true);
    xtnn_test::require_all_close(run.y, ref::bn_train_y, tol);
    xtnn_test::require_all_close(run.grad_x, ref::bn_train_dx, tol);
    xtnn_test::require_all_close(run.grads.at(0), ref::bn_dgamma, tol);
    xtnn_test::require_all_close(run.grads.at(1), ref::bn_dbeta, tol);
    xtnn_test::require_all_close(layer.running_mean(), ref::bn_running_mean_1, tol);
    xtnn_test::require_all_close(layer.running_variance(), ref::bn_running_var_1, tol);

    // A second step, of 3 rows, moves them again as PyTorch does.
    run_layer(layer, values<TestType>(ref::x2), 3, {}, true);
    xtnn_test::require_all_close(layer.running_mean(), ref::bn_running_mean_2, tol);
    xtnn_test::require_all_close(layer.running_variance(), ref::bn_running_var_2, tol);

    // Inference uses the running statistics; its backward treats them as constants.
    const auto eval = run_layer(layer, values<TestType>(ref::x), 4, values<TestType>(ref::grad_y));
    xtnn_test::require_all_close(eval.y, ref::bn_eval_y, tol);
    xtnn_test::require_all_close(eval.grad_x, ref::bn_eval_dx, tol);
}

TEST_CASE("batch_norm: inference does not change the running statistics; training does")
{
    auto layer = torch_like<double>();
    run_layer(layer, values<double>(ref::x), 4, {});
    xtnn_test::require_all_close(layer.running_mean(), std::vector<double>{0, 0, 0}, 0);
    xtnn_test::require_all_close(layer.running_variance(), std::vector<double>{1, 1, 1}, 0);
}

TEST_CASE("batch_norm: with unbiased = false the running variance is Keras's biased one")
{
    xtnn::batch_norm<double> layer(0.99, 1e-3, false);  // Keras's defaults
    layer.build(3);
    run_layer(layer, values<double>(ref::x), 4, {}, true);
    // 0.99·1 + 0.01·σ² (biased), 0.99·0 + 0.01·μ
    std::vector<double> variance, mean;
    for (std::size_t c = 0; c < 3; ++c)
    {
        variance.push_back(0.99 + 0.01 * ref::bn_batch_var[c]);
        mean.push_back(0.01 * ref::bn_batch_mean[c]);
    }
    xtnn_test::require_all_close(layer.running_variance(), variance, 1e-12);
    xtnn_test::require_all_close(layer.running_mean(), mean, 1e-12);
}

TEST_CASE("batch_norm: training-mode gradients match central differences through the batch "
          "statistics")
{
    auto layer = torch_like<double>();
    const std::vector<double> x = values<double>(ref::x);
    const std::vector<double> g = values<double>(ref::grad_y);
    auto copy = layer;
    const auto run = run_layer(copy, x, 4, g, true);
    xtnn_test::require_all_close(run.grad_x,
                                 xtnn_test::numerical_input_gradient(layer, x, 4, g, true), 1e-7);
    for (std::size_t p = 0; p < 2; ++p)
    {
        xtnn_test::require_all_close(
            run.grads.at(p), xtnn_test::numerical_parameter_gradient(layer, p, x, 4, g, true), 1e-7);
    }
}

TEST_CASE("batch_norm: parameters, state, defaults and widths")
{
    xtnn::batch_norm<float> layer;
    REQUIRE(layer.input_width() == 0);
    REQUIRE(layer.build(4) == 4);
    REQUIRE((layer.gamma() == xtnn::vector<float>{1, 1, 1, 1}));
    REQUIRE((layer.running_variance() == xtnn::vector<float>{1, 1, 1, 1}));
    REQUIRE(layer.parameter(0).name == "gamma");
    REQUIRE(layer.parameter(1).name == "beta");
    REQUIRE(layer.state(0).name == "moving_mean");
    REQUIRE(layer.state(1).name == "moving_variance");
    // No weight decay on gamma or beta by default.
    REQUIRE(layer.parameter(0).options->weight_decay == 0);
    REQUIRE(layer.parameter(1).options->weight_decay == 0);
    REQUIRE_THROWS_WITH(layer.build(5), Catch::Matchers::Contains("built for 4 inputs; got 5"));
    REQUIRE_THROWS_AS(xtnn::batch_norm<float>(1.5), xtnn::error);
    REQUIRE_THROWS_AS(xtnn::batch_norm<float>(0.9, 0.0), xtnn::error);
    REQUIRE(xtnn::batch_norm<float>::from_config({{"momentum", 0.99}, {"epsilon", 1e-3}}).epsilon() ==
            1e-3);
}
