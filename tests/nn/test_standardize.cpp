// SPDX-License-Identifier: MIT
// The standardize layer, by hand: X = [[1, 2, 5], [3, 6, 5]] has column means [2, 4, 5] and
// population stds [1, 2, 0], so with epsilon 0 (and the constant column mapped to 0)
// Y = [[-1, -1, 0], [1, 1, 0]]; dX = G / std. And it computes exactly what the digits
// tutorial's data::standardizer computes, so a model can carry the tutorial's preprocessing.
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/standardize.hpp>
#include <xtnn/nn/standardize.hpp>

#include "approx.hpp"
#include "layer_harness.hpp"

TEST_CASE("standardize: adapt learns mean and population std; forward and backward by hand")
{
    const xtnn::matrix<double> x{{1, 2, 5}, {3, 6, 5}};
    xtnn::standardize<double> layer(1e-300);
    layer.adapt(x);
    xtnn_test::require_all_close(layer.mean(), std::vector<double>{2, 4, 5}, 0);
    xtnn_test::require_all_close(layer.std(), std::vector<double>{1, 2, 0}, 0);
    const auto run = xtnn_test::run_layer(layer, std::vector<double>(x.begin(), x.end()), 2,
                                          {1, 2, 3, 4, 5, 6});
    xtnn_test::require_all_close(run.y, std::vector<double>{-1, -1, 0, 1, 1, 0}, 1e-15);
    // dX = G / (std + ε): the constant column's gradient is G / 1e-300, huge but finite
    REQUIRE(run.grad_x[0] == Approx(1.0));
    REQUIRE(run.grad_x[1] == Approx(1.0));
    REQUIRE(run.grad_x[4] == Approx(2.5));
    REQUIRE(layer.state(0).name == "mean");
    REQUIRE(layer.state(1).name == "std");
    REQUIRE(xtnn::layer_traits<xtnn::standardize<double>>::parameter_count(layer) == 0);
}

TEST_CASE("standardize: the same numbers as data::standardizer, bit for bit")
{
    const xt::xtensor<float, 2> x{{0, 16, 3, 7}, {5, 0, 3, 9}, {16, 8, 3, 2}};
    xtnn::data::standardizer<float> reference;
    reference.fit(x);
    xt::xtensor<float, 2> expected = x;
    reference.transform(expected);
    xtnn::standardize<float> layer;  // epsilon 1e-7, the tutorial's
    layer.adapt(x);
    const auto y = xtnn_test::run_layer(layer, std::vector<float>(x.begin(), x.end()), 3, {}).y;
    xtnn_test::require_all_close(y, expected, 0);
}

TEST_CASE("standardize: widths and bad statistics are refused")
{
    xtnn::standardize<float> layer;
    REQUIRE(layer.build(4) == 4);
    REQUIRE((layer.std() == xtnn::vector<float>{1, 1, 1, 1}));
    REQUIRE_THROWS_AS(layer.adapt(xtnn::matrix<float>(xt::zeros<float>({2, 5}))), xtnn::shape_error);
    REQUIRE_THROWS_AS(xtnn::standardize<float>(xtnn::vector<float>{1, 2}, xtnn::vector<float>{1}),
                      xtnn::shape_error);
    REQUIRE_THROWS_AS(xtnn::standardize<float>(-1.0), xtnn::error);
}
