// SPDX-License-Identifier: MIT
// LayerNorm against PyTorch's LayerNorm(3, eps=1e-5) with gamma [0.5, 2, -1] and beta
// [0, -0.1, 0.3] (reference/layer_reference.hpp), and against central differences.
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn/layer_norm.hpp>

#include "approx.hpp"
#include "layer_harness.hpp"
#include "reference/layer_reference.hpp"

namespace
{
namespace ref = xtnn_reference;
using xtnn_test::run_layer;
using xtnn_test::values;

template <class T>
xtnn::layer_norm<T> torch_like()
{
    xtnn::layer_norm<T> layer;
    layer.build(3);
    layer.gamma() = {0.5, 2.0, -1.0};
    layer.beta() = {0.0, -0.1, 0.3};
    return layer;
}
}  // namespace

TEMPLATE_TEST_CASE("layer_norm: matches PyTorch in training and inference mode", "", float, double)
{
    const double tol = std::is_same_v<TestType, float> ? 1e-5 : 1e-12;
    for (const bool training : {true, false})
    {
        INFO((training ? "training" : "inference"));
        auto layer = torch_like<TestType>();
        const auto run =
            run_layer(layer, values<TestType>(ref::x), 4, values<TestType>(ref::grad_y), training);
        xtnn_test::require_all_close(run.y, ref::ln_y, tol);
        xtnn_test::require_all_close(run.grad_x, ref::ln_dx, tol);
        xtnn_test::require_all_close(run.grads.at(0), ref::ln_dgamma, tol);
        xtnn_test::require_all_close(run.grads.at(1), ref::ln_dbeta, tol);
    }
}

TEST_CASE("layer_norm: gradients match central differences")
{
    const auto layer = torch_like<double>();
    const std::vector<double> x{0.3, -1.2, 2.5, 0.7, 0.1, -0.4};
    const std::vector<double> g{1.0, -0.5, 0.25, 2.0, 0.3, -1.1};
    auto copy = layer;
    const auto run = run_layer(copy, x, 2, g, true);
    xtnn_test::require_all_close(run.grad_x, xtnn_test::numerical_input_gradient(layer, x, 2, g),
                                 1e-7);
    for (std::size_t p = 0; p < 2; ++p)
    {
        xtnn_test::require_all_close(run.grads.at(p),
                                     xtnn_test::numerical_parameter_gradient(layer, p, x, 2, g), 1e-7);
    }
}

TEST_CASE("layer_norm: widths and settings")
{
    xtnn::layer_norm<float> layer(1e-3);
    REQUIRE(layer.build(6) == 6);
    REQUIRE_THROWS_AS(layer.build(5), xtnn::shape_error);
    REQUIRE(layer.config() == xtnn::layer_config{{"epsilon", 1e-3}});
    REQUIRE_THROWS_AS(xtnn::layer_norm<float>(-1.0), xtnn::error);
}
