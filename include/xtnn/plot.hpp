// SPDX-License-Identifier: MIT
// A small SVG plot writer: a figure of panels side by side, each with several series drawn
// as lines and/or markers, a title, axis labels, "nice" ticks, a legend and autoscaled
// ranges. history_figure() draws a training run's loss and accuracy curves.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/history.hpp>

namespace xtnn::plot
{
/// How a series is drawn.
enum class style
{
    line,     ///< a polyline through the points (NaN values break it)
    markers,  ///< a dot per point: a scatter plot
    line_and_markers
};

/// The mark drawn at each point of a markers series.
enum class marker
{
    dot,   ///< a filled circle
    cross  ///< an x of two strokes: tells a second set apart in the same colours
};

/// One named sequence of points (x[i], y[i]); x and y have equal sizes.
struct series
{
    std::string name;          ///< the legend entry ("" = not in the legend)
    std::vector<double> x, y;  ///< NaN coordinates are skipped
    plot::style style = plot::style::line;
    std::string color;  ///< any SVG colour; "" = the palette's next colour
    bool dashed = false;
    double marker_radius = 3;
    plot::marker marker = plot::marker::dot;
};

/// Series `x` = 1, 2, ..., y.size(): a value per epoch.
inline series by_index(std::string name, const std::vector<double>& y)
{
    series s;
    s.name = std::move(name);
    s.y = y;
    for (std::size_t i = 0; i < y.size(); ++i)
    {
        s.x.push_back(static_cast<double>(i + 1));
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
};

/// Panels laid out left to right, each panel_width x panel_height pixels.
struct figure
{
    std::vector<plot::panel> panels;
    double panel_width = 460;
    double panel_height = 340;
};

namespace detail
{
inline const char* palette(std::size_t i)
{
    static const char* const colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return colors[i % 10];
}

inline std::string escape(const std::string& text)
{
    std::string out;
    for (char c : text)
    {
        switch (c)
        {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

inline std::string num(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return buffer;
}

/// One marker of `radius` at (cx, cy), as an SVG element.
inline std::string marker_svg(marker shape, double cx, double cy, double radius,
                              const std::string& color)
{
    if (shape == marker::cross)
    {
        const std::string l = num(cx - radius), r = num(cx + radius);
        const std::string t = num(cy - radius), b = num(cy + radius);
        return "<path d=\"M" + l + "," + t + "L" + r + "," + b + "M" + l + "," + b + "L" + r +
               "," + t + "\" stroke=\"" + color + "\" stroke-width=\"1.5\" fill=\"none\"/>";
    }
    return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(radius) +
           "\" fill=\"" + color + "\"/>";
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

/// The data's [min, max] over finite values of one coordinate; {NaN, NaN} when none.
inline std::pair<double, double> extent(const std::vector<plot::series>& all, bool use_x)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const auto& s : all)
    {
        for (double v : use_x ? s.x : s.y)
        {
            if (std::isfinite(v))
            {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    if (lo > hi)
    {
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    }
    return {lo, hi};
}

/// Appends one panel's SVG, its top-left corner at (left, 0). `id` names its clip path.
inline void draw_panel(std::string& svg, const panel& p, double left, double width, double height,
                       std::size_t id)
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
    // Plot area inside the panel, leaving room for title, labels and tick labels.
    const double x0 = left + 62, x1 = left + width - 14, y0 = 34, y1 = height - 48;
    const auto [data_x_lo, data_x_hi] = extent(p.series, true);
    const auto [data_y_lo, data_y_hi] = extent(p.series, false);
    const ticks tx = nice_ticks(std::isnan(p.x_min) ? data_x_lo : p.x_min,
                                std::isnan(p.x_max) ? data_x_hi : p.x_max, 6, p.integer_x);
    const ticks ty = nice_ticks(std::isnan(p.y_min) ? data_y_lo : p.y_min,
                                std::isnan(p.y_max) ? data_y_hi : p.y_max, 5, false);
    // screen = plot-area edge + (value - lo) / (hi - lo) · extent; y grows downwards
    const auto sx = [&](double v) { return x0 + (v - tx.lo) / (tx.hi - tx.lo) * (x1 - x0); };
    const auto sy = [&](double v) { return y1 - (v - ty.lo) / (ty.hi - ty.lo) * (y1 - y0); };
    const std::string clip = "xtnn-plot-area-" + std::to_string(id);

    svg += "<g class=\"panel\">\n";
    svg += "<clipPath id=\"" + clip + "\"><rect x=\"" + num(x0) + "\" y=\"" + num(y0) +
           "\" width=\"" + num(x1 - x0) + "\" height=\"" + num(y1 - y0) + "\"/></clipPath>\n";
    svg += "<text class=\"title\" x=\"" + num((x0 + x1) / 2) +
           "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
           escape(p.title) + "</text>\n";
    // Grid lines and tick labels; at most 100 per axis whatever the ranges.
    svg += "<g class=\"ticks\" font-size=\"11\" fill=\"#333\">\n";
    for (int i = 0; i <= 100 && tx.lo + i * tx.step <= tx.hi + tx.step * 1e-6; ++i)
    {
        const double v = tx.lo + i * tx.step;
        svg += "<line x1=\"" + num(sx(v)) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(sx(v)) +
               "\" y2=\"" + num(y1) + "\" stroke=\"#e5e5e5\"/>";
        svg += "<text x=\"" + num(sx(v)) + "\" y=\"" + num(y1 + 15) + "\" text-anchor=\"middle\">" +
               tick_label(v, tx.decimals) + "</text>\n";
    }
    for (int i = 0; i <= 100 && ty.lo + i * ty.step <= ty.hi + ty.step * 1e-6; ++i)
    {
        const double v = ty.lo + i * ty.step;
        svg += "<line x1=\"" + num(x0) + "\" y1=\"" + num(sy(v)) + "\" x2=\"" + num(x1) +
               "\" y2=\"" + num(sy(v)) + "\" stroke=\"#e5e5e5\"/>";
        svg += "<text x=\"" + num(x0 - 5) + "\" y=\"" + num(sy(v) + 4) + "\" text-anchor=\"end\">" +
               tick_label(v, ty.decimals) + "</text>\n";
    }
    svg += "</g>\n<rect class=\"frame\" x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" +
           num(x1 - x0) + "\" height=\"" + num(y1 - y0) + "\" fill=\"none\" stroke=\"#333\"/>\n";
    svg += "<text class=\"x-label\" x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(height - 12) +
           "\" text-anchor=\"middle\" font-size=\"12\">" + escape(p.x_label) + "</text>\n";
    svg += "<text class=\"y-label\" transform=\"translate(" + num(left + 16) + " " +
           num((y0 + y1) / 2) + ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" +
           escape(p.y_label) + "</text>\n";

    // The data, clipped to the plot area (a fixed range may cut it).
    std::vector<std::string> colors;
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        const auto& s = p.series[k];
        colors.push_back(s.color.empty() ? palette(k) : s.color);
        svg += "<g class=\"series\" data-name=\"" + escape(s.name) + "\" clip-path=\"url(#" + clip +
               ")\">\n";
        if (s.style != style::markers)
        {
            std::string points;
            const auto flush = [&]
            {
                if (!points.empty())
                {
                    svg += "<polyline fill=\"none\" stroke=\"" + colors.back() +
                           "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") +
                           " points=\"" + points + "\"/>\n";
                    points.clear();
                }
            };
            for (std::size_t i = 0; i < s.x.size(); ++i)
            {
                if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]))
                {
                    flush();  // a gap
                    continue;
                }
                points += (points.empty() ? "" : " ") + num(sx(s.x[i])) + "," + num(sy(s.y[i]));
            }
            flush();
        }
        if (s.style != style::line)
        {
            for (std::size_t i = 0; i < s.x.size(); ++i)
            {
                if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
                {
                    svg += marker_svg(s.marker, sx(s.x[i]), sy(s.y[i]), s.marker_radius,
                                      colors.back()) +
                           "\n";
                }
            }
        }
        svg += "</g>\n";
    }

    // Legend: one row per named series, in the emptiest corner of the plot area.
    std::size_t named = 0;
    std::size_t longest = 0;
    for (const auto& s : p.series)
    {
        named += !s.name.empty();
        longest = std::max(longest, s.name.size());
    }
    if (p.legend && named > 0)
    {
        const double box_w = 40 + 6.5 * static_cast<double>(longest);
        const double box_h = 8 + 16 * static_cast<double>(named);
        // The corner whose box covers the fewest data points (first wins ties: top right).
        const double corners[4][2] = {{x1 - box_w - 8, y0 + 8},
                                      {x1 - box_w - 8, y1 - box_h - 8},
                                      {x0 + 8, y0 + 8},
                                      {x0 + 8, y1 - box_h - 8}};
        std::size_t best = 0, best_count = std::numeric_limits<std::size_t>::max();
        for (std::size_t c = 0; c < 4; ++c)
        {
            std::size_t covered = 0;
            for (const auto& s : p.series)
            {
                for (std::size_t i = 0; i < s.x.size(); ++i)
                {
                    const double px = sx(s.x[i]), py = sy(s.y[i]);
                    covered += px >= corners[c][0] - 6 && px <= corners[c][0] + box_w + 6 &&
                               py >= corners[c][1] - 6 && py <= corners[c][1] + box_h + 6;
                }
            }
            if (covered < best_count)
            {
                best = c;
                best_count = covered;
            }
        }
        const double lx = corners[best][0], ly = corners[best][1];
        svg += "<g class=\"legend\" font-size=\"11\">\n<rect x=\"" + num(lx) + "\" y=\"" + num(ly) +
               "\" width=\"" + num(box_w) + "\" height=\"" + num(box_h) +
               "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n";
        double row = ly + 14;
        for (std::size_t k = 0; k < p.series.size(); ++k)
        {
            const auto& s = p.series[k];
            if (s.name.empty())
            {
                continue;
            }
            svg += "<g class=\"legend-entry\">";
            if (s.style != style::markers)
            {
                svg += "<line x1=\"" + num(lx + 6) + "\" y1=\"" + num(row - 4) + "\" x2=\"" +
                       num(lx + 28) + "\" y2=\"" + num(row - 4) + "\" stroke=\"" + colors[k] +
                       "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") +
                       "/>";
            }
            if (s.style != style::line)
            {
                svg += marker_svg(s.marker, lx + 17, row - 4, s.marker_radius, colors[k]);
            }
            svg += "<text x=\"" + num(lx + 34) + "\" y=\"" + num(row) + "\">" + escape(s.name) +
                   "</text></g>\n";
            row += 16;
        }
        svg += "</g>\n";
    }
    svg += "</g>\n";
}
}  // namespace detail

/// The figure as a standalone SVG document.
/// @throws shape_error when a series' x and y sizes differ.
inline std::string to_svg(const figure& fig)
{
    const double width =
        fig.panel_width * static_cast<double>(std::max<std::size_t>(1, fig.panels.size()));
    const double height = fig.panel_height;
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      detail::num(width) + "\" height=\"" + detail::num(height) +
                      "\" viewBox=\"0 0 " + detail::num(width) + " " + detail::num(height) +
                      "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (std::size_t i = 0; i < fig.panels.size(); ++i)
    {
        detail::draw_panel(svg, fig.panels[i], fig.panel_width * static_cast<double>(i),
                           fig.panel_width, height, i);
    }
    svg += "</svg>\n";
    return svg;
}

/// Writes the figure's SVG to `path` atomically (temporary file, then rename).
/// @throws io_error naming the path; shape_error as to_svg.
inline void save_svg(const figure& fig, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, to_svg(fig), "xtnn::plot::save_svg");
}

/// A training run's curves: loss (left) and accuracy (right) per epoch, the training
/// values solid and the validation values dashed (when the run had them).
inline figure history_figure(const history& h, const std::string& title_prefix = "")
{
    const auto make = [&](const char* what, std::vector<double> train, std::vector<double> val)
    {
        panel p;
        p.title = title_prefix + (title_prefix.empty() ? "" : ": ") + what;
        p.x_label = "epoch";
        p.y_label = what;
        p.integer_x = true;
        const style points = h.size() <= 30 ? style::line_and_markers : style::line;
        series s = by_index("training", train);
        s.style = points;
        p.series.push_back(s);
        if (h.has_validation())
        {
            series v = by_index("validation", val);
            v.style = points;
            v.dashed = true;
            p.series.push_back(v);
        }
        return p;
    };
    figure fig;
    fig.panels.push_back(make("loss", h.loss(), h.val_loss()));
    fig.panels.push_back(make("accuracy", h.accuracy(), h.val_accuracy()));
    return fig;
}
}  // namespace xtnn::plot
