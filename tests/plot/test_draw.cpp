// SPDX-License-Identifier: MIT
// plot/draw.hpp and scene.hpp: one drawing feeds both writers; log axes, shared ranges,
// markers every N points, line styles, bars, and the text the PNG draws.
#include <cmath>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/raster.hpp>
#include <xtnn/plot.hpp>

namespace
{
std::size_t occurrences(const std::string& text, const std::string& what)
{
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    {
        ++count;
    }
    return count;
}

template <class Shape>
std::size_t count_shapes(const xtnn::plot::scene& s)
{
    std::size_t n = 0;
    for (const auto& shape : s.shapes)
    {
        n += std::holds_alternative<Shape>(shape);
    }
    return n;
}

xtnn::plot::series points(std::vector<double> x, std::vector<double> y)
{
    xtnn::plot::series s;
    s.x = std::move(x);
    s.y = std::move(y);
    return s;
}
}  // namespace

TEST_CASE("plot draw: SVG and PNG are renderings of the same scene")
{
    xtnn::plot::figure fig;
    xtnn::plot::panel p;
    p.title = "Title";
    auto s = points({0, 1, 2}, {1, 3, 2});
    s.name = "s";
    s.style = xtnn::plot::style::line_and_markers;
    p.series.push_back(s);
    fig.panels.push_back(p);
    const xtnn::plot::scene drawn = xtnn::plot::draw(fig);
    REQUIRE(xtnn::plot::to_svg(drawn) == xtnn::plot::to_svg(fig));
    REQUIRE(xtnn::plot::to_png(drawn) == xtnn::plot::to_png(fig));
    REQUIRE((drawn.width == 460 && drawn.height == 340));
    // by_index: x from 1 (epochs), or from 0 as numpy's np.arange(len(y)).
    REQUIRE(xtnn::plot::by_index("e", {5, 6, 7}).x == std::vector<double>{1, 2, 3});
    REQUIRE(xtnn::plot::by_index("i", {5, 6}, 0).x == std::vector<double>{0, 1});
    // 3 markers and the legend's; one data polyline; the frame, the legend's box.
    REQUIRE(count_shapes<xtnn::plot::shapes::circle>(drawn) == 3 + 1);
    REQUIRE(count_shapes<xtnn::plot::shapes::polyline>(drawn) == 1);
    REQUIRE(count_shapes<xtnn::plot::shapes::rect>(drawn) == 2);

    // A scene made by hand renders too: a red square on a 20 x 10 white canvas.
    xtnn::plot::scene square;
    square.width = 20;
    square.height = 10;
    xtnn::plot::shapes::rect r;
    r.x0 = 5, r.y0 = 2, r.x1 = 9, r.y1 = 6;
    r.fill = "red";
    square.add(r);
    const auto canvas = xtnn::plot::detail::rasterize(square);
    REQUIRE(canvas.at(6, 3) == (xtnn::detail::rgb{255, 0, 0}));
    REQUIRE(canvas.at(10, 3) == (xtnn::detail::rgb{255, 255, 255}));
    REQUIRE_THAT(xtnn::plot::to_svg(square),
                 Catch::Matchers::Contains("<rect x=\"5.00\" y=\"2.00\" width=\"4.00\" "
                                           "height=\"4.00\" fill=\"red\"/>"));
}

TEST_CASE("plot draw: a log axis puts decades at equal steps and skips values <= 0")
{
    xtnn::plot::panel p;
    p.y_scale = xtnn::plot::scale::log;
    p.series.push_back(points({0, 1, 2, 3, 4}, {0.003, 0.5, -1, 4, 20}));
    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    // 0.003 .. 20 spans the decades 1e-3 .. 1e2: ticks at each power of ten.
    REQUIRE(l.y_ticks.size() == 6);
    REQUIRE(l.y_ticks.front() == Approx(0.001));
    REQUIRE(l.y_ticks.back() == Approx(100));
    REQUIRE(l.y_tick_labels.front() == "0.001");
    REQUIRE(l.y_tick_labels[3] == "1");
    REQUIRE(l.y_tick_labels.back() == "100");
    REQUIRE(l.sy(10) - l.sy(1) == Approx(l.sy(1) - l.sy(0.1)));
    REQUIRE(l.sy(0.001) == Approx(l.y1));
    REQUIRE(std::isnan(l.sy(-1)));
    // -1 is not drawn: the line breaks there.
    xtnn::plot::figure fig;
    fig.panels.push_back(p);
    REQUIRE(occurrences(xtnn::plot::to_svg(fig), "<polyline") == 2);

    // Many decades thin out to a nice step of decades.
    p.series[0].y = {1e-8, 1, 1, 1, 1};
    const auto wide = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE(wide.y_ticks.size() <= 6);
    REQUIRE(wide.y_tick_labels.front() == "1e-08");
}

TEST_CASE("plot draw: panels share ranges when asked, and keep their own otherwise")
{
    xtnn::plot::figure fig;
    for (const double top : {1.0, 10.0})
    {
        xtnn::plot::panel p;
        p.series.push_back(points({0, 1}, {0, top}));
        fig.panels.push_back(p);
    }
    const auto own = xtnn::plot::detail::layout_figure(fig);
    REQUIRE(xtnn::plot::detail::layout_panel(fig, own, 0).ty.hi == Approx(1));
    REQUIRE(xtnn::plot::detail::layout_panel(fig, own, 1).ty.hi == Approx(10));
    fig.share_y = true;
    const auto shared = xtnn::plot::detail::layout_figure(fig);
    REQUIRE(xtnn::plot::detail::layout_panel(fig, shared, 0).ty.hi == Approx(10));
    REQUIRE(xtnn::plot::detail::layout_panel(fig, shared, 0).y_tick_labels ==
            xtnn::plot::detail::layout_panel(fig, shared, 1).y_tick_labels);
    // A panel's fixed range still wins.
    fig.panels[0].y_max = 2;
    REQUIRE(
        xtnn::plot::detail::layout_panel(fig, xtnn::plot::detail::layout_figure(fig), 0).ty.hi ==
        Approx(2));
}

TEST_CASE("plot draw: markers every N points, line styles as dash patterns, plus markers")
{
    xtnn::plot::figure fig;
    xtnn::plot::panel p;
    p.legend = false;
    auto s = points({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    s.style = xtnn::plot::style::line_and_markers;
    s.marker_every = 3;  // points 0, 3, 6, 9
    p.series.push_back(s);
    for (const auto style : {xtnn::plot::line_style::dotted, xtnn::plot::line_style::dash_dot})
    {
        const double y = style == xtnn::plot::line_style::dotted ? 1 : 7;
        auto other = points({0, 9}, {y, y});
        other.line_style = style;
        p.series.push_back(other);
    }
    auto plus = points({5}, {5});
    plus.style = xtnn::plot::style::markers;
    plus.marker = xtnn::plot::marker::plus;
    plus.marker_radius = 4;
    p.series.push_back(plus);
    fig.panels.push_back(p);
    const std::string svg = xtnn::plot::to_svg(fig);
    REQUIRE(occurrences(svg, "<circle") == 4);
    REQUIRE(occurrences(svg, "stroke-dasharray=\"2.00 3.00\"") == 1);
    REQUIRE(occurrences(svg, "stroke-dasharray=\"8.00 3.00 2.00 3.00\"") == 1);
    // the + of two strokes 2 · radius long, level and upright, centred on the point
    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    const std::string cx = xtnn::plot::detail::num(l.sx(5)), cy = xtnn::plot::detail::num(l.sy(5));
    REQUIRE_THAT(
        svg, Catch::Matchers::Contains("<path d=\"M" + xtnn::plot::detail::num(l.sx(5) - 4) + "," +
                                       cy + "L" + xtnn::plot::detail::num(l.sx(5) + 4) + "," + cy +
                                       "M" + cx + "," + xtnn::plot::detail::num(l.sy(5) - 4) + "L" +
                                       cx + "," + xtnn::plot::detail::num(l.sy(5) + 4) + "\""));

    // The PNG's dotted line: 2 pixels on, 3 off along row sy(1), from the plot area's edge.
    const auto canvas = xtnn::plot::detail::rasterize(xtnn::plot::draw(fig));
    const auto row = static_cast<std::size_t>(l.sy(1));
    std::size_t on = 0;
    for (std::size_t x = static_cast<std::size_t>(l.x0) + 1; x < static_cast<std::size_t>(l.x1);
         ++x)
    {
        on += canvas.at(x, row) != xtnn::detail::rgb{255, 255, 255};
    }
    const double length = l.x1 - l.x0;
    REQUIRE(static_cast<double>(on) > 0.3 * length);  // 2 of every 5 pixels, the grid aside
    REQUIRE(static_cast<double>(on) < 0.6 * length);
}

TEST_CASE("plot draw: bars stand on zero, one per bin, with a square in the legend")
{
    xtnn::plot::figure fig;
    xtnn::plot::panel p;
    p.series.push_back(xtnn::plot::histogram("h", std::vector<double>{0.1, 0.1, 0.6}, 2, 0, 1));
    fig.panels.push_back(p);
    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE(l.ty.lo == 0);  // the bars' base is in the range
    REQUIRE(l.tx.lo <= 0);
    REQUIRE(l.tx.hi >= 1);
    const auto drawn = xtnn::plot::draw(fig);
    std::vector<xtnn::plot::shapes::rect> bars;
    for (const auto& shape : drawn.shapes)
    {
        if (const auto* r = std::get_if<xtnn::plot::shapes::rect>(&shape);
            r && r->fill == l.colors[0])
        {
            bars.push_back(*r);
        }
    }
    REQUIRE(bars.size() == 2 + 1);  // two bins and the legend's square
    REQUIRE(bars[0].x0 == Approx(l.sx(0)));
    REQUIRE(bars[0].x1 == Approx(l.sx(0.5)));
    REQUIRE(bars[0].y1 == Approx(l.sy(0)));
    REQUIRE(bars[0].y0 == Approx(l.sy(2)));
    REQUIRE(bars[1].y0 == Approx(l.sy(1)));
}

TEST_CASE("plot draw: the PNG's text is the font's glyphs, anti-aliased, lower case and all")
{
    xtnn::plot::figure fig;
    xtnn::plot::panel p;
    p.title = "gy";  // both descend below the baseline
    p.x_min = p.y_min = 0;
    p.x_max = p.y_max = 1;
    fig.panels.push_back(p);
    const auto canvas = xtnn::plot::detail::rasterize(xtnn::plot::draw(fig));
    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    // The title (bold 14) centred over the plot area, its baseline at title_y = 20: ink
    // above it and, for the descenders, below it; grey levels where edges are smoothed.
    const double middle = (l.x0 + l.x1) / 2;
    bool above = false, below = false, grey = false;
    for (std::size_t y = 5; y < 26; ++y)
    {
        for (auto x = static_cast<std::size_t>(middle - 12); x < middle + 12; ++x)
        {
            const auto c = canvas.at(x, y);
            const bool ink = c.r < 128;
            above = above || (ink && y < 20);
            below = below || (ink && y > 20);
            grey = grey || (c.r > 30 && c.r < 225);
        }
    }
    REQUIRE((above && below && grey));
    // Nothing of it beyond its measured width.
    const double half = xtnn::plot::detail::text_width("gy", 14, true) / 2;
    for (std::size_t y = 5; y < 26; ++y)
    {
        REQUIRE(canvas.at(static_cast<std::size_t>(middle + half + 3), y) ==
                (xtnn::detail::rgb{255, 255, 255}));
        REQUIRE(canvas.at(static_cast<std::size_t>(middle - half - 3), y) ==
                (xtnn::detail::rgb{255, 255, 255}));
    }
}

TEST_CASE("plot draw: a range fixed at both ends is kept exactly, ticks inside it")
{
    xtnn::plot::panel p;
    p.series.push_back(points({0, 1}, {0, 9000}));
    p.y_min = 0;
    p.y_max = 7000;  // the book's plt.ylim(0, 7000): the data run off the top
    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE(l.ty.lo == 0);
    REQUIRE(l.ty.hi == 7000);
    REQUIRE(l.y_ticks.front() == 0);
    REQUIRE(l.y_ticks.back() == 6000);  // steps of 2000: 0 .. 6000, none beyond 7000
    REQUIRE(l.sy(7000) == Approx(l.y0));
    // Fixed at one end only, the other end is fitted and widened to a tick as before.
    p.y_max = std::nan("");
    const auto fitted = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE(fitted.ty.hi == Approx(10000));
    REQUIRE(fitted.y_ticks.back() == Approx(10000));
}
