// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <xtnn/eval/metrics.hpp>

TEST_CASE("metrics: argmax_rows picks each row's largest value, the first on ties")
{
    const xtnn::matrix<float> scores{{0.1f, 0.7f, 0.2f}, {0.5f, 0.5f, 0.0f}, {-3, -2, -1}};
    REQUIRE(xtnn::argmax_rows(scores) == std::vector<std::size_t>{1, 0, 2});
}

TEST_CASE("metrics: class_indices reads index labels and one-hot rows alike")
{
    const xt::xarray<float> indices{3, 0, 9};
    const xt::xarray<float> one_hot{{0, 0, 0, 1}, {1, 0, 0, 0}};
    REQUIRE(xtnn::class_indices(indices) == std::vector<std::size_t>{3, 0, 9});
    REQUIRE(xtnn::class_indices(one_hot) == std::vector<std::size_t>{3, 0});
    const xt::xarray<float> rank3 = xt::zeros<float>({2, 2, 2});
    REQUIRE_THROWS_WITH(xtnn::class_indices(rank3), Catch::Matchers::Contains("(2, 2, 2)"));
}

TEST_CASE("metrics: accuracy counts matches and refuses unequal lengths")
{
    REQUIRE(xtnn::accuracy({1, 2, 3, 4}, {1, 2, 0, 4}) == 0.75);
    REQUIRE_THROWS_AS(xtnn::accuracy({1, 2}, {1}), xtnn::shape_error);
}
