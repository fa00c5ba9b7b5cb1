// SPDX-License-Identifier: MIT
// What a plot is — a figure of panels in a row or a grid, each with named series of points
// drawn as lines, markers or bars, on linear or log axes — and where everything goes: each
// panel's corner in the figure, ranges fitted with "nice" ticks (shared between panels when
// asked), the plot area, colours, the legend's rows and corner. draw.hpp draws from this
// layout once; the SVG and PNG writers render that drawing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/plot/scene.hpp>
#include <xtnn/plot/text.hpp>

namespace xtnn::plot
{
/// How a series is drawn.
enum class style
{
    line,     ///< a polyline through the points (NaN values break it)
    markers,  ///< a dot per point: a scatter plot
    line_and_markers,
    bars  ///< a bar from 0 to y per point, bar_width wide, centred on x: a histogram
};

/// The mark drawn at each point of a markers series.
enum class marker
{
    dot,    ///< a filled circle
    cross,  ///< an x of two strokes: tells a second set apart in the same colours
    plus    ///< a + of two strokes
};

/// How an axis maps values to its length.
enum class scale
{
    linear,
    log  ///< log10: ticks at powers of ten; values <= 0 are not drawn
};

/// One named sequence of points (x[i], y[i]); x and y have equal sizes.
struct series
{
    std::string name;          ///< the legend entry ("" = not in the legend)
    std::vector<double> x, y;  ///< NaN coordinates are skipped
    plot::style style = plot::style::line;
    /// Any SVG colour ("" = the palette's colour for the series' position); PNG output
    /// reads "#rgb", "#rrggbb" and basic names such as "black" or "orange".
    std::string color;
    plot::line_style line_style = plot::line_style::solid;
    double line_width = 2;
    double marker_radius = 3;
    plot::marker marker = plot::marker::dot;
    std::size_t marker_every = 1;  ///< markers at points 0, N, 2N, ... (a long line stays legible)
    double bar_width = 1;          ///< bars: in x units
};

/// Series `x` = first, first + 1, ... for y's values: a value per epoch (from 1), or per
/// index (from 0, as numpy's np.arange(len(y))).
inline series by_index(std::string name, const std::vector<double>& y, double first = 1)
{
    series s;
    s.name = std::move(name);
    s.y = y;
    for (std::size_t i = 0; i < y.size(); ++i)
    {
        s.x.push_back(first + static_cast<double>(i));
    }
    return s;
}

/// One plot area. Ranges left NaN are fitted to the data with nice tick values.
struct panel
{
    std::string title, x_label, y_label;
    std::vector<plot::series> series;
    double x_min = std::numeric_limits<double>::quiet_NaN();
    double x_max = std::numeric_limits<double>::quiet_NaN();
    double y_min = std::numeric_limits<double>::quiet_NaN();
    double y_max = std::numeric_limits<double>::quiet_NaN();
    bool integer_x = false;  ///< x ticks at whole numbers only (epochs)
    bool legend = true;
    plot::scale x_scale = plot::scale::linear, y_scale = plot::scale::linear;
};

/// Panels laid out left to right, each panel_width x panel_height pixels, in one row or
/// wrapping into rows of `columns` (top to bottom; the last row may be short).
struct figure
{
    std::vector<plot::panel> panels;
    double panel_width = 460;
    double panel_height = 340;
    std::size_t columns = 0;  ///< panels per row; 0 = all panels in one row
    /// Panels' ranges left NaN are fitted to the data of all panels (each axis on its own):
    /// the same scale everywhere, so panels compare at a glance.
    bool share_x = false, share_y = false;
};

namespace detail
{
inline const char* palette(std::size_t i)
{
    static const char* const colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return colors[i % 10];
}

/// A colour of a sequential map for t in [0, 1], dark purple through blue and green to
/// yellow: matplotlib's viridis through its values at 0, 1/4, 1/2, 3/4 and 1, linearly
/// between them. For ordered things, such as contour levels.
inline std::string sequential_color(double t)
{
    static const double stops[5][3] = {{0x44, 0x01, 0x54},
                                       {0x3b, 0x52, 0x8b},
                                       {0x21, 0x91, 0x8c},
                                       {0x5e, 0xc9, 0x62},
                                       {0xfd, 0xe7, 0x25}};
    t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) * 4 : 0;
    const auto i = static_cast<std::size_t>(std::min(3.0, std::floor(t)));
    const double u = t - static_cast<double>(i);
    char hex[8];
    int rgb[3];
    for (std::size_t k = 0; k < 3; ++k)
    {
        rgb[k] = static_cast<int>(std::lround(stops[i][k] + u * (stops[i + 1][k] - stops[i][k])));
    }
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
    return hex;
}

/// Ticks over [lo, hi] at a "nice" step (1, 2 or 5 times a power of ten) giving about
/// `target` intervals; lo and hi are widened to multiples of the step.
struct ticks
{
    double lo = 0, hi = 1, step = 1;
    int decimals = 0;
};

inline ticks nice_ticks(double lo, double hi, int target, bool integer)
{
    if (!(hi > lo))  // one value (or none): open a range around it
    {
        const double pad = lo == 0 || !std::isfinite(lo) ? 1.0 : std::fabs(lo) * 0.1;
        lo = std::isfinite(lo) ? lo - pad : 0.0;
        hi = std::isfinite(hi) ? hi + pad : 1.0;
    }
    const double raw = (hi - lo) / target;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / power;
    double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    if (integer)
    {
        step = std::max(1.0, std::round(step));
    }
    ticks t;
    t.step = step;
    t.lo = std::floor(lo / step + 1e-9) * step;
    t.hi = std::ceil(hi / step - 1e-9) * step;
    t.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    return t;
}

inline std::string tick_label(double value, int decimals)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::fabs(value) < 1e-12 ? 0.0 : value);
    return buffer;
}

/// A value where its axis puts it: itself, or its log10 on a log axis (NaN for v <= 0,
/// which is then not drawn).
inline double axis_value(double v, scale s)
{
    if (s == scale::linear)
    {
        return v;
    }
    return v > 0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
}

/// The data's [min, max] along one axis (in axis values) over the points drawn — those with
/// both coordinates finite there; bars reach down to 0 and half their width to each side.
/// {+inf, -inf} when there are none.
inline std::pair<double, double> extent(const std::vector<plot::series>& all, bool use_x,
                                        scale x_scale, scale y_scale)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    const auto include = [&](double v, double x, double y)
    {
        if (std::isfinite(v) && std::isfinite(x) && std::isfinite(y))
        {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    };
    for (const auto& s : all)
    {
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
        {
            if (s.style != style::bars)
            {
                const double x = axis_value(s.x[i], x_scale), y = axis_value(s.y[i], y_scale);
                include(use_x ? x : y, x, y);
                continue;
            }
            const double left = axis_value(s.x[i] - s.bar_width / 2, x_scale);
            const double right = axis_value(s.x[i] + s.bar_width / 2, x_scale);
            const double top = axis_value(s.y[i], y_scale);
            const double base = y_scale == scale::linear ? 0.0 : top;  // no 0 on a log axis
            for (const double x : {left, right})
            {
                for (const double y : {top, base})
                {
                    include(use_x ? x : y, x, y);
                }
            }
        }
    }
    return {lo, hi};
}

/// One legend row: the series its swatch shows — those sharing its name and colour, so a
/// class's training dots and test crosses make one row — and where its swatch starts.
struct legend_row
{
    std::string name;
    std::vector<std::size_t> series;
    double x = 0, baseline = 0;  ///< the swatch's left edge; the text's baseline
};

/// Where everything in one panel goes, in figure pixels: the geometry both writers share.
struct panel_layout
{
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;  ///< the plot area
    double title_y = 0, x_label_y = 0, y_label_x = 0, x_tick_y = 0, y_tick_x = 0;  ///< text
    ticks tx, ty;  ///< in axis values (exponents on a log axis)
    scale x_scale = scale::linear, y_scale = scale::linear;
    std::vector<double> x_ticks, y_ticks;  ///< data values; at most 101 per axis
    std::vector<std::string> x_tick_labels, y_tick_labels;
    std::vector<std::string> colors;  ///< per series: its own or the palette's
    bool legend = false;
    double legend_x = 0, legend_y = 0, legend_w = 0, legend_h = 0;
    std::vector<legend_row> legend_rows;

    // screen = plot-area edge + (axis value - lo) / (hi - lo) · extent; y grows downwards
    double sx(double v) const
    {
        return x0 + (axis_value(v, x_scale) - tx.lo) / (tx.hi - tx.lo) * (x1 - x0);
    }
    double sy(double v) const
    {
        return y1 - (axis_value(v, y_scale) - ty.lo) / (ty.hi - ty.lo) * (y1 - y0);
    }
};

/// Swatch geometry inside a legend row: a line from x + 6 to x + 28 at baseline - 4, the
/// row's markers spread evenly over it, the text from x + 34.
inline double swatch_marker_x(const legend_row& row, std::size_t i, std::size_t markers)
{
    return row.x + 6 + 22 * (static_cast<double>(i) + 0.5) / static_cast<double>(markers);
}

/// Where a figure's panels go: a grid of `columns` x `rows` cells of panel_width x
/// panel_height, panel i in column i % columns of row i / columns.
struct figure_layout
{
    std::size_t columns = 1, rows = 1;
    double panel_width = 0, panel_height = 0;
    double width = 0, height = 0;  ///< the whole figure: columns·panel_width x rows·panel_height
    /// Shared ranges (figure::share_x, share_y) in axis values; NaN where not shared.
    double x_lo = std::numeric_limits<double>::quiet_NaN(), x_hi = x_lo, y_lo = x_lo, y_hi = x_lo;

    double left(std::size_t i) const { return panel_width * static_cast<double>(i % columns); }
    double top(std::size_t i) const { return panel_height * static_cast<double>(i / columns); }
};

/// The grid of `fig`: all panels in one row when fig.columns is 0 (or at least the panel
/// count), else rows of fig.columns; an empty figure is one empty cell.
inline figure_layout layout_figure(const figure& fig)
{
    const std::size_t n = std::max<std::size_t>(1, fig.panels.size());
    figure_layout g;
    g.columns = fig.columns == 0 ? n : std::min(fig.columns, n);
    g.rows = (n + g.columns - 1) / g.columns;
    g.panel_width = fig.panel_width;
    g.panel_height = fig.panel_height;
    g.width = fig.panel_width * static_cast<double>(g.columns);
    g.height = fig.panel_height * static_cast<double>(g.rows);
    // A shared range: the union of the panels' own (fixed where set, else their data's).
    const auto shared = [&](bool use_x, double& lo, double& hi)
    {
        double a = std::numeric_limits<double>::infinity(), b = -a;
        for (const auto& p : fig.panels)
        {
            const scale s = use_x ? p.x_scale : p.y_scale;
            auto [dlo, dhi] = extent(p.series, use_x, p.x_scale, p.y_scale);
            const double fixed_lo = axis_value(use_x ? p.x_min : p.y_min, s);
            const double fixed_hi = axis_value(use_x ? p.x_max : p.y_max, s);
            a = std::min(a, std::isnan(fixed_lo) ? dlo : fixed_lo);
            b = std::max(b, std::isnan(fixed_hi) ? dhi : fixed_hi);
        }
        if (a <= b)
        {
            lo = a, hi = b;
        }
    };
    if (fig.share_x)
    {
        shared(true, g.x_lo, g.x_hi);
    }
    if (fig.share_y)
    {
        shared(false, g.y_lo, g.y_hi);
    }
    return g;
}

/// Ticks over one axis: from the panel's fixed range where set, else the shared range where
/// given, else the data's; on a log axis, at whole powers of ten (at least one decade).
inline void axis_ticks(double fixed_lo, double fixed_hi, std::pair<double, double> shared,
                       std::pair<double, double> data, scale s, int target, bool integer,
                       ticks& t, std::vector<double>& at, std::vector<std::string>& labels)
{
    const auto pick = [](double fixed, double common, double own)
    { return !std::isnan(fixed) ? fixed : !std::isnan(common) ? common : own; };
    double lo = pick(axis_value(fixed_lo, s), shared.first, data.first);
    double hi = pick(axis_value(fixed_hi, s), shared.second, data.second);
    if (!std::isfinite(lo) || !std::isfinite(hi))  // no data: a default range
    {
        lo = s == scale::log ? 0 : std::isfinite(lo) ? lo : std::isfinite(hi) ? hi : 0;
        hi = s == scale::log ? 1 : lo;
    }
    t = nice_ticks(lo, hi, target, integer || s == scale::log);
    // A fixed end stays where it was set (as matplotlib's set_ylim): only a fitted end is
    // widened to a tick. The ticks are then the step's multiples inside the range.
    const double fitted_lo = t.lo;
    if (!std::isnan(fixed_lo) && !std::isnan(fixed_hi) && fixed_hi > fixed_lo)
    {
        t.lo = axis_value(fixed_lo, s), t.hi = axis_value(fixed_hi, s);
    }
    const double first = t.lo == fitted_lo ? t.lo : std::ceil(t.lo / t.step - 1e-9) * t.step;
    for (int i = 0; i <= 100 && first + i * t.step <= t.hi + t.step * 1e-6; ++i)
    {
        const double v = first + i * t.step;
        if (s == scale::log)
        {
            char buffer[32];
            std::snprintf(buffer, sizeof buffer, "%g", std::pow(10.0, v));  // 0.001 .. 1e-05
            at.push_back(std::pow(10.0, v));
            labels.emplace_back(buffer);
        }
        else
        {
            at.push_back(v);
            labels.push_back(tick_label(v, t.decimals));
        }
    }
}

/// Lays out a panel whose top-left corner is at (left, top) in the figure; `grid` gives
/// the ranges shared between panels (NaN: none).
/// @throws shape_error when a series' x and y sizes differ.
inline panel_layout layout_panel(const panel& p, double left, double top, double width,
                                 double height, const figure_layout& grid = {})
{
    for (const auto& s : p.series)
    {
        if (s.x.size() != s.y.size())
        {
            throw shape_error("xtnn::plot: series \"" + s.name + "\" has " +
                              std::to_string(s.x.size()) + " x values and " +
                              std::to_string(s.y.size()) + " y values; expected equal counts");
        }
    }
    panel_layout l;
    // The plot area, leaving room for title, labels and tick labels.
    l.x0 = left + 62, l.x1 = left + width - 14, l.y0 = top + 34, l.y1 = top + height - 48;
    l.title_y = top + 20, l.x_label_y = top + height - 12, l.y_label_x = left + 16;
    l.x_tick_y = l.y1 + 15, l.y_tick_x = l.x0 - 5;
    l.x_scale = p.x_scale, l.y_scale = p.y_scale;
    axis_ticks(p.x_min, p.x_max, {grid.x_lo, grid.x_hi},
               extent(p.series, true, p.x_scale, p.y_scale), p.x_scale, 6, p.integer_x, l.tx,
               l.x_ticks, l.x_tick_labels);
    axis_ticks(p.y_min, p.y_max, {grid.y_lo, grid.y_hi},
               extent(p.series, false, p.x_scale, p.y_scale), p.y_scale, 5, false, l.ty,
               l.y_ticks, l.y_tick_labels);
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        l.colors.push_back(p.series[k].color.empty() ? palette(k) : p.series[k].color);
    }

    // Legend rows: named series, those with the same name and colour merged.
    double longest = 0;  // the widest name, in pixels of the legend's 11-pixel text
    for (std::size_t k = 0; k < p.series.size() && p.legend; ++k)
    {
        const std::string& name = p.series[k].name;
        if (name.empty())
        {
            continue;
        }
        const auto same =
            std::find_if(l.legend_rows.begin(), l.legend_rows.end(),
                         [&](const legend_row& r)
                         { return r.name == name && l.colors[r.series[0]] == l.colors[k]; });
        if (same != l.legend_rows.end())
        {
            same->series.push_back(k);
            continue;
        }
        l.legend_rows.push_back({name, {k}, 0, 0});
        longest = std::max(longest, text_width(name, 11));
    }
    if (l.legend_rows.empty())
    {
        return l;
    }
    // Rows of 16 pixels in as many columns as it takes to fit the plot area's height.
    const std::size_t n = l.legend_rows.size();
    const auto fit = static_cast<std::size_t>(std::max(1.0, (l.y1 - l.y0 - 24) / 16));
    const std::size_t columns = (n + fit - 1) / fit;
    const std::size_t rows = (n + columns - 1) / columns;
    const double column_w = 40 + std::ceil(longest);
    l.legend = true;
    l.legend_w = column_w * static_cast<double>(columns);
    l.legend_h = 8 + 16 * static_cast<double>(rows);
    // The corner whose box covers the fewest data points (first wins ties: top right).
    const double corners[4][2] = {{l.x1 - l.legend_w - 8, l.y0 + 8},
                                  {l.x1 - l.legend_w - 8, l.y1 - l.legend_h - 8},
                                  {l.x0 + 8, l.y0 + 8},
                                  {l.x0 + 8, l.y1 - l.legend_h - 8}};
    std::size_t best = 0, best_count = std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < 4; ++c)
    {
        std::size_t covered = 0;
        for (const auto& s : p.series)
        {
            for (std::size_t i = 0; i < s.x.size(); ++i)
            {
                const double px = l.sx(s.x[i]), py = l.sy(s.y[i]);
                covered += px >= corners[c][0] - 6 && px <= corners[c][0] + l.legend_w + 6 &&
                           py >= corners[c][1] - 6 && py <= corners[c][1] + l.legend_h + 6;
            }
        }
        if (covered < best_count)
        {
            best = c;
            best_count = covered;
        }
    }
    l.legend_x = corners[best][0], l.legend_y = corners[best][1];
    for (std::size_t r = 0; r < n; ++r)
    {
        l.legend_rows[r].x = l.legend_x + column_w * static_cast<double>(r / rows);
        l.legend_rows[r].baseline = l.legend_y + 14 + 16 * static_cast<double>(r % rows);
    }
    return l;
}

/// Lays out panel i of `fig` in its cell of the grid `g` (layout_figure(fig)).
inline panel_layout layout_panel(const figure& fig, const figure_layout& g, std::size_t i)
{
    return layout_panel(fig.panels[i], g.left(i), g.top(i), g.panel_width, g.panel_height, g);
}

/// The series' points in screen coordinates, split into runs at points not drawn (non-finite,
/// or <= 0 on a log axis): each run is one polyline.
inline std::vector<std::vector<std::pair<double, double>>> screen_runs(const series& s,
                                                                       const panel_layout& l)
{
    std::vector<std::vector<std::pair<double, double>>> runs(1);
    for (std::size_t i = 0; i < s.x.size(); ++i)
    {
        const double x = l.sx(s.x[i]), y = l.sy(s.y[i]);
        if (!std::isfinite(x) || !std::isfinite(y))
        {
            if (!runs.back().empty())
            {
                runs.emplace_back();  // a gap
            }
            continue;
        }
        runs.back().emplace_back(x, y);
    }
    if (runs.back().empty())
    {
        runs.pop_back();
    }
    return runs;
}
}  // namespace detail
}  // namespace xtnn::plot
