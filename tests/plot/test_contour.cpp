// SPDX-License-Identifier: MIT
// plot/contour.hpp: contour lines of functions whose level sets are known in closed form.
#include <cmath>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/plot/contour.hpp>

namespace
{
std::vector<double> grid(double lo, double hi, std::size_t n)
{
    std::vector<double> v;
    for (std::size_t i = 0; i < n; ++i)
    {
        v.push_back(lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(n - 1));
    }
    return v;
}

std::size_t gaps(const xtnn::plot::series& s)
{
    std::size_t n = 0;
    for (const double x : s.x)
    {
        n += std::isnan(x);
    }
    return n;
}
}  // namespace

TEST_CASE("plot contour: the level sets of x^2 + y^2 are closed circles")
{
    const auto xs = grid(-2, 2, 41), ys = grid(-2, 2, 41);
    std::vector<double> z;
    for (const double y : ys)
    {
        for (const double x : xs)
        {
            z.push_back(x * x + y * y);
        }
    }
    const auto lines = xtnn::plot::contour_lines(xs, ys, z, {1.0, 2.25});
    REQUIRE(lines.size() == 2);
    for (std::size_t k = 0; k < 2; ++k)
    {
        const double radius = k == 0 ? 1.0 : 1.5;
        const auto& s = lines[k];
        CAPTURE(radius);
        REQUIRE(gaps(s) == 0);  // one line
        REQUIRE(s.x.size() > 40);
        // closed: it ends where it starts
        REQUIRE(s.x.front() == Approx(s.x.back()));
        REQUIRE(s.y.front() == Approx(s.y.back()));
        // every point on the circle, to the error of interpolating z linearly in a cell of
        // side h = 0.1: at most h^2 / (8 r) in the radius... within 0.01
        for (std::size_t i = 0; i < s.x.size(); ++i)
        {
            REQUIRE(std::hypot(s.x[i], s.y[i]) == Approx(radius).margin(0.01));
        }
    }
    REQUIRE(lines[0].color != lines[1].color);
}

TEST_CASE("plot contour: separate pieces are broken by NaN, and a saddle's mean decides")
{
    // z = x·y on [-1, 1]^2: the level 0.25 is two hyperbola branches, in the first and third
    // quadrants.
    const auto xs = grid(-1, 1, 21), ys = grid(-1, 1, 21);
    std::vector<double> z;
    for (const double y : ys)
    {
        for (const double x : xs)
        {
            z.push_back(x * y);
        }
    }
    const auto lines = xtnn::plot::contour_lines(xs, ys, z, {0.25});
    REQUIRE(gaps(lines[0]) == 1);
    for (std::size_t i = 0; i < lines[0].x.size(); ++i)
    {
        if (!std::isnan(lines[0].x[i]))
        {
            REQUIRE(lines[0].x[i] * lines[0].y[i] == Approx(0.25).margin(0.01));
        }
    }

    // One saddle cell, corners z(0,0) = 1, z(1,0) = 0, z(1,1) = 1, z(0,1) = 0. At level 0.4
    // the crossings are (0.6, 0), (1, 0.4), (0.4, 1) and (0, 0.6); the mean 0.5 is above the
    // level, on the side of corners (0,0) and (1,1), so the lines cut off corners (1,0) and
    // (0,1): each joins two crossings 0.4 from one of those corners.
    const auto saddle = xtnn::plot::contour_lines({0, 1}, {0, 1}, {1, 0, 0, 1}, {0.4});
    const auto& s = saddle[0];
    REQUIRE(s.x.size() == 5);  // two 2-point lines and a gap
    REQUIRE(std::isnan(s.x[2]));
    for (const std::size_t i : {std::size_t{0}, std::size_t{3}})
    {
        const auto near = [&](double cx, double cy)
        {
            return std::hypot(s.x[i] - cx, s.y[i] - cy) == Approx(0.4) &&
                   std::hypot(s.x[i + 1] - cx, s.y[i + 1] - cy) == Approx(0.4);
        };
        REQUIRE((near(1, 0) || near(0, 1)));
    }
    REQUIRE_THROWS_AS(xtnn::plot::contour_lines({0, 1}, {0, 1}, {1, 0, 0}, {0.4}),
                      xtnn::shape_error);
}

TEST_CASE("plot contour: levels take viridis's colours in order")
{
    using xtnn::plot::detail::sequential_color;
    // matplotlib: [matplotlib.colors.to_hex(matplotlib.cm.viridis(t)) for t in (0., .5, 1.)]
    // gives #440154, #21918c, #fde725; the map here passes through those values exactly.
    REQUIRE(sequential_color(0) == "#440154");
    REQUIRE(sequential_color(0.5) == "#21918c");
    REQUIRE(sequential_color(1) == "#fde725");
    REQUIRE(sequential_color(-3) == "#440154");
    const auto lines = xtnn::plot::contour_lines({0, 1}, {0, 1}, {0, 1, 1, 2}, {0.5, 1, 1.5});
    REQUIRE(lines[0].color == "#440154");
    REQUIRE(lines[1].color == "#21918c");
    REQUIRE(lines[2].color == "#fde725");
}
