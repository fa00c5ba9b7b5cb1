// SPDX-License-Identifier: MIT
// A figure as SVG: its panels in a row or a grid, each with its series as lines and/or
// markers, a title, axis labels, ticks and a legend (the layout is figure.hpp's).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/plot/figure.hpp>

namespace xtnn::plot
{
namespace detail
{
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
        return "<path d=\"M" + l + "," + t + "L" + r + "," + b + "M" + l + "," + b + "L" + r + "," +
               t + "\" stroke=\"" + color + "\" stroke-width=\"1.5\" fill=\"none\"/>";
    }
    return "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(radius) +
           "\" fill=\"" + color + "\"/>";
}

/// Appends the SVG of one panel laid out by layout_panel. `id` names its clip path.
inline void draw_panel(std::string& svg, const panel& p, const panel_layout& l, std::size_t id)
{
    const std::string clip = "xtnn-plot-area-" + std::to_string(id);

    svg += "<g class=\"panel\">\n";
    svg += "<clipPath id=\"" + clip + "\"><rect x=\"" + num(l.x0) + "\" y=\"" + num(l.y0) +
           "\" width=\"" + num(l.x1 - l.x0) + "\" height=\"" + num(l.y1 - l.y0) +
           "\"/></clipPath>\n";
    svg += "<text class=\"title\" x=\"" + num((l.x0 + l.x1) / 2) + "\" y=\"" + num(l.title_y) +
           "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" + escape(p.title) +
           "</text>\n";
    // Grid lines and tick labels.
    svg += "<g class=\"ticks\" font-size=\"11\" fill=\"#333\">\n";
    for (double v : l.x_ticks)
    {
        svg += "<line x1=\"" + num(l.sx(v)) + "\" y1=\"" + num(l.y0) + "\" x2=\"" + num(l.sx(v)) +
               "\" y2=\"" + num(l.y1) + "\" stroke=\"#e5e5e5\"/>";
        svg += "<text class=\"x-tick\" x=\"" + num(l.sx(v)) + "\" y=\"" + num(l.x_tick_y) +
               "\" text-anchor=\"middle\">" + tick_label(v, l.tx.decimals) + "</text>\n";
    }
    for (double v : l.y_ticks)
    {
        svg += "<line x1=\"" + num(l.x0) + "\" y1=\"" + num(l.sy(v)) + "\" x2=\"" + num(l.x1) +
               "\" y2=\"" + num(l.sy(v)) + "\" stroke=\"#e5e5e5\"/>";
        svg += "<text class=\"y-tick\" x=\"" + num(l.y_tick_x) + "\" y=\"" + num(l.sy(v) + 4) +
               "\" text-anchor=\"end\">" + tick_label(v, l.ty.decimals) + "</text>\n";
    }
    svg += "</g>\n<rect class=\"frame\" x=\"" + num(l.x0) + "\" y=\"" + num(l.y0) + "\" width=\"" +
           num(l.x1 - l.x0) + "\" height=\"" + num(l.y1 - l.y0) +
           "\" fill=\"none\" stroke=\"#333\"/>\n";
    svg += "<text class=\"x-label\" x=\"" + num((l.x0 + l.x1) / 2) + "\" y=\"" + num(l.x_label_y) +
           "\" text-anchor=\"middle\" font-size=\"12\">" + escape(p.x_label) + "</text>\n";
    svg += "<text class=\"y-label\" transform=\"translate(" + num(l.y_label_x) + " " +
           num((l.y0 + l.y1) / 2) + ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" +
           escape(p.y_label) + "</text>\n";

    // The data, clipped to the plot area (a fixed range may cut it).
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        const auto& s = p.series[k];
        const std::string& color = l.colors[k];
        svg += "<g class=\"series\" data-name=\"" + escape(s.name) + "\" clip-path=\"url(#" + clip +
               ")\">\n";
        for (const auto& run : screen_runs(s, l))
        {
            if (s.style != style::markers)
            {
                std::string points;
                for (const auto& [x, y] : run)
                {
                    // appended piece by piece: GCC 12's false -Wrestrict (see tensor.hpp)
                    points += points.empty() ? "" : " ";
                    points += num(x);
                    points += ',';
                    points += num(y);
                }
                svg += "<polyline fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" +
                       (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + points +
                       "\"/>\n";
            }
        }
        for (const auto& run : screen_runs(s, l))
        {
            for (const auto& [x, y] : run)
            {
                if (s.style != style::line)
                {
                    svg += marker_svg(s.marker, x, y, s.marker_radius, color) + "\n";
                }
            }
        }
        svg += "</g>\n";
    }

    if (l.legend)
    {
        svg += "<g class=\"legend\" font-size=\"11\">\n<rect x=\"" + num(l.legend_x) + "\" y=\"" +
               num(l.legend_y) + "\" width=\"" + num(l.legend_w) + "\" height=\"" +
               num(l.legend_h) + "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n";
        for (const auto& row : l.legend_rows)
        {
            svg += "<g class=\"legend-entry\">";
            std::size_t markers = 0;
            for (std::size_t k : row.series)
            {
                markers += p.series[k].style != style::line;
            }
            std::size_t m = 0;
            for (std::size_t k : row.series)
            {
                const auto& s = p.series[k];
                const double y = row.baseline - 4;
                if (s.style != style::markers)
                {
                    svg += "<line x1=\"" + num(row.x + 6) + "\" y1=\"" + num(y) + "\" x2=\"" +
                           num(row.x + 28) + "\" y2=\"" + num(y) + "\" stroke=\"" + l.colors[k] +
                           "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") +
                           "/>";
                }
                if (s.style != style::line)
                {
                    svg += marker_svg(s.marker, swatch_marker_x(row, m++, markers), y,
                                      s.marker_radius, l.colors[k]);
                }
            }
            svg += "<text x=\"" + num(row.x + 34) + "\" y=\"" + num(row.baseline) + "\">" +
                   escape(row.name) + "</text></g>\n";
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
    const detail::figure_layout grid = detail::layout_figure(fig);
    const double width = grid.width, height = grid.height;
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      detail::num(width) + "\" height=\"" + detail::num(height) +
                      "\" viewBox=\"0 0 " + detail::num(width) + " " + detail::num(height) +
                      "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (std::size_t i = 0; i < fig.panels.size(); ++i)
    {
        detail::draw_panel(svg, fig.panels[i], detail::layout_panel(fig, grid, i), i);
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

}  // namespace xtnn::plot
