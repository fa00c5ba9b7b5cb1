// SPDX-License-Identifier: MIT
// plot: the SVG's structure — panels, series, points, legend entries, labels, ticks — not
// its pixels; nice tick steps; atomic saving; history_figure's two panels.
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/plot.hpp>

#include "temp_files.hpp"

using Catch::Matchers::Contains;

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

/// The text of the first `points="..."` attribute after `from`.
std::string first_points(const std::string& svg, std::size_t from = 0)
{
    const auto start = svg.find("points=\"", from) + 8;
    return svg.substr(start, svg.find('"', start) - start);
}
}  // namespace

TEST_CASE("plot: a panel draws each series, its points, legend entries and labels")
{
    xtnn::plot::panel p;
    p.title = "loss & <friends>";
    p.x_label = "epoch";
    p.y_label = "value";
    p.series.push_back(xtnn::plot::by_index("training", {3, 2, 1.5, 1.2}));
    auto val = xtnn::plot::by_index("validation", {3.1, 2.5, 2.4, 2.6});
    val.dashed = true;
    val.style = xtnn::plot::style::line_and_markers;
    p.series.push_back(val);
    xtnn::plot::figure fig;
    fig.panels.push_back(p);
    const std::string svg = xtnn::plot::to_svg(fig);

    REQUIRE(svg.rfind("<?xml", 0) == 0);
    REQUIRE_THAT(svg, Contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && Contains("</svg>"));
    REQUIRE(occurrences(svg, "class=\"panel\"") == 1);
    REQUIRE(occurrences(svg, "class=\"series\"") == 2);
    REQUIRE(occurrences(svg, "<polyline") == 2);
    REQUIRE(occurrences(first_points(svg), ",") == 4);  // four x,y pairs
    REQUIRE(occurrences(svg, "<circle") == 4 + 1);      // markers + the legend's sample
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 2);
    REQUIRE_THAT(svg, Contains(">training</text>") && Contains(">validation</text>"));
    REQUIRE_THAT(svg, Contains("stroke-dasharray"));
    REQUIRE_THAT(svg, Contains(">loss &amp; &lt;friends&gt;</text>"));  // escaped
    REQUIRE_THAT(svg, Contains("class=\"x-label\"") && Contains(">epoch</text>") &&
                          Contains(">value</text>"));
    // y ticks at nice values covering [1.2, 3.1]: 1.0 .. 3.5 in steps of 0.5
    REQUIRE_THAT(svg, Contains(">1.0</text>") && Contains(">3.5</text>"));
}

TEST_CASE("plot: NaN values break a line, and markers-only series are scatter plots")
{
    xtnn::plot::panel p;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    p.series.push_back(xtnn::plot::by_index("gappy", {1, 2, nan, 4, 5}));
    xtnn::plot::series dots;
    dots.name = "dots";
    dots.x = {0.5, 1.5, 2.5};
    dots.y = {1, 3, 2};
    dots.style = xtnn::plot::style::markers;
    p.series.push_back(dots);
    xtnn::plot::figure fig;
    fig.panels.push_back(p);
    const std::string svg = xtnn::plot::to_svg(fig);
    REQUIRE(occurrences(svg, "<polyline") == 2);  // [1, 2] and [4, 5]
    REQUIRE(occurrences(svg, "<circle") == 3 + 1);
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 2);

    xtnn::plot::series bad;
    bad.x = {1, 2};
    bad.y = {1};
    fig.panels[0].series.push_back(bad);
    REQUIRE_THROWS_AS(xtnn::plot::to_svg(fig), xtnn::shape_error);
}

TEST_CASE("plot: ticks fall on 1, 2 or 5 times a power of ten and cover the data")
{
    const auto t = xtnn::plot::detail::nice_ticks(0.013, 0.087, 5, false);
    REQUIRE(t.step == Approx(0.02));
    REQUIRE(t.lo == Approx(0.0));
    REQUIRE(t.hi == Approx(0.1));
    REQUIRE(t.decimals == 2);
    const auto e = xtnn::plot::detail::nice_ticks(1, 30, 6, true);
    REQUIRE(e.step == 5);
    REQUIRE(e.decimals == 0);
    const auto single = xtnn::plot::detail::nice_ticks(1, 1, 6, true);  // one epoch
    REQUIRE(single.lo <= 1);
    REQUIRE(single.hi >= 1);
    REQUIRE(single.hi > single.lo);
}

TEST_CASE("plot: history_figure draws loss and accuracy side by side and saves atomically")
{
    xtnn::history h;
    for (int e = 1; e <= 5; ++e)
    {
        xtnn::epoch_record r;
        r.epoch = static_cast<std::size_t>(e);
        r.loss = 1.0 / e;
        r.accuracy = 1 - 0.1 / e;
        r.val_loss = 1.1 / e;
        r.val_accuracy = 1 - 0.12 / e;
        h.epochs.push_back(r);
    }
    const auto fig = xtnn::plot::history_figure(h, "MNIST");
    REQUIRE(fig.panels.size() == 2);
    REQUIRE(fig.panels[0].title == "MNIST: loss");
    REQUIRE(fig.panels[1].y_label == "accuracy");
    REQUIRE(fig.panels[0].series.size() == 2);

    const xtnn_test::temp_dir scratch;
    const std::string path = scratch.file("history.svg");
    xtnn::plot::save_svg(fig, path);
    std::ifstream in(path);
    const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(svg == xtnn::plot::to_svg(fig));
    REQUIRE(occurrences(svg, "class=\"panel\"") == 2);
    REQUIRE(occurrences(svg, "class=\"series\"") == 4);
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 4);
    REQUIRE(occurrences(svg, "width=\"920.00\" height=\"340.00\"") == 1);

    // Without validation figures, only the training curves.
    for (auto& r : h.epochs)
    {
        r.val_loss = r.val_accuracy = std::numeric_limits<double>::quiet_NaN();
    }
    REQUIRE(xtnn::plot::history_figure(h).panels[1].series.size() == 1);
    REQUIRE_THROWS_AS(xtnn::plot::save_svg(fig, scratch.file("missing/x.svg")), xtnn::io_error);
}
