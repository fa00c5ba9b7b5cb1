// SPDX-License-Identifier: MIT
// The activation layers against PyTorch (reference/layer_reference.hpp, made by
// reference/make_layer_reference.py): forward values and input gradients on the same X and
// upstream gradient, stability on huge inputs, and every backward against central
// differences of its own forward.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn/activation.hpp>

#include "approx.hpp"
#include "layer_harness.hpp"
#include "reference/layer_reference.hpp"

namespace
{
namespace ref = xtnn_reference;
using xtnn_test::run_layer;
using xtnn_test::values;

template <class T>
double tolerance()
{
    return std::is_same_v<T, float> ? 2e-6 : 1e-12;
}

/// Forward and input gradient of `layer` on the reference X and G, against PyTorch's.
template <class L, class Y, class DX>
void check_against_torch(L layer, const Y& expected_y, const DX& expected_dx, double tol)
{
    using T = typename L::value_type;
    const auto run = run_layer(layer, values<T>(ref::x), 4, values<T>(ref::grad_y));
    INFO("layer " << L::kind);
    xtnn_test::require_all_close(run.y, expected_y, tol);
    xtnn_test::require_all_close(run.grad_x, expected_dx, tol);
}
}  // namespace

TEMPLATE_TEST_CASE("activation: every activation matches PyTorch, forward and backward", "", float,
                   double)
{
    const double tol = tolerance<TestType>();
    check_against_torch(xtnn::identity<TestType>(), ref::identity_y, ref::identity_dx, tol);
    check_against_torch(xtnn::sigmoid<TestType>(), ref::sigmoid_y, ref::sigmoid_dx,
                        tol);
    check_against_torch(xtnn::tanh<TestType>(), ref::tanh_y, ref::tanh_dx, tol);
    check_against_torch(xtnn::relu<TestType>(), ref::relu_y, ref::relu_dx, tol);
    check_against_torch(xtnn::leaky_relu<TestType>(0.1), ref::leaky_relu_0_1_y,
                        ref::leaky_relu_0_1_dx, tol);
    check_against_torch(xtnn::elu<TestType>(1.0), ref::elu_1_y, ref::elu_1_dx, tol);
    check_against_torch(xtnn::elu<TestType>(0.5), ref::elu_0_5_y, ref::elu_0_5_dx, tol);
    check_against_torch(xtnn::gelu<TestType>(), ref::gelu_y, ref::gelu_dx, tol);
    check_against_torch(xtnn::gelu<TestType>("tanh"), ref::gelu_tanh_y, ref::gelu_tanh_dx, tol);
    check_against_torch(xtnn::silu<TestType>(), ref::silu_y, ref::silu_dx, tol);
    check_against_torch(xtnn::softplus<TestType>(), ref::softplus_y, ref::softplus_dx, tol);
    check_against_torch(xtnn::softmax<TestType>(), ref::softmax_y, ref::softmax_dx, tol);
}

TEST_CASE("activation: huge inputs give PyTorch's float32 values, never inf or NaN")
{
    const std::vector<float> x = values<float>(ref::x_big);
    const auto forward = [&](auto layer)
    { return run_layer(layer, x, 1, {}).y; };
    // Subnormal results (sigmoid(-88.5) ≈ 3.7e-39) are compared absolutely.
    const auto close = [](const std::vector<float>& got, const auto& expected)
    {
        REQUIRE(got.size() == expected.size());
        for (std::size_t i = 0; i < got.size(); ++i)
        {
            INFO("x = " << ref::x_big[i]);
            REQUIRE(std::isfinite(got[i]));
            REQUIRE(got[i] == Approx(expected[i]).epsilon(2e-6).margin(1e-30));
        }
    };
    close(forward(xtnn::sigmoid<float>()), ref::big_sigmoid);
    close(forward(xtnn::softplus<float>()), ref::big_softplus);
    close(forward(xtnn::silu<float>()), ref::big_silu);
    close(forward(xtnn::gelu<float>()), ref::big_gelu);
    close(forward(xtnn::elu<float>()), ref::big_elu_1);
    close(forward(xtnn::softmax<float>()), ref::big_softmax);

    // Raw pixels times the book's weights reach |z| in the thousands, and beyond.
    const std::vector<float> extreme{std::numeric_limits<float>::lowest(), -1e4f, 1e4f,
                                     std::numeric_limits<float>::max()};
    for (const auto& y : {forward(xtnn::sigmoid<float>()), run_layer(xtnn::sigmoid<float>(), extreme, 1, {}).y,
                          run_layer(xtnn::softmax<float>(), extreme, 2, {}).y})
    {
        for (float v : y)
        {
            REQUIRE(std::isfinite(v));
        }
    }
}

TEST_CASE("activation: the float exp is within 2 ulp of exp over its whole range")
{
    std::vector<float> x;
    for (float v = -87.0f; v <= 88.0f; v += 0.0137f)
    {
        x.push_back(v);
    }
    std::vector<float> y(x.size());
    xtnn::detail::exp_clamped(x.data(), y.data(), x.size());
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
    {
        const double reference = std::exp(static_cast<double>(x[i]));
        worst = std::max(worst, std::fabs(y[i] - reference) / reference);
    }
    REQUIRE(worst < 2 * std::numeric_limits<float>::epsilon());
}

TEST_CASE("activation: the float exp of NaN is NaN, of +-inf and beyond the range clamped")
{
    // Ten values so both the vector loop (4 or 8 wide) and the scalar tail see each kind.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> x{nan, inf, -inf, 1e30f, -1e30f, 0.0f, -nan, 1.0f, 100.0f, nan};
    std::vector<float> y(x.size());
    xtnn::detail::exp_clamped(x.data(), y.data(), x.size());
    CHECK(std::isnan(y[0]));
    CHECK(std::isnan(y[6]));
    CHECK(std::isnan(y[9]));
    // Clamped to [-87, 88]: exp(88) = 1.6516363e38, exp(-87) = 1.6458115e-38 (by hand from
    // e^88 = 1.65163625e38 and e^-87 = 1.64581143e-38), within float rounding.
    for (std::size_t i : {std::size_t(1), std::size_t(3), std::size_t(8)})
    {
        CHECK(y[i] == Approx(1.6516363e38).epsilon(4e-7));
    }
    for (std::size_t i : {std::size_t(2), std::size_t(4)})
    {
        CHECK(y[i] == Approx(1.6458115e-38).epsilon(4e-7));
    }
    CHECK(y[5] == 1.0f);
    CHECK(y[7] == Approx(2.718281828).epsilon(2.4e-7));
}

TEST_CASE("activation: every backward matches central differences of its forward")
{
    // Away from the kinks of relu, leaky_relu and elu at 0.
    const std::vector<double> x{-1.3, 0.2, 0.7, 2.1, -0.4, 0.9};
    const std::vector<double> g{0.3, -1.1, 0.8, 0.5, 1.7, -0.6};
    const auto check = [&](auto layer)
    {
        INFO("layer " << decltype(layer)::kind);
        const auto analytic = run_layer(layer, x, 2, g).grad_x;
        xtnn_test::require_all_close(analytic, xtnn_test::numerical_input_gradient(layer, x, 2, g),
                                     1e-8);
    };
    check(xtnn::identity<double>());
    check(xtnn::sigmoid<double>());
    check(xtnn::tanh<double>());
    check(xtnn::relu<double>());
    check(xtnn::leaky_relu<double>(0.2));
    check(xtnn::elu<double>(0.7));
    check(xtnn::gelu<double>());
    check(xtnn::gelu<double>("tanh"));
    check(xtnn::silu<double>());
    check(xtnn::softplus<double>());
    check(xtnn::softmax<double>());
}

TEST_CASE("activation: settings are configuration, and bad ones are refused")
{
    REQUIRE(xtnn::leaky_relu<float>(0.25).config() == xtnn::layer_config{{"alpha", 0.25}});
    REQUIRE(xtnn::elu<float>().alpha() == 1.0);
    REQUIRE(xtnn::leaky_relu<float>().alpha() == 0.01);
    REQUIRE(xtnn::gelu<float>("tanh").config() == xtnn::layer_config{{"approximate", std::string("tanh")}});
    REQUIRE(xtnn::gelu<float>::from_config({}).approximate() == "none");
    REQUIRE_THROWS_WITH(xtnn::gelu<float>("fast"), Catch::Matchers::Contains("'fast'") &&
                                                       Catch::Matchers::Contains("none") &&
                                                       Catch::Matchers::Contains("tanh"));
    REQUIRE_THROWS_AS(xtnn::leaky_relu<float>(std::nan("")), xtnn::error);
    REQUIRE_THROWS_WITH(xtnn::elu<float>::from_config({{"beta", 1.0}}),
                        Catch::Matchers::Contains("elu has no setting 'beta'"));
    // A layer of one value type converts to another with its settings.
    REQUIRE(xtnn::leaky_relu<double>(xtnn::leaky_relu<float>(0.3)).alpha() == 0.3);
}
