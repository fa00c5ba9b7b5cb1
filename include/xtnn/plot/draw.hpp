// SPDX-License-Identifier: MIT
// Drawing a figure: its layout (figure.hpp) turned into the shapes of a scene (scene.hpp) —
// per panel its title, grid, ticks, frame, labels, series (lines, markers, bars) clipped to
// the plot area, and legend. The only place that decides what a figure looks like: the SVG
// and PNG writers render this scene and nothing else.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/scene.hpp>

namespace xtnn::plot
{
namespace detail
{
/// A rectangle filled with `color` (opacity `alpha`), outlined in `outline` when that is set.
inline shapes::rect box(double x0, double y0, double x1, double y1, const std::string& color,
                        double alpha = 1, const std::string& outline = "")
{
    shapes::rect r;  // set member by member: GCC 12 warns falsely on the aggregate's strings
    r.x0 = x0, r.y0 = y0, r.x1 = x1, r.y1 = y1;
    r.fill = color;
    r.fill_opacity = alpha;
    if (!outline.empty())
    {
        r.stroke.color = outline;
        r.stroke.width = 1;
    }
    return r;
}

/// One marker of `radius` at (cx, cy): a disc, or an x or + of two 1.5-pixel strokes.
inline void draw_marker(scene& out, marker shape, double cx, double cy, double radius,
                        const std::string& color)
{
    using shapes::point;
    if (shape == marker::dot)
    {
        out.add(shapes::circle{cx, cy, radius, color});
        return;
    }
    const double r = radius;
    const auto pieces = shape == marker::cross
                            ? std::vector<std::vector<point>>{{{cx - r, cy - r}, {cx + r, cy + r}},
                                                              {{cx - r, cy + r}, {cx + r, cy - r}}}
                            : std::vector<std::vector<point>>{{{cx - r, cy}, {cx + r, cy}},
                                                              {{cx, cy - r}, {cx, cy + r}}};
    out.add(shapes::path{pieces, {color, 1.5}});
}

/// A series' data: its bars, its line (broken where points are not drawn), then a marker
/// every marker_every points.
inline void draw_series(scene& out, const series& s, const std::string& color,
                        const panel_layout& l)
{
    if (s.style == style::bars)
    {
        // from 0 (the bottom of a log axis) to y, the bar_width centred on x
        const double base = l.y_scale == scale::log ? l.y1 : l.sy(0);
        for (std::size_t i = 0; i < s.x.size(); ++i)
        {
            const double left = l.sx(s.x[i] - s.bar_width / 2);
            const double right = l.sx(s.x[i] + s.bar_width / 2), top = l.sy(s.y[i]);
            if (std::isfinite(left) && std::isfinite(right) && std::isfinite(top))
            {
                out.add(box(left, std::min(top, base), right, std::max(top, base), color));
            }
        }
        return;
    }
    if (s.style != style::markers)
    {
        for (auto& run : screen_runs(s, l))
        {
            out.add(shapes::polyline{std::move(run), {color, s.line_width, s.line_style}});
        }
    }
    if (s.style != style::line)
    {
        const std::size_t every = s.marker_every == 0 ? 1 : s.marker_every;
        for (std::size_t i = 0; i < s.x.size(); i += every)
        {
            const double x = l.sx(s.x[i]), y = l.sy(s.y[i]);
            if (std::isfinite(x) && std::isfinite(y))
            {
                draw_marker(out, s.marker, x, y, s.marker_radius, color);
            }
        }
    }
}

/// A legend row's swatch: each of its series' line, a bar's square, or markers spread
/// along the line's place.
inline void draw_swatch(scene& out, const panel& p, const legend_row& row, const panel_layout& l)
{
    std::size_t markers = 0;
    for (std::size_t k : row.series)
    {
        markers +=
            p.series[k].style == style::markers || p.series[k].style == style::line_and_markers;
    }
    std::size_t m = 0;
    const double y = row.baseline - 4;
    for (std::size_t k : row.series)
    {
        const auto& s = p.series[k];
        const std::string& color = l.colors[k];
        if (s.style == style::bars)
        {
            out.add(box(row.x + 11, y - 5, row.x + 23, y + 5, color));
            continue;
        }
        if (s.style != style::markers)
        {
            out.add(shapes::segment{{row.x + 6, y}, {row.x + 28, y}, {color, 2, s.line_style}});
        }
        if (s.style != style::line)
        {
            draw_marker(out, s.marker, swatch_marker_x(row, m++, markers), y, s.marker_radius,
                        color);
        }
    }
}

/// Draws one panel laid out by layout_panel.
inline void draw_panel(scene& out, const panel& p, const panel_layout& l)
{
    using shapes::text;
    const double middle = (l.x0 + l.x1) / 2;
    const std::string grid = "#e5e5e5", dark = "#333";
    out.add(shapes::group{"panel", ""});
    out.add(
        text{middle, l.title_y, p.title, 14, true, text_anchor::middle, false, "#000", "title"});
    for (std::size_t i = 0; i < l.x_ticks.size(); ++i)
    {
        const double x = l.sx(l.x_ticks[i]);
        out.add(shapes::segment{{x, l.y0}, {x, l.y1}, {grid, 1}});
        out.add(text{x, l.x_tick_y, l.x_tick_labels[i], 11, false, text_anchor::middle, false, dark,
                     "x-tick"});
    }
    for (std::size_t i = 0; i < l.y_ticks.size(); ++i)
    {
        const double y = l.sy(l.y_ticks[i]);
        out.add(shapes::segment{{l.x0, y}, {l.x1, y}, {grid, 1}});
        out.add(text{l.y_tick_x, y + 4, l.y_tick_labels[i], 11, false, text_anchor::end, false,
                     dark, "y-tick"});
    }
    shapes::rect frame = box(l.x0, l.y0, l.x1, l.y1, "", 1, dark);
    frame.css_class = "frame";
    out.add(frame);
    out.add(text{middle, l.x_label_y, p.x_label, 12, false, text_anchor::middle, false, "#000",
                 "x-label"});
    out.add(text{l.y_label_x, (l.y0 + l.y1) / 2, p.y_label, 12, false, text_anchor::middle, true,
                 "#000", "y-label"});

    // The data, clipped to the plot area (a fixed range may cut it).
    out.add(shapes::clip{l.x0, l.y0, l.x1, l.y1});
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        out.add(shapes::group{"series", p.series[k].name});
        draw_series(out, p.series[k], l.colors[k], l);
        out.add(shapes::end_group{});
    }
    out.add(shapes::end_clip{});

    if (l.legend)
    {
        out.add(shapes::group{"legend", ""});
        out.add(box(l.legend_x, l.legend_y, l.legend_x + l.legend_w, l.legend_y + l.legend_h,
                    "#fff", 0.85, "#bbb"));
        for (const auto& row : l.legend_rows)
        {
            out.add(shapes::group{"legend-entry", ""});
            draw_swatch(out, p, row, l);
            out.add(text{row.x + 34, row.baseline, row.name, 11, false, text_anchor::start, false,
                         "#000", ""});
            out.add(shapes::end_group{});
        }
        out.add(shapes::end_group{});
    }
    out.add(shapes::end_group{});
}
}  // namespace detail

/// The figure as shapes in pixels, on a white background of the grid's size
/// (layout_figure: columns · panel_width x rows · panel_height).
/// @throws shape_error when a series' x and y sizes differ.
inline scene draw(const figure& fig)
{
    const detail::figure_layout grid = detail::layout_figure(fig);
    scene out;
    out.width = grid.width;
    out.height = grid.height;
    for (std::size_t i = 0; i < fig.panels.size(); ++i)
    {
        detail::draw_panel(out, fig.panels[i], detail::layout_panel(fig, grid, i));
    }
    return out;
}
}  // namespace xtnn::plot
