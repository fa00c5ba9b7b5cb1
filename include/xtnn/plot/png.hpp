// SPDX-License-Identifier: MIT
// A figure as an 8-bit RGB PNG, drawn from the same layout as its SVG (figure.hpp):
// anti-aliased lines and markers, grid, ticks, legend, and text in the built-in 5x7 bitmap
// font (titles twice as large when they fit). No dependency beyond zlib.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/raster.hpp>
#include <xtnn/error.hpp>
#include <xtnn/plot/figure.hpp>

namespace xtnn::plot
{
namespace detail
{
using xtnn::detail::rgb;
using xtnn::detail::rgb_canvas;
using xtnn::detail::text_anchor;

/// The series' colours as RGB.
/// @throws error naming the series and colour when one is not "#rgb", "#rrggbb" or a
///         basic SVG colour name (the SVG writer passes any colour through).
inline std::vector<rgb> raster_colors(const panel& p, const panel_layout& l)
{
    std::vector<rgb> colors;
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        rgb c;
        if (!xtnn::detail::parse_color(l.colors[k], c))
        {
            throw error("xtnn::plot::to_png: series \"" + p.series[k].name + "\" has colour \"" +
                        l.colors[k] + "\"; expected #rgb, #rrggbb or a basic colour name");
        }
        colors.push_back(c);
    }
    return colors;
}

/// One marker of `radius` at (cx, cy): a disc, or an x of two 1.5-pixel strokes.
inline void raster_marker(rgb_canvas& canvas, marker shape, double cx, double cy, double radius,
                          rgb color)
{
    if (shape == marker::cross)
    {
        canvas.line(cx - radius, cy - radius, cx + radius, cy + radius, 1.5, color);
        canvas.line(cx - radius, cy + radius, cx + radius, cy - radius, 1.5, color);
        return;
    }
    canvas.disc(cx, cy, radius, color);
}

/// Draws one panel laid out by layout_panel; the same elements, in the same order, as
/// the SVG writer's draw_panel.
inline void raster_panel(rgb_canvas& canvas, const panel& p, const panel_layout& l)
{
    const std::vector<rgb> colors = raster_colors(p, l);
    const rgb black{0, 0, 0}, dark{0x33, 0x33, 0x33}, grid{0xe5, 0xe5, 0xe5};
    const double middle = (l.x0 + l.x1) / 2;
    // The title at twice the font's size when it fits over the plot area.
    const int title_scale = rgb_canvas::text_width(p.title, 2) <= l.x1 - l.x0 ? 2 : 1;
    canvas.text(middle, l.title_y, p.title, title_scale, black, text_anchor::middle);
    for (double v : l.x_ticks)
    {
        canvas.line(l.sx(v), l.y0, l.sx(v), l.y1, 1, grid);
        canvas.text(l.sx(v), l.x_tick_y, tick_label(v, l.tx.decimals), 1, dark,
                    text_anchor::middle);
    }
    for (double v : l.y_ticks)
    {
        canvas.line(l.x0, l.sy(v), l.x1, l.sy(v), 1, grid);
        canvas.text(l.y_tick_x, l.sy(v) + 4, tick_label(v, l.ty.decimals), 1, dark,
                    text_anchor::end);
    }
    canvas.frame_rect(l.x0, l.y0, l.x1, l.y1, dark);
    canvas.text(middle, l.x_label_y, p.x_label, 1, black, text_anchor::middle);
    canvas.text(l.y_label_x, (l.y0 + l.y1) / 2, p.y_label, 1, black, text_anchor::middle, true);

    // The data, clipped to the plot area (a fixed range may cut it).
    canvas.clip(l.x0, l.y0, l.x1, l.y1);
    for (std::size_t k = 0; k < p.series.size(); ++k)
    {
        const auto& s = p.series[k];
        const auto runs = screen_runs(s, l);
        for (const auto& run : runs)
        {
            if (s.style != style::markers)
            {
                canvas.polyline(run, 2, colors[k], s.dashed ? 6 : 0, 4);
            }
        }
        for (const auto& run : runs)
        {
            for (const auto& [x, y] : run)
            {
                if (s.style != style::line)
                {
                    raster_marker(canvas, s.marker, x, y, s.marker_radius, colors[k]);
                }
            }
        }
    }
    canvas.unclip();

    if (!l.legend)
    {
        return;
    }
    const double lx1 = l.legend_x + l.legend_w, ly1 = l.legend_y + l.legend_h;
    canvas.fill_rect(l.legend_x, l.legend_y, lx1, ly1, {255, 255, 255}, 0.85);
    canvas.frame_rect(l.legend_x, l.legend_y, lx1, ly1, {0xbb, 0xbb, 0xbb});
    for (const auto& row : l.legend_rows)
    {
        std::size_t markers = 0;
        for (std::size_t k : row.series)
        {
            markers += p.series[k].style != style::line;
        }
        std::size_t m = 0;
        const double y = row.baseline - 4;
        for (std::size_t k : row.series)
        {
            const auto& s = p.series[k];
            if (s.style != style::markers)
            {
                canvas.polyline({{row.x + 6, y}, {row.x + 28, y}}, 2, colors[k], s.dashed ? 6 : 0,
                                4);
            }
            if (s.style != style::line)
            {
                raster_marker(canvas, s.marker, swatch_marker_x(row, m++, markers), y,
                              s.marker_radius, colors[k]);
            }
        }
        // 7 pixels tall: baseline - 1 centres it on the swatch as the SVG's text is.
        canvas.text(row.x + 34, row.baseline - 1, row.name, 1, black);
    }
}

/// The figure drawn on an RGB canvas of its layout's size (layout_figure: columns ·
/// panel_width x rows · panel_height pixels, rounded), white behind.
/// @throws shape_error when a series' x and y sizes differ or a side is not 1 .. 32768
///         pixels; error for a colour the PNG writer cannot read.
inline rgb_canvas rasterize(const figure& fig)
{
    const figure_layout grid = layout_figure(fig);
    const double width = grid.width, height = grid.height;
    constexpr double max_side = 1 << 15;
    if (!(std::round(width) >= 1 && std::round(width) <= max_side && std::round(height) >= 1 &&
          std::round(height) <= max_side))
    {
        char size[64];
        std::snprintf(size, sizeof size, "%g x %g", width, height);
        throw shape_error(std::string("xtnn::plot::to_png: the figure is ") + size +
                          " pixels; expected sides of 1 .. 32768");
    }
    rgb_canvas canvas(static_cast<std::size_t>(std::lround(width)),
                      static_cast<std::size_t>(std::lround(height)), {255, 255, 255});
    for (std::size_t i = 0; i < fig.panels.size(); ++i)
    {
        raster_panel(canvas, fig.panels[i], layout_panel(fig, grid, i));
    }
    return canvas;
}

}  // namespace detail

/// The figure as the bytes of an 8-bit RGB PNG file (colour type 2), laid out as to_svg.
/// @throws shape_error when a series' x and y sizes differ or a side is not 1 .. 32768
///         pixels; error for a colour the PNG writer cannot read (it knows #rgb, #rrggbb
///         and basic names).
inline std::vector<std::uint8_t> to_png(const figure& fig)
{
    return detail::rasterize(fig).to_png("xtnn::plot::to_png");
}

/// Writes the figure as a PNG to `path` atomically (temporary file, then rename).
/// @throws io_error naming the path; as to_png.
inline void save_png(const figure& fig, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, to_png(fig), "xtnn::plot::save_png");
}
}  // namespace xtnn::plot
