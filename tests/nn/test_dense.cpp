// SPDX-License-Identifier: MIT
// The dense layer against numpy, with the layer of example_network.hpp:
//   X = [[1,2,3],[-1,0.5,2]]; W = [[0.1,-0.2],[0.3,0.4],[-0.5,0.6]]; b = [0.01,-0.02]
//   Y = X@W + b = [[-0.79, 2.38], [-0.94, 1.58]]
//   G = dL/dY = [[0.5,-1],[0.25,2]]
//   dW = X.T@G = [[0.25,-3],[1.125,-1],[2,1]]; db = G.sum(0) = [0.75, 1]
//   dX = G@W.T = [[0.25,-0.25,-0.85],[-0.375,0.875,1.075]]
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn/dense.hpp>

#include "approx.hpp"
#include "example_network.hpp"
#include "layer_harness.hpp"

namespace
{
using xtnn_test::example_layer;
using xtnn_test::run_layer;

template <class T>
std::vector<T> example_x()
{
    const auto& x = xtnn_test::example_x<T>;
    return std::vector<T>(x.begin(), x.end());
}
template <class T>
const std::vector<T> example_g{0.5, -1, 0.25, 2};
}  // namespace

TEMPLATE_TEST_CASE("dense: forward computes X·W + b for a batch and for one row", "", float, double)
{
    auto layer = example_layer<TestType>();
    xtnn_test::require_all_close(run_layer(layer, example_x<TestType>(), 2, {}).y,
                                 std::vector<double>{-0.79, 2.38, -0.94, 1.58}, 1e-6);
    // One row takes the gemv path; the second row alone must give the same numbers.
    const auto x = example_x<TestType>();
    const std::vector<TestType> row(x.begin() + 3, x.end());
    xtnn_test::require_all_close(run_layer(layer, row, 1, {}).y,
                                 std::vector<double>{-0.94, 1.58}, 1e-6);
}

TEMPLATE_TEST_CASE("dense: backward computes Xᵀ·G, column sums of G and G·Wᵀ", "", float, double)
{
    auto layer = example_layer<TestType>();
    const auto run = run_layer(layer, example_x<TestType>(), 2, example_g<TestType>);
    xtnn_test::require_all_close(run.grads.at(0), std::vector<double>{0.25, -3, 1.125, -1, 2, 1},
                                 1e-6);
    xtnn_test::require_all_close(run.grads.at(1), std::vector<double>{0.75, 1}, 1e-6);
    xtnn_test::require_all_close(run.grad_x,
                                 std::vector<double>{0.25, -0.25, -0.85, -0.375, 0.875, 1.075}, 1e-6);
}

TEMPLATE_TEST_CASE("dense: backward of one row (the gemv path) matches the batched rows", "", float,
                   double)
{
    auto layer = example_layer<TestType>();
    const auto x_all = example_x<TestType>();
    for (std::size_t r = 0; r < 2; ++r)
    {
        const std::vector<TestType> x(x_all.begin() + 3 * r, x_all.begin() + 3 * r + 3);
        const std::vector<TestType> g(example_g<TestType>.begin() + 2 * r,
                                      example_g<TestType>.begin() + 2 * r + 2);
        const auto run = run_layer(layer, x, 1, g);
        // dW = x ⊗ g, db = g, dx = W·g
        xtnn_test::require_all_close(run.grads.at(0),
                                     std::vector<double>{x[0] * g[0], x[0] * g[1], x[1] * g[0],
                                                         x[1] * g[1], x[2] * g[0], x[2] * g[1]},
                                     1e-6);
        xtnn_test::require_all_close(run.grads.at(1), g, 0);
        const std::vector<double> expected_dx = r == 0 ? std::vector<double>{0.25, -0.25, -0.85}
                                                       : std::vector<double>{-0.375, 0.875, 1.075};
        xtnn_test::require_all_close(run.grad_x, expected_dx, 1e-6);
    }
}

TEST_CASE("dense: backward without grad_x computes the parameter gradients only")
{
    const auto layer = example_layer<double>();
    const auto x = example_x<double>();
    std::vector<double> dw(6, 99), db(2, 99);  // garbage: backward overwrites, never accumulates
    double* grads[] = {dw.data(), db.data()};
    layer.backward({x.data(), 2, 3}, {nullptr, 2, 2}, nullptr, {example_g<double>.data(), 2, 2},
                   {nullptr, 2, 3}, grads);
    xtnn_test::require_all_close(dw, std::vector<double>{0.25, -3, 1.125, -1, 2, 1}, 1e-12);
    xtnn_test::require_all_close(db, std::vector<double>{0.75, 1}, 1e-12);
}

TEST_CASE("dense: parameter gradients match central differences")
{
    const auto layer = example_layer<double>();
    const auto x = example_x<double>();
    auto copy = layer;
    const auto run = run_layer(copy, x, 2, example_g<double>);
    for (std::size_t p = 0; p < 2; ++p)
    {
        xtnn_test::require_all_close(
            run.grads.at(p),
            xtnn_test::numerical_parameter_gradient(layer, p, x, 2, example_g<double>), 1e-8);
    }
}

TEST_CASE("dense: without a bias, Y = X·W and the kernel is its only parameter")
{
    xtnn::dense<double> layer(3, 2, xtnn::no_bias);
    layer.kernel() = example_layer<double>().kernel();
    REQUIRE(layer.parameter_count() == 1);
    REQUIRE(layer.config() == xtnn::layer_config{{"units", std::int64_t(2)}, {"use_bias", false}});
    xtnn_test::require_all_close(run_layer(layer, example_x<double>(), 2, {}).y,
                                 std::vector<double>{-0.8, 2.4, -0.95, 1.6}, 1e-12);
}

TEST_CASE("dense: shapes are checked when built and when run, naming both")
{
    REQUIRE_THROWS_WITH(xtnn::dense<float>(xtnn::matrix<float>(xt::zeros<float>({3, 2})),
                                           xtnn::vector<float>(xt::zeros<float>({3}))),
                        Catch::Matchers::Contains("(3, 2)") && Catch::Matchers::Contains("(3,)"));
    REQUIRE_THROWS_AS(xtnn::dense<float>(0), xtnn::shape_error);
    xtnn::dense<float> layer(3, 2);
    REQUIRE(layer.input_width() == 3);
    REQUIRE(layer.build(3) == 2);
    REQUIRE_THROWS_WITH(layer.build(4), Catch::Matchers::Contains("built for 3 inputs; got 4"));
    // A kernel resized in place is refused by the next pass, not read out of bounds.
    layer.kernel() = xt::zeros<float>({6, 2});
    std::vector<float> x(3), y(2);
    REQUIRE_THROWS_WITH(layer.forward({x.data(), 1, 3}, {y.data(), 1, 2}),
                        Catch::Matchers::Contains("(6, 2)"));
    // An unbuilt dense layer takes its input width when built.
    xtnn::dense<float> deferred(5);
    REQUIRE(deferred.input_width() == 0);
    REQUIRE(deferred.build(7) == 5);
    REQUIRE(deferred.kernel().shape()[0] == 7);
}
