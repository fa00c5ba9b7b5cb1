// SPDX-License-Identifier: MIT
// A figure as an 8-bit RGB PNG: its scene (draw.hpp) rendered shape by shape on an RGB
// canvas — anti-aliased strokes with their dash patterns, discs, rectangles, and text in
// DejaVu Sans from the bitmaps built into xtnn (text.hpp), the font the SVG names. No
// dependency beyond zlib.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/raster.hpp>
#include <xtnn/error.hpp>
#include <xtnn/plot/draw.hpp>
#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/scene.hpp>
#include <xtnn/plot/text.hpp>

namespace xtnn::plot
{
namespace detail
{
using xtnn::detail::rgb;
using xtnn::detail::rgb_canvas;

/// `color` as RGB.
/// @throws error naming the colour when it is not "#rgb", "#rrggbb" or a basic SVG name.
inline rgb raster_color(const std::string& color)
{
    rgb c;
    if (!xtnn::detail::parse_color(color, c))
    {
        throw error("xtnn::plot::to_png: colour \"" + color +
                    "\"; expected #rgb, #rrggbb or a basic colour name");
    }
    return c;
}

/// Paints one shape; groups only matter to SVG.
inline void raster_shape(rgb_canvas& canvas, const shapes::shape& shape)
{
    std::visit(
        [&](const auto& s)
        {
            using T = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<T, shapes::clip>)
            {
                canvas.clip(s.x0, s.y0, s.x1, s.y1);
            }
            else if constexpr (std::is_same_v<T, shapes::end_clip>)
            {
                canvas.unclip();
            }
            else if constexpr (std::is_same_v<T, shapes::segment>)
            {
                const rgb color = raster_color(s.stroke.color);
                if (s.stroke.style == line_style::solid)
                {
                    canvas.line(s.a.first, s.a.second, s.b.first, s.b.second, s.stroke.width,
                                color);
                }
                else
                {
                    canvas.polyline({s.a, s.b}, s.stroke.width, color,
                                    dash_pattern(s.stroke.style, s.stroke.width));
                }
            }
            else if constexpr (std::is_same_v<T, shapes::polyline>)
            {
                canvas.polyline(s.points, s.stroke.width, raster_color(s.stroke.color),
                                dash_pattern(s.stroke.style, s.stroke.width));
            }
            else if constexpr (std::is_same_v<T, shapes::path>)
            {
                const rgb color = raster_color(s.stroke.color);
                for (const auto& piece : s.pieces)
                {
                    for (std::size_t i = 1; i < piece.size(); ++i)
                    {
                        canvas.line(piece[i - 1].first, piece[i - 1].second, piece[i].first,
                                    piece[i].second, s.stroke.width, color);
                    }
                }
            }
            else if constexpr (std::is_same_v<T, shapes::rect>)
            {
                if (!s.fill.empty())
                {
                    canvas.fill_rect(s.x0, s.y0, s.x1, s.y1, raster_color(s.fill), s.fill_opacity);
                }
                if (s.stroke.width > 0)  // the canvas frames with 1-pixel lines
                {
                    canvas.frame_rect(s.x0, s.y0, s.x1, s.y1, raster_color(s.stroke.color));
                }
            }
            else if constexpr (std::is_same_v<T, shapes::circle>)
            {
                canvas.disc(s.cx, s.cy, s.radius, raster_color(s.fill));
            }
            else if constexpr (std::is_same_v<T, shapes::text>)
            {
                const rgb color = raster_color(s.color);
                const double width = text_width(s.content, s.size, s.bold);
                const double shift = s.anchor == text_anchor::start    ? 0
                                     : s.anchor == text_anchor::middle ? width / 2
                                                                       : width;
                // the pen starts `shift` back along the text from the anchor
                const double x = s.upwards ? s.x : s.x - shift;
                const double y = s.upwards ? s.y + shift : s.y;
                draw_glyphs(s.content, s.size, s.bold, x, y, s.upwards,
                            [&](long px, long py, double coverage)
                            { canvas.blend(px, py, color, coverage); });
            }
        },
        shape);
}

/// The scene painted on a white RGB canvas of its size, rounded.
/// @throws shape_error when a side is not 1 .. 32768 pixels; error for a colour the PNG
///         writer cannot read.
inline rgb_canvas rasterize(const scene& drawn)
{
    constexpr double max_side = 1 << 15;
    const double width = std::round(drawn.width), height = std::round(drawn.height);
    if (!(width >= 1 && width <= max_side && height >= 1 && height <= max_side))
    {
        char size[64];
        std::snprintf(size, sizeof size, "%g x %g", drawn.width, drawn.height);
        throw shape_error(std::string("xtnn::plot::to_png: the figure is ") + size +
                          " pixels; expected sides of 1 .. 32768");
    }
    rgb_canvas canvas(static_cast<std::size_t>(width), static_cast<std::size_t>(height),
                      {255, 255, 255});
    for (const auto& shape : drawn.shapes)
    {
        raster_shape(canvas, shape);
    }
    return canvas;
}

/// Checks the series' colours before drawing, so an error names the series.
/// @throws error naming the series and colour when one is not "#rgb", "#rrggbb" or a
///         basic SVG colour name (the SVG writer passes any colour through).
inline void check_colors(const figure& fig)
{
    for (const auto& p : fig.panels)
    {
        for (const auto& s : p.series)
        {
            rgb c;
            if (!s.color.empty() && !xtnn::detail::parse_color(s.color, c))
            {
                throw error("xtnn::plot::to_png: series \"" + s.name + "\" has colour \"" +
                            s.color + "\"; expected #rgb, #rrggbb or a basic colour name");
            }
        }
    }
}
}  // namespace detail

/// A scene as the bytes of an 8-bit RGB PNG file (colour type 2).
/// @throws as detail::rasterize.
inline std::vector<std::uint8_t> to_png(const scene& drawn)
{
    return detail::rasterize(drawn).to_png("xtnn::plot::to_png");
}

/// The figure as the bytes of an 8-bit RGB PNG file (colour type 2), drawn as to_svg.
/// @throws shape_error when a series' x and y sizes differ or a side is not 1 .. 32768
///         pixels; error for a colour the PNG writer cannot read (it knows #rgb, #rrggbb
///         and basic names).
inline std::vector<std::uint8_t> to_png(const figure& fig)
{
    const scene drawn = draw(fig);
    detail::check_colors(fig);
    return to_png(drawn);
}

/// Writes the figure as a PNG to `path` atomically (temporary file, then rename).
/// @throws io_error naming the path; as to_png.
inline void save_png(const figure& fig, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, to_png(fig), "xtnn::plot::save_png");
}
}  // namespace xtnn::plot
