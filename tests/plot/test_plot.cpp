// SPDX-License-Identifier: MIT
// plot: the SVG's structure — panels, series, points, legend entries, labels, ticks — not
// its pixels; nice tick steps; atomic saving; history_figure's two panels; scatter plots of
// ten classes in dots and crosses; the PNG's chunks, size and a few known pixels; panels in
// a grid; save() choosing the format by extension.
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/raster.hpp>
#include <xtnn/detail/zlib.hpp>
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

using bytes = std::vector<std::uint8_t>;

std::uint32_t be32(const bytes& b, std::size_t at)
{
    return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) |
           (std::uint32_t(b[at + 2]) << 8) | std::uint32_t(b[at + 3]);
}

/// A PNG's chunks after the signature as (type, data), each chunk's CRC checked.
std::vector<std::pair<std::string, bytes>> png_chunks(const bytes& png)
{
    std::vector<std::pair<std::string, bytes>> chunks;
    for (std::size_t at = 8; at + 12 <= png.size();)
    {
        const std::size_t size = be32(png, at);
        REQUIRE(at + 12 + size <= png.size());
        chunks.emplace_back(std::string(png.begin() + at + 4, png.begin() + at + 8),
                            bytes(png.begin() + at + 8, png.begin() + at + 8 + size));
        CHECK(be32(png, at + 8 + size) == xtnn::detail::crc32_of(png.data() + at + 4, 4 + size));
        at += 12 + size;
    }
    return chunks;
}

/// A decoded 8-bit RGB PNG with filter type 0 on every row (what to_png writes).
struct decoded_png
{
    std::size_t width = 0, height = 0;
    bytes ihdr, raw;  // raw: the inflated IDAT, filter byte + 3 * width bytes per row
    xtnn::detail::rgb at(std::size_t x, std::size_t y) const
    {
        const std::size_t i = y * (1 + 3 * width) + 1 + 3 * x;
        return {raw[i], raw[i + 1], raw[i + 2]};
    }
};

decoded_png decode(const bytes& png)
{
    REQUIRE(png.size() > 8);
    REQUIRE(bytes(png.begin(), png.begin() + 8) ==
            bytes{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A});
    const auto chunks = png_chunks(png);
    REQUIRE(chunks.size() == 3);
    REQUIRE(chunks[0].first == "IHDR");
    REQUIRE(chunks[1].first == "IDAT");
    REQUIRE(chunks[2].first == "IEND");
    decoded_png d;
    d.ihdr = chunks[0].second;
    REQUIRE(d.ihdr.size() == 13);
    d.width = be32(d.ihdr, 0);
    d.height = be32(d.ihdr, 4);
    d.raw = xtnn::detail::inflate_all(chunks[1].second.data(), chunks[1].second.size(),
                                      xtnn::detail::zformat::zlib, "IDAT");
    return d;
}

/// Ten classes in a scatter plot: training points as dots, test points as crosses of the
/// same colours, each class a series; `test_name` names the crosses of class d.
xtnn::plot::panel ten_classes(std::string (*test_name)(int))
{
    xtnn::plot::panel p;
    p.title = "bottleneck";
    for (const bool test : {false, true})
    {
        for (int d = 0; d < 10; ++d)
        {
            xtnn::plot::series s;
            s.name = test ? test_name(d) : std::to_string(d);
            s.style = xtnn::plot::style::markers;
            s.marker = test ? xtnn::plot::marker::cross : xtnn::plot::marker::dot;
            for (int i = 0; i < 3; ++i)  // 3 points a series, 30 dots and 30 crosses
            {
                s.x.push_back(d + 0.1 * i);
                s.y.push_back(-d * 0.5 + (test ? 0.2 : 0));
            }
            p.series.push_back(s);
        }
    }
    return p;
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
    val.line_style = xtnn::plot::line_style::dashed;
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

TEST_CASE("plot: a 10-class scatter plot draws every dot and cross, ticks and a legend")
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    auto p = ten_classes([](int d) { return "test " + std::to_string(d); });
    // Non-finite points are skipped, not drawn and not counted in the ranges.
    p.series[0].x.push_back(nan);
    p.series[0].y.push_back(100);
    p.series[10].x.push_back(200);
    p.series[10].y.push_back(inf);
    p.series[11].x.push_back(-inf);
    p.series[11].y.push_back(nan);
    xtnn::plot::figure fig;
    fig.panels.push_back(p);
    const std::string svg = xtnn::plot::to_svg(fig);

    REQUIRE(occurrences(svg, "class=\"series\"") == 20);
    REQUIRE(occurrences(svg, "<polyline") == 0);
    const std::string cross = "<path d=\"M";
    // 20 legend entries: each series has its own name. 20 rows do not fit one column
    // in the 258-pixel plot area, so the legend takes two columns of 10.
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 20);
    REQUIRE(occurrences(svg, "<circle") == 30 + 10);  // dots + one per dot legend entry
    REQUIRE(occurrences(svg, cross) == 30 + 10);
    const auto layout = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE(layout.legend_rows.size() == 20);
    REQUIRE(layout.legend_h <= layout.y1 - layout.y0);
    REQUIRE(layout.legend_rows[10].x > layout.legend_rows[0].x);  // second column
    REQUIRE(layout.legend_rows[10].baseline == layout.legend_rows[0].baseline);

    // The palette gives the ten classes ten distinct colours; the crosses reuse them.
    const std::set<std::string> colors(layout.colors.begin(), layout.colors.begin() + 10);
    REQUIRE(colors.size() == 10);
    for (std::size_t k = 0; k < 10; ++k)
    {
        REQUIRE(layout.colors[k + 10] == layout.colors[k]);
        REQUIRE_THAT(svg, Contains("fill=\"" + layout.colors[k] + "\""));
    }
    // Ticks on both axes, covering x in [0, 9.2] and y in [-4.5, 0.2] (Inf and NaN ignored).
    REQUIRE(occurrences(svg, "class=\"x-tick\"") >= 3);
    REQUIRE(occurrences(svg, "class=\"y-tick\"") >= 3);
    REQUIRE(layout.tx.lo <= 0);
    REQUIRE(layout.tx.hi >= 9.2);
    REQUIRE(layout.tx.hi < 20);
    REQUIRE(layout.ty.lo <= -4.5);
    REQUIRE(layout.ty.hi >= 0.2);
    REQUIRE(layout.ty.hi < 5);
    REQUIRE_THAT(svg, Contains("text-anchor=\"middle\">0</text>"));
}

TEST_CASE("plot: dots and crosses sharing a name and colour make one legend entry")
{
    // Crosses named as their class: one row per class showing both marks.
    xtnn::plot::figure fig;
    fig.panels.push_back(ten_classes([](int d) { return std::to_string(d); }));
    std::string svg = xtnn::plot::to_svg(fig);
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 10);
    REQUIRE(occurrences(svg, "<circle") == 30 + 10);
    REQUIRE(occurrences(svg, "<path d=\"M") == 30 + 10);
    const auto entry = svg.find("class=\"legend-entry\"");
    const std::string first = svg.substr(entry, svg.find("</g>", entry) - entry);
    REQUIRE_THAT(first, Contains("<circle") && Contains("<path") && Contains(">0</text>"));

    // Unnamed crosses: only the dots are in the legend.
    fig.panels[0] = ten_classes([](int) { return std::string(); });
    svg = xtnn::plot::to_svg(fig);
    REQUIRE(occurrences(svg, "class=\"legend-entry\"") == 10);
    REQUIRE(occurrences(svg, "<path d=\"M") == 30);

    // The same name in another colour stays a separate entry.
    fig.panels[0] = ten_classes([](int) { return std::string("0"); });
    REQUIRE(occurrences(xtnn::plot::to_svg(fig), "class=\"legend-entry\"") == 10 + 9);
}

TEST_CASE("plot: to_png writes an RGB PNG of the figure's size with the data where the SVG has it")
{
    // One red horizontal line at y = 5 over x in [0, 20], in fixed ranges [0, 10]^2, with
    // a green dot at (5, 5) and a blue cross at (2.5, 7.5); no legend.
    xtnn::plot::panel p;
    p.x_min = p.y_min = 0;
    p.x_max = p.y_max = 10;
    xtnn::plot::series line;
    line.x = {0, 20};
    line.y = {5, 5};
    line.color = "#ff0000";
    p.series.push_back(line);
    xtnn::plot::series dot;
    dot.x = {5};
    dot.y = {5};
    dot.style = xtnn::plot::style::markers;
    dot.marker_radius = 4;
    dot.color = "lime";
    p.series.push_back(dot);
    xtnn::plot::series cross = dot;
    cross.x = {2.5};
    cross.y = {7.5};
    cross.marker = xtnn::plot::marker::cross;
    cross.color = "#00f";
    p.series.push_back(cross);
    xtnn::plot::figure fig;
    fig.panels.push_back(p);

    const auto png = decode(xtnn::plot::to_png(fig));
    // width 460, height 340, bit depth 8, colour type 2 (RGB), compression, filter, interlace 0
    REQUIRE(png.ihdr == bytes{0, 0, 1, 0xCC, 0, 0, 1, 0x54, 8, 2, 0, 0, 0});
    REQUIRE(png.raw.size() == 340 * (1 + 3 * 460));
    for (std::size_t y = 0; y < 340; ++y)
    {
        REQUIRE(png.raw[y * (1 + 3 * 460)] == 0);  // filter type "None"
    }

    const auto l = xtnn::plot::detail::layout_panel(p, 0, 0, 460, 340);
    REQUIRE((l.x0 == 62 && l.x1 == 446 && l.y0 == 34 && l.y1 == 292));
    const xtnn::detail::rgb white{255, 255, 255}, red{255, 0, 0}, lime{0, 255, 0};
    // The line is 2 pixels wide, centred on sy(5) = 163: rows 162 and 163.
    REQUIRE(l.sy(5) == Approx(163));
    REQUIRE(png.at(100, 162) == red);
    REQUIRE(png.at(100, 163) == red);
    REQUIRE(png.at(100, 161) == white);
    REQUIRE(png.at(100, 164) == white);
    // It is clipped at the plot area's right edge although its data run on to x = 20.
    REQUIRE(png.at(440, 162) == red);
    REQUIRE(png.at(450, 162) == white);
    REQUIRE(png.at(458, 163) == white);
    // The dot over the line at sx(5) = 254, the cross's centre at (sx(2.5), sy(7.5)).
    REQUIRE(png.at(254, 162) == lime);
    // The cross's strokes (1.5 pixels, anti-aliased) meet between pixel centres: nearly blue.
    const auto centre =
        png.at(static_cast<std::size_t>(l.sx(2.5)), static_cast<std::size_t>(l.sy(7.5)));
    REQUIRE((centre.b == 255 && centre.r < 20 && centre.g < 20));
    // Background inside the plot area and outside it; the frame's left edge in #333.
    REQUIRE(png.at(200, 100) == white);
    REQUIRE(png.at(5, 5) == white);
    REQUIRE(png.at(62, 100) == (xtnn::detail::rgb{0x33, 0x33, 0x33}));

    // Points far outside fixed ranges cost nothing and draw nothing outside the plot
    // area, dashed or not; the visible part of the line through them is still drawn.
    xtnn::plot::series far;
    far.x = {-1e300, 5, 1e300};
    far.y = {-1e300, 5, 1e300};
    far.line_style = xtnn::plot::line_style::dashed;
    far.color = "black";
    auto far_fig = fig;
    far_fig.panels[0].series = {far};
    far.line_style = xtnn::plot::line_style::solid;
    far_fig.panels[0].series.push_back(far);
    const auto far_png = decode(xtnn::plot::to_png(far_fig));
    REQUIRE(far_png.at(254, 162) == (xtnn::detail::rgb{0, 0, 0}));
    REQUIRE(far_png.at(5, 335) == white);
    REQUIRE(far_png.at(455, 5) == white);

    // Two panels side by side make a PNG twice as wide.
    fig.panels.push_back(p);
    const auto wide = decode(xtnn::plot::to_png(fig));
    REQUIRE((wide.width == 920 && wide.height == 340));
    REQUIRE(wide.at(460 + 100, 162) == red);
}

TEST_CASE("plot: figure::columns wraps panels into rows, the same grid in SVG and PNG")
{
    // Four panels of 300 x 200 in rows of 2; each a red line at y = 5 in fixed ranges
    // [0, 10]^2 and a title naming it.
    xtnn::plot::figure fig;
    fig.panel_width = 300;
    fig.panel_height = 200;
    fig.columns = 2;
    for (int i = 0; i < 4; ++i)
    {
        xtnn::plot::panel p;
        p.title = "panel " + std::to_string(i);
        p.x_min = p.y_min = 0;
        p.x_max = p.y_max = 10;
        xtnn::plot::series line;
        line.x = {0, 10};
        line.y = {5, 5};
        line.color = "#ff0000";
        p.series.push_back(line);
        fig.panels.push_back(p);
    }

    // The grid: panel i in column i % 2 of row i / 2.
    const auto grid = xtnn::plot::detail::layout_figure(fig);
    REQUIRE((grid.columns == 2 && grid.rows == 2 && grid.width == 600 && grid.height == 400));
    REQUIRE((grid.left(3) == 300 && grid.top(3) == 200 && grid.left(2) == 0 && grid.top(1) == 0));
    const auto l3 = xtnn::plot::detail::layout_panel(fig, grid, 3);
    REQUIRE((l3.x0 == 300 + 62 && l3.x1 == 600 - 14 && l3.y0 == 200 + 34 && l3.y1 == 400 - 48));
    REQUIRE(l3.title_y == 220);

    const std::string svg = xtnn::plot::to_svg(fig);
    REQUIRE(occurrences(svg, "width=\"600.00\" height=\"400.00\" viewBox=\"0 0 600.00 400.00\"") ==
            1);
    REQUIRE(occurrences(svg, "class=\"panel\"") == 4);
    // Panel 2 starts the second row: its title over its plot area, 200 pixels down.
    REQUIRE_THAT(svg,
                 Contains("<text class=\"title\" x=\"" + xtnn::plot::detail::num((62 + 286) / 2.0) +
                          "\" y=\"220.00\" text-anchor=\"middle\" font-size=\"14\" "
                          "font-weight=\"bold\">panel 2</text>"));
    REQUIRE_THAT(svg, Contains("<rect x=\"362.00\" y=\"234.00\" width=\"224.00\" "
                               "height=\"118.00\"/></clipPath>"));

    // The PNG has the same size, and each panel's line where that panel's layout puts it.
    const auto png = decode(xtnn::plot::to_png(fig));
    REQUIRE((png.width == 600 && png.height == 400));
    const xtnn::detail::rgb red{255, 0, 0}, white{255, 255, 255};
    for (std::size_t i = 0; i < 4; ++i)
    {
        const auto l = xtnn::plot::detail::layout_panel(fig, grid, i);
        const auto x = static_cast<std::size_t>((l.x0 + l.x1) / 2);
        const auto y = static_cast<std::size_t>(l.sy(5));  // the upper of the line's 2 rows
        CAPTURE(i, x, y);
        REQUIRE(png.at(x, y) == red);
        REQUIRE(png.at(x, y - 10) == white);
    }

    // 0 columns keeps one row; a short last row; more columns than panels: one row.
    fig.columns = 0;
    const auto one_row = decode(xtnn::plot::to_png(fig));
    REQUIRE((one_row.width == 1200 && one_row.height == 200));
    fig.columns = 3;
    const auto short_row = xtnn::plot::detail::layout_figure(fig);
    REQUIRE((short_row.columns == 3 && short_row.rows == 2 && short_row.left(3) == 0 &&
             short_row.top(3) == 200));
    REQUIRE_THAT(xtnn::plot::to_svg(fig), Contains("width=\"900.00\" height=\"400.00\""));
    fig.columns = 9;
    REQUIRE((xtnn::plot::detail::layout_figure(fig).columns == 4 &&
             xtnn::plot::detail::layout_figure(fig).rows == 1));
    // An empty figure is still one empty cell.
    fig.panels.clear();
    const auto empty = xtnn::plot::detail::layout_figure(fig);
    REQUIRE((empty.width == 300 && empty.height == 200));
}

TEST_CASE("plot: to_png draws history_figure and a scatter plot, and rejects unknown colours")
{
    xtnn::history h;
    for (int e = 1; e <= 3; ++e)
    {
        xtnn::epoch_record r;
        r.epoch = static_cast<std::size_t>(e);
        r.loss = r.val_loss = 1.0 / e;
        r.accuracy = r.val_accuracy = 1 - 0.1 / e;
        h.epochs.push_back(r);
    }
    const auto history = decode(xtnn::plot::to_png(xtnn::plot::history_figure(h, "run")));
    REQUIRE((history.width == 920 && history.height == 340));
    REQUIRE(history.raw.size() == 340 * (1 + 3 * 920));

    xtnn::plot::figure scatter;
    scatter.panel_width = 300.4;  // sides are rounded
    scatter.panel_height = 199.6;
    scatter.panels.push_back(ten_classes([](int d) { return "test " + std::to_string(d); }));
    const auto small = decode(xtnn::plot::to_png(scatter));
    REQUIRE((small.width == 300 && small.height == 200));
    REQUIRE(small.raw.size() == 200 * (1 + 3 * 300));

    scatter.panel_height = 1e9;
    REQUIRE_THROWS_WITH(
        xtnn::plot::to_png(scatter),
        Contains("the figure is 300.4 x 1e+09 pixels; expected sides of 1 .. 32768"));
    scatter.panel_height = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_AS(xtnn::plot::to_png(scatter), xtnn::shape_error);
    scatter.panel_height = 200;
    scatter.panels[0].series[3].color = "rebeccapurple-ish";
    REQUIRE_THROWS_AS(xtnn::plot::to_png(scatter), xtnn::error);
    REQUIRE_THROWS_WITH(xtnn::plot::to_png(scatter), Contains("xtnn::plot::to_png") &&
                                                         Contains("\"rebeccapurple-ish\"") &&
                                                         Contains("series \"3\""));
    scatter.panels[0].series[3].x = {1};
    REQUIRE_THROWS_AS(xtnn::plot::to_png(scatter), xtnn::shape_error);
}

TEST_CASE("plot: save writes SVG or PNG by the path's extension, atomically")
{
    xtnn::plot::figure fig;
    fig.panels.push_back(ten_classes([](int) { return std::string(); }));
    const xtnn_test::temp_dir scratch;

    xtnn::plot::save(fig, scratch.file("a.svg"));
    const bytes svg = xtnn::detail::read_file(scratch.file("a.svg"), "test");
    const std::string expected_svg = xtnn::plot::to_svg(fig);
    REQUIRE(svg == bytes(expected_svg.begin(), expected_svg.end()));

    xtnn::plot::save(fig, scratch.file("b.PNG"));  // any case
    REQUIRE(xtnn::detail::read_file(scratch.file("b.PNG"), "test") == xtnn::plot::to_png(fig));
    xtnn::plot::save_png(fig, scratch.file("c.png"));
    REQUIRE(xtnn::detail::read_file(scratch.file("c.png"), "test") == xtnn::plot::to_png(fig));

    REQUIRE_THROWS_AS(xtnn::plot::save(fig, scratch.file("d.jpg")), xtnn::error);
    REQUIRE_THROWS_WITH(xtnn::plot::save(fig, scratch.file("d.jpg")),
                        Contains("xtnn::plot::save") && Contains("d.jpg\"") &&
                            Contains("extension \".jpg\"") && Contains("expected .svg or .png"));
    REQUIRE_THROWS_WITH(xtnn::plot::save(fig, scratch.file("v1.2/plot")),
                        Contains("without an extension"));
    REQUIRE_THROWS_AS(xtnn::plot::save(fig, scratch.file("missing/x.png")), xtnn::io_error);
    REQUIRE_THROWS_WITH(xtnn::plot::save(fig, scratch.file("missing/x.png")),
                        Contains("xtnn::plot::save_png"));
}

TEST_CASE("plot: the raster canvas parses SVG colours and draws dashes with gaps")
{
    xtnn::detail::rgb c;
    REQUIRE((xtnn::detail::parse_color("#1f77b4", c) && c == xtnn::detail::rgb{0x1f, 0x77, 0xb4}));
    REQUIRE((xtnn::detail::parse_color("#F0a", c) && c == xtnn::detail::rgb{0xff, 0x00, 0xaa}));
    REQUIRE((xtnn::detail::parse_color("White", c) && c == xtnn::detail::rgb{255, 255, 255}));
    REQUIRE_FALSE(xtnn::detail::parse_color("#12345", c));
    REQUIRE_FALSE(xtnn::detail::parse_color("#gggggg", c));
    REQUIRE_FALSE(xtnn::detail::parse_color("", c));

    // A dashed 2-pixel line along row 5..6 from x = 0: dashes on [0, 6), [10, 16), ...
    xtnn::detail::rgb_canvas canvas(40, 12, {255, 255, 255});
    const xtnn::detail::rgb black{0, 0, 0}, white{255, 255, 255};
    canvas.polyline({{0, 6}, {40, 6}}, 2, black, {6, 4});
    REQUIRE(canvas.at(0, 5) == black);
    REQUIRE(canvas.at(5, 6) == black);
    REQUIRE(canvas.at(7, 5) == white);
    REQUIRE(canvas.at(9, 6) == white);
    REQUIRE(canvas.at(12, 5) == black);
    REQUIRE(canvas.at(12, 4) == white);
    REQUIRE(canvas.at(12, 7) == white);
}
