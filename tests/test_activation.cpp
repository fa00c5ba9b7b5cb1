// SPDX-License-Identifier: MIT
// Expected values from numpy (float64): 1/(1+exp(-z)), np.tanh, and the shifted softmax.
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/activation.hpp>

#include "approx.hpp"

namespace
{
template <class T>
std::vector<T> apply(xtnn::activation_kind kind, const std::vector<T>& z, std::size_t rows)
{
    std::vector<T> a(z.size());
    xtnn::activate(kind, z.data(), a.data(), rows, z.size() / rows);
    return a;
}

template <class T>
T tolerance()
{
    return std::is_same_v<T, float> ? T(1e-6) : T(1e-9);  // expected values carry 10 digits
}
}  // namespace

TEMPLATE_TEST_CASE("activation: sigmoid matches numpy and saturates without inf or NaN", "", float,
                   double)
{
    const std::vector<TestType> z{-1, 0, 1, 0.5, -0.25, 3, -20, 20};
    const std::vector<double> expected{0.2689414214, 0.5,          0.7310585786,   0.6224593312,
                                       0.4378234991, 0.9525741268, 2.061153618e-9, 0.9999999979};
    xtnn_test::require_all_close(apply(xtnn::activation_kind::sigmoid, z, 2), expected,
                                 tolerance<TestType>() * 10);

    // Raw pixels times the book's weights reach |z| in the thousands.
    const std::vector<TestType> huge{-1e4,
                                     -1000,
                                     -100,
                                     100,
                                     1000,
                                     1e4,
                                     std::numeric_limits<TestType>::max(),
                                     std::numeric_limits<TestType>::lowest()};
    const auto a = apply(xtnn::activation_kind::sigmoid, huge, 1);
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        INFO("z = " << huge[i]);
        REQUIRE(std::isfinite(a[i]));
        REQUIRE(a[i] == Approx(huge[i] > 0 ? 1.0 : 0.0).margin(1e-30));
    }
}

TEMPLATE_TEST_CASE("activation: softmax rows sum to one and survive huge logits", "", float, double)
{
    const std::vector<TestType> z{-1000, -1, 0, 1, 1000, 0.5, -0.25, 3, -20, 20};
    const std::vector<double> expected{0,
                                       0,
                                       0,
                                       0,
                                       1,
                                       3.398267662e-09,
                                       1.605227981e-09,
                                       4.139937527e-08,
                                       4.248354058e-18,
                                       9.999999536e-01};
    const auto a = apply(xtnn::activation_kind::softmax, z, 2);
    xtnn_test::require_all_close(a, expected, tolerance<TestType>());

    const std::vector<TestType> small{1, 2, 3,
                                      4};  // numpy: [0.0320586, 0.08714432, 0.23688282, 0.64391426]
    xtnn_test::require_all_close(
        apply(xtnn::activation_kind::softmax, small, 1),
        std::vector<double>{0.0320586033, 0.0871443187, 0.2368828181, 0.6439142599},
        tolerance<TestType>());
}

TEMPLATE_TEST_CASE("activation: tanh, relu and identity", "", float, double)
{
    const std::vector<TestType> z{-1, 0, 1, 0.5, -0.25, 3};
    xtnn_test::require_all_close(
        apply(xtnn::activation_kind::tanh, z, 1),
        std::vector<double>{-0.761594156, 0, 0.761594156, 0.462117157, -0.244918662, 0.995054754},
        1e-6);
    xtnn_test::require_all_close(apply(xtnn::activation_kind::relu, z, 2),
                                 std::vector<double>{0, 0, 1, 0.5, 0, 3}, 0);
    xtnn_test::require_all_close(apply(xtnn::activation_kind::identity, z, 3), z, 0);
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

TEST_CASE("activation: names parse and print, unknown names are refused with the choices")
{
    for (auto kind :
         {xtnn::activation_kind::identity, xtnn::activation_kind::sigmoid,
          xtnn::activation_kind::tanh, xtnn::activation_kind::relu, xtnn::activation_kind::softmax})
    {
        REQUIRE(xtnn::parse_activation(xtnn::to_string(kind)) == kind);
    }
    REQUIRE_THROWS_AS(xtnn::parse_activation("gelu"), xtnn::error);
    REQUIRE_THROWS_WITH(xtnn::parse_activation("gelu"),
                        Catch::Matchers::Contains("'gelu'") &&
                            Catch::Matchers::Contains("sigmoid, tanh, relu"));
}

// Backward. Expected values from numpy (float64), z = [0, 1, -2], dA = [1, 2, -1]:
//   sigmoid: dA·a·(1 - a) = [0.25, 0.3932238664829637, -0.1049935854035065]
//   tanh:    dA·(1 - tanh²) = [1.0, 0.8399486832280523, -0.07065082485316443]
//   softmax of [1, 2, 3] with dA = [1, 0, -1]: a·(dA - dA·a)
//            = [0.14181709360981218, 0.14077035746963015, -0.2825874510794423]
namespace
{
template <class T>
std::vector<T> apply_backward(xtnn::activation_kind kind, const std::vector<T>& z,
                              const std::vector<T>& grad_a, std::size_t rows)
{
    const std::size_t cols = z.size() / rows;
    std::vector<T> a(z.size()), grad_z(z.size());
    xtnn::activate(kind, z.data(), a.data(), rows, cols);
    xtnn::activate_backward(kind, z.data(), a.data(), grad_a.data(), grad_z.data(), rows, cols);
    return grad_z;
}
}  // namespace

TEMPLATE_TEST_CASE("activation: backward matches hand-computed derivatives", "", float, double)
{
    const std::vector<TestType> z{0, 1, -2};
    const std::vector<TestType> grad_a{1, 2, -1};
    xtnn_test::require_all_close(apply_backward(xtnn::activation_kind::sigmoid, z, grad_a, 1),
                                 std::vector<double>{0.25, 0.3932238664829637, -0.1049935854035065},
                                 1e-6);
    xtnn_test::require_all_close(apply_backward(xtnn::activation_kind::tanh, z, grad_a, 1),
                                 std::vector<double>{1.0, 0.8399486832280523, -0.07065082485316443},
                                 1e-6);
    xtnn_test::require_all_close(apply_backward(xtnn::activation_kind::relu, z, grad_a, 1),
                                 std::vector<double>{0, 2, 0}, 0);
    xtnn_test::require_all_close(apply_backward(xtnn::activation_kind::identity, z, grad_a, 3),
                                 grad_a, 0);
    xtnn_test::require_all_close(
        apply_backward(xtnn::activation_kind::softmax, std::vector<TestType>{1, 2, 3},
                       std::vector<TestType>{1, 0, -1}, 1),
        std::vector<double>{0.14181709360981218, 0.14077035746963015, -0.2825874510794423}, 1e-6);
}

TEST_CASE("activation: backward of every activation matches central differences of forward")
{
    // L = Σ dA · f(Z); dL/dZ by central differences vs backward(dA). Softmax mixes a row,
    // so each perturbed Z changes every output of its row.
    const std::vector<double> z{-1.3, 0.2, 0.7, 2.1, -0.4, 0.9};
    const std::vector<double> grad_a{0.3, -1.1, 0.8, 0.5, 1.7, -0.6};
    const std::size_t rows = 2;
    const std::size_t cols = 3;
    for (auto kind :
         {xtnn::activation_kind::identity, xtnn::activation_kind::sigmoid,
          xtnn::activation_kind::tanh, xtnn::activation_kind::relu, xtnn::activation_kind::softmax})
    {
        INFO("activation " << xtnn::to_string(kind));
        const auto objective = [&](const std::vector<double>& zz)
        {
            std::vector<double> a(zz.size());
            xtnn::activate(kind, zz.data(), a.data(), rows, cols);
            double sum = 0;
            for (std::size_t i = 0; i < a.size(); ++i)
            {
                sum += grad_a[i] * a[i];
            }
            return sum;
        };
        std::vector<double> numerical(z.size());
        const double h = 1e-6;
        for (std::size_t i = 0; i < z.size(); ++i)
        {
            auto plus = z;
            auto minus = z;
            plus[i] += h;
            minus[i] -= h;
            numerical[i] = (objective(plus) - objective(minus)) / (2 * h);
        }
        xtnn_test::require_all_close(apply_backward(kind, z, grad_a, rows), numerical, 1e-8);
    }
}

TEMPLATE_TEST_CASE("activation: backward may run in place (grad_z == grad_a)", "", float, double)
{
    const std::vector<TestType> z{-1.3, 0.2, 0.7, 2.1, -0.4, 0.9};
    const std::vector<TestType> grad_a{0.3, -1.1, 0.8, 0.5, 1.7, -0.6};
    for (auto kind :
         {xtnn::activation_kind::identity, xtnn::activation_kind::sigmoid,
          xtnn::activation_kind::tanh, xtnn::activation_kind::relu, xtnn::activation_kind::softmax})
    {
        INFO("activation " << xtnn::to_string(kind));
        std::vector<TestType> a(z.size());
        xtnn::activate(kind, z.data(), a.data(), 2, 3);
        auto in_place = grad_a;
        xtnn::activate_backward(kind, z.data(), a.data(), in_place.data(), in_place.data(), 2, 3);
        xtnn_test::require_all_close(in_place, apply_backward(kind, z, grad_a, 2), 0);
    }
}
