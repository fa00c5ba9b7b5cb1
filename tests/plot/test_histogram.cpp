// SPDX-License-Identifier: MIT
// plot/histogram.hpp: counts as numpy's histogram gives them (np.histogram(values, bins,
// (lo, hi)), run by hand for the expected arrays below), and the bars series they make.
#include <cmath>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/plot/histogram.hpp>
#include <xtnn/tensor.hpp>

TEST_CASE("plot histogram: counts match numpy's, edges and all")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // np.histogram([0, 0.1, 0.5, 0.99, 1.0, 1.5, -0.1, nan], 2, (0, 1)) -> [2, 3]: the last
    // bin includes 1.0; 1.5, -0.1 and NaN are outside.
    REQUIRE(
        xtnn::plot::histogram_counts(std::vector<double>{0, 0.1, 0.5, 0.99, 1.0, 1.5, -0.1, nan}, 2,
                                     0, 1) == std::vector<double>{2, 3});
    // np.histogram([0.05, 0.15, 0.15, 0.25, 0.3, 0.35, 0.999], 4, (0, 0.4)) -> [1, 2, 2, 1]:
    // 0.3 is below the computed edge 0.30000000000000004, so it counts in bin 2.
    REQUIRE(
        xtnn::plot::histogram_counts(std::vector<double>{0.05, 0.15, 0.15, 0.25, 0.3, 0.35, 0.999},
                                     4, 0, 0.4) == std::vector<double>{1, 2, 2, 1});
    REQUIRE_THROWS_AS(xtnn::plot::histogram_counts(std::vector<double>{1}, 0, 0, 1), xtnn::error);
    REQUIRE_THROWS_AS(xtnn::plot::histogram_counts(std::vector<double>{1}, 3, 1, 1), xtnn::error);
}

TEST_CASE("plot histogram: an xtensor array as a bars series of its bins")
{
    const xt::xtensor<float, 2> activations = {{0.1f, 0.2f}, {0.2f, 0.9f}};
    const auto s = xtnn::plot::histogram("layer 1", activations, 4, 0, 1);
    REQUIRE(s.style == xtnn::plot::style::bars);
    REQUIRE(s.name == "layer 1");
    REQUIRE(s.bar_width == Approx(0.25));
    REQUIRE(s.x == std::vector<double>{0.125, 0.375, 0.625, 0.875});  // the bins' centres
    REQUIRE(s.y == std::vector<double>{3, 0, 0, 1});
}
