// SPDX-License-Identifier: MIT
// Losses against numpy (float64):
//   y = [[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]], t = [[0, 1, 0], [0, 0, 1]] (classes [1, 2])
//   cross-entropy  -np.sum(t * np.log(y + 1e-7)) / 2 = 0.636482641477893
//   one row, class 1: -np.log(0.7 + 1e-7) = 0.3566748010815999
//   MSE            0.5 * np.sum((y - t)**2) / 2 = 0.17
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn/activation.hpp>
#include <xtnn/nn/activation.hpp>
#include <xtnn/train/loss.hpp>

#include "approx.hpp"

namespace
{
template <class T>
const std::vector<T> example_y{0.1, 0.7, 0.2, 0.3, 0.3, 0.4};
template <class T>
const std::vector<T> example_t{0, 1, 0, 0, 0, 1};
const std::vector<std::size_t> example_labels{1, 2};

template <class T>
xtnn::targets_ref<T> one_hot(const std::vector<T>& t)
{
    xtnn::targets_ref<T> ref;
    ref.one_hot = t.data();
    return ref;
}

template <class T>
xtnn::targets_ref<T> labels(const std::vector<std::size_t>& indices)
{
    xtnn::targets_ref<T> ref;
    ref.indices = indices.data();
    return ref;
}
}  // namespace

TEMPLATE_TEST_CASE("loss: cross-entropy is -log(y + 1e-7) of the true class, averaged", "", float,
                   double)
{
    using ce = xtnn::softmax_cross_entropy;
    const std::vector<std::size_t> class_1{1};
    REQUIRE(ce::loss(example_y<TestType>.data(), labels<TestType>(class_1), 1, 3) ==
            Approx(0.3566748010815999).epsilon(1e-6));
    REQUIRE(ce::loss(example_y<TestType>.data(), one_hot(example_t<TestType>), 2, 3) ==
            Approx(0.636482641477893).epsilon(1e-6));
    REQUIRE(ce::loss(example_y<TestType>.data(), labels<TestType>(example_labels), 2, 3) ==
            Approx(0.636482641477893).epsilon(1e-6));
    // y = 0 at the true class: the epsilon keeps it finite, -log(1e-7).
    const std::vector<TestType> certain_wrong{1, 0, 0};
    REQUIRE(ce::loss(certain_wrong.data(), labels<TestType>(class_1), 1, 3) ==
            Approx(-std::log(1e-7)).epsilon(1e-5));
}

TEMPLATE_TEST_CASE("loss: mean squared error is 0.5·Σ(y - t)² averaged over rows", "", float,
                   double)
{
    using mse = xtnn::mean_squared_error;
    REQUIRE(mse::loss(example_y<TestType>.data(), one_hot(example_t<TestType>), 2, 3) ==
            Approx(0.17).epsilon(1e-6));
    REQUIRE(mse::loss(example_y<TestType>.data(), labels<TestType>(example_labels), 2, 3) ==
            Approx(0.17).epsilon(1e-6));
    std::vector<TestType> grad(6);
    mse::gradient(example_y<TestType>.data(), one_hot(example_t<TestType>), 2, 3, grad.data());
    // (y - t) / 2
    xtnn_test::require_all_close(grad, std::vector<double>{0.05, -0.15, 0.1, 0.15, 0.15, -0.3},
                                 1e-6);
    std::vector<TestType> from_labels(6);
    mse::gradient(example_y<TestType>.data(), labels<TestType>(example_labels), 2, 3,
                  from_labels.data());
    xtnn_test::require_all_close(from_labels, grad, 0);
    STATIC_REQUIRE(mse::fused_with.empty());
}

TEMPLATE_TEST_CASE("loss: cross-entropy gradient is (y - t) / rows, the same for one-hot and "
                   "integer labels",
                   "", float, double)
{
    using ce = xtnn::softmax_cross_entropy;
    std::vector<TestType> from_one_hot(6), from_labels(6);
    ce::gradient(example_y<TestType>.data(), one_hot(example_t<TestType>), 2, 3,
                 from_one_hot.data());
    ce::gradient(example_y<TestType>.data(), labels<TestType>(example_labels), 2, 3,
                 from_labels.data());
    xtnn_test::require_all_close(from_one_hot,
                                 std::vector<double>{0.05, -0.15, 0.1, 0.15, 0.15, -0.3}, 1e-6);
    xtnn_test::require_all_close(from_labels, from_one_hot, 0);
    STATIC_REQUIRE(ce::fused_with == "softmax");
}

TEST_CASE("loss: the fused cross-entropy gradient is dL/dZ through the softmax")
{
    // L(Z) = CE(softmax(Z), t); central differences on Z vs (softmax(Z) - t) / rows.
    const std::vector<double> z{0.3, -1.2, 2.0, 0.1, 0.4, -0.7};
    const std::vector<double> t{0, 0, 1, 1, 0, 0};
    const auto loss_of = [&](const std::vector<double>& zz)
    {
        std::vector<double> y(zz.size());
        xtnn::softmax<double>().forward({zz.data(), 2, 3}, {y.data(), 2, 3});
        return xtnn::softmax_cross_entropy::loss(y.data(), one_hot(t), 2, 3);
    };
    std::vector<double> y(6), analytic(6), numerical(6);
    xtnn::softmax<double>().forward({z.data(), 2, 3}, {y.data(), 2, 3});
    xtnn::softmax_cross_entropy::gradient(y.data(), one_hot(t), 2, 3, analytic.data());
    for (std::size_t i = 0; i < z.size(); ++i)
    {
        auto plus = z;
        auto minus = z;
        plus[i] += 1e-5;
        minus[i] -= 1e-5;
        numerical[i] = (loss_of(plus) - loss_of(minus)) / 2e-5;
    }
    // The 1e-7 inside the log shifts the loss's true derivative by about 1e-7 / y.
    xtnn_test::require_all_close(analytic, numerical, 1e-6);
}

TEST_CASE("loss: bad targets and labels are refused with what was wrong")
{
    using ce = xtnn::softmax_cross_entropy;
    std::vector<float> grad(6);
    const xtnn::targets_ref<float> neither;
    REQUIRE_THROWS_WITH(ce::loss(example_y<float>.data(), neither, 2, 3),
                        Catch::Matchers::Contains("exactly one of one_hot and indices"));
    auto both = one_hot(example_t<float>);
    both.indices = example_labels.data();
    REQUIRE_THROWS_AS(ce::gradient(example_y<float>.data(), both, 2, 3, grad.data()), xtnn::error);
    const std::vector<std::size_t> out_of_range{1, 3};
    REQUIRE_THROWS_AS(ce::loss(example_y<float>.data(), labels<float>(out_of_range), 2, 3),
                      xtnn::shape_error);
    REQUIRE_THROWS_WITH(
        xtnn::mean_squared_error::gradient(example_y<float>.data(), labels<float>(out_of_range), 2,
                                           3, grad.data()),
        Catch::Matchers::Contains("label 3 at row 1") && Catch::Matchers::Contains("expected < 3"));
    REQUIRE_THROWS_AS(ce::loss(example_y<float>.data(), one_hot(example_t<float>), 0, 3),
                      xtnn::shape_error);
}

TEST_CASE("loss: names parse and print")
{
    for (auto kind : {xtnn::loss_kind::softmax_cross_entropy, xtnn::loss_kind::mean_squared_error})
    {
        REQUIRE(xtnn::parse_loss(xtnn::to_string(kind)) == kind);
    }
    REQUIRE(xtnn::parse_loss("mse") == xtnn::loss_kind::mean_squared_error);
    REQUIRE_THROWS_WITH(xtnn::parse_loss("hinge"), Catch::Matchers::Contains("'hinge'"));
    REQUIRE(xtnn::compute_loss(xtnn::loss_kind::mean_squared_error, example_y<double>.data(),
                               one_hot(example_t<double>), 2, 3) == Approx(0.17));
}
