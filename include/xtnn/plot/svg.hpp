// SPDX-License-Identifier: MIT
// A figure as SVG: its scene (draw.hpp) written out shape by shape — groups as <g> with
// their class and name, clip rectangles as <clipPath>, strokes with their dash pattern.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/plot/draw.hpp>
#include <xtnn/plot/figure.hpp>
#include <xtnn/plot/scene.hpp>

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

/// ` stroke="..." stroke-width="..."` and the dash pattern, for a stroke of width > 0.
inline std::string stroke_attributes(const shapes::stroke& s)
{
    if (!(s.width > 0))
    {
        return "";
    }
    std::string out = " stroke=\"" + s.color + "\" stroke-width=\"" + num(s.width) + "\"";
    const std::vector<double> dashes = dash_pattern(s.style, s.width);
    if (!dashes.empty())
    {
        out += " stroke-dasharray=\"";
        for (std::size_t i = 0; i < dashes.size(); ++i)
        {
            out += (i == 0 ? "" : " ") + num(dashes[i]);
        }
        out += '"';
    }
    return out;
}

/// The SVG of one shape; `clips` counts the clip paths so far (their ids).
inline std::string svg_of(const shapes::shape& shape, std::size_t& clips)
{
    return std::visit(
        [&](const auto& s) -> std::string
        {
            using T = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<T, shapes::group>)
            {
                return "<g class=\"" + escape(s.css_class) + "\"" +
                       (s.css_class == "series" ? " data-name=\"" + escape(s.name) + "\"" : "") +
                       ">\n";
            }
            else if constexpr (std::is_same_v<T, shapes::end_group> ||
                               std::is_same_v<T, shapes::end_clip>)
            {
                return "</g>\n";
            }
            else if constexpr (std::is_same_v<T, shapes::clip>)
            {
                const std::string id = "xtnn-plot-area-" + std::to_string(clips++);
                return "<clipPath id=\"" + id + "\"><rect x=\"" + num(s.x0) + "\" y=\"" +
                       num(s.y0) + "\" width=\"" + num(s.x1 - s.x0) + "\" height=\"" +
                       num(s.y1 - s.y0) + "\"/></clipPath>\n<g clip-path=\"url(#" + id + ")\">\n";
            }
            else if constexpr (std::is_same_v<T, shapes::segment>)
            {
                return "<line x1=\"" + num(s.a.first) + "\" y1=\"" + num(s.a.second) + "\" x2=\"" +
                       num(s.b.first) + "\" y2=\"" + num(s.b.second) + "\"" +
                       stroke_attributes(s.stroke) + "/>\n";
            }
            else if constexpr (std::is_same_v<T, shapes::polyline>)
            {
                std::string points;
                for (const auto& [x, y] : s.points)
                {
                    // appended piece by piece: GCC 12's false -Wrestrict (see tensor.hpp)
                    points += points.empty() ? "" : " ";
                    points += num(x);
                    points += ',';
                    points += num(y);
                }
                return "<polyline fill=\"none\" stroke-linecap=\"round\" "
                       "stroke-linejoin=\"round\"" +
                       stroke_attributes(s.stroke) + " points=\"" + points + "\"/>\n";
            }
            else if constexpr (std::is_same_v<T, shapes::path>)
            {
                std::string d;
                for (const auto& piece : s.pieces)
                {
                    for (std::size_t i = 0; i < piece.size(); ++i)
                    {
                        d += i == 0 ? "M" : "L";
                        d += num(piece[i].first);
                        d += ',';
                        d += num(piece[i].second);
                    }
                }
                return "<path d=\"" + d + "\" fill=\"none\"" + stroke_attributes(s.stroke) + "/>\n";
            }
            else if constexpr (std::is_same_v<T, shapes::rect>)
            {
                return "<rect" + (s.css_class.empty() ? "" : " class=\"" + s.css_class + "\"") +
                       " x=\"" + num(s.x0) + "\" y=\"" + num(s.y0) + "\" width=\"" +
                       num(s.x1 - s.x0) + "\" height=\"" + num(s.y1 - s.y0) + "\" fill=\"" +
                       (s.fill.empty() ? "none" : s.fill) + "\"" +
                       (s.fill_opacity < 1 ? " fill-opacity=\"" + num(s.fill_opacity) + "\"" : "") +
                       stroke_attributes(s.stroke) + "/>\n";
            }
            else if constexpr (std::is_same_v<T, shapes::circle>)
            {
                return "<circle cx=\"" + num(s.cx) + "\" cy=\"" + num(s.cy) + "\" r=\"" +
                       num(s.radius) + "\" fill=\"" + s.fill + "\"/>\n";
            }
            else
            {
                static_assert(std::is_same_v<T, shapes::text>);
                if (s.content.empty())
                {
                    return "";
                }
                const char* anchor = s.anchor == text_anchor::start    ? "start"
                                     : s.anchor == text_anchor::middle ? "middle"
                                                                       : "end";
                // 11 pixels and black are the document's defaults
                const std::string place =
                    s.upwards
                        ? " transform=\"translate(" + num(s.x) + " " + num(s.y) + ") rotate(-90)\""
                        : " x=\"" + num(s.x) + "\" y=\"" + num(s.y) + "\"";
                return "<text" + (s.css_class.empty() ? "" : " class=\"" + s.css_class + "\"") +
                       place + (s.color == "#000" ? "" : " fill=\"" + s.color + "\"") +
                       " text-anchor=\"" + anchor + "\"" +
                       (s.size == 11 ? "" : " font-size=\"" + tick_label(s.size, 0) + "\"") +
                       (s.bold ? " font-weight=\"bold\"" : "") + ">" + escape(s.content) +
                       "</text>\n";
            }
        },
        shape);
}
}  // namespace detail

/// A scene as a standalone SVG document.
inline std::string to_svg(const scene& drawn)
{
    const std::string width = detail::num(drawn.width), height = detail::num(drawn.height);
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height +
                      "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
                      "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    std::size_t clips = 0;
    for (const auto& shape : drawn.shapes)
    {
        svg += detail::svg_of(shape, clips);
    }
    svg += "</svg>\n";
    return svg;
}

/// The figure as a standalone SVG document.
/// @throws shape_error when a series' x and y sizes differ.
inline std::string to_svg(const figure& fig)
{
    return to_svg(draw(fig));
}

/// Writes the figure's SVG to `path` atomically (temporary file, then rename).
/// @throws io_error naming the path; shape_error as to_svg.
inline void save_svg(const figure& fig, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, to_svg(fig), "xtnn::plot::save_svg");
}

}  // namespace xtnn::plot
