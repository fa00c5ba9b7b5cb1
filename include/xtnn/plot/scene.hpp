// SPDX-License-Identifier: MIT
// A figure drawn once, as a list of shapes in figure pixels (a "display list"): segments,
// polylines, paths, rectangles, circles and text, in groups and clip rectangles. draw.hpp makes it
// from a figure; svg.hpp and png.hpp each only render it, so the two outputs cannot drift.
// Coordinates are SVG's: x to the right, y downwards, pixel (i, j) spans [i, i+1) x [j, j+1).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xtnn::plot
{
/// The pattern of a stroke.
enum class line_style
{
    solid,
    dashed,   ///< 6 on, 4 off (at width 2)
    dotted,   ///< 2 on, 3 off
    dash_dot  ///< 8 on, 3 off, 2 on, 3 off
};

/// Where a text's anchor point sits along it, as SVG's text-anchor.
enum class text_anchor
{
    start,
    middle,
    end
};

namespace detail
{
/// A stroke's on/off lengths in pixels (empty: solid), scaled with its width from the
/// lengths at width 2: one table for the SVG's stroke-dasharray and the PNG's dashes.
inline std::vector<double> dash_pattern(line_style style, double width)
{
    const double k = width / 2;
    switch (style)
    {
    case line_style::dashed:
        return {6 * k, 4 * k};
    case line_style::dotted:
        return {2 * k, 3 * k};
    case line_style::dash_dot:
        return {8 * k, 3 * k, 2 * k, 3 * k};
    case line_style::solid:
        break;
    }
    return {};
}
}  // namespace detail

namespace shapes
{
using point = std::pair<double, double>;

/// How a shape's outline is drawn; width 0 = no outline.
struct stroke
{
    std::string color = "#000";
    double width = 1;
    line_style style = line_style::solid;
};

/// A group of the shapes up to its end_group: SVG's <g class=... data-name=...>, which is
/// how a reader (or a test) finds a panel, a series or a legend entry; PNG ignores it.
struct group
{
    std::string css_class, name;
};
struct end_group
{
};

/// Shapes up to end_clip reach only the rectangle [x0, x1] x [y0, y1].
struct clip
{
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
struct end_clip
{
};

/// A straight stroke from a to b, cut square at its ends.
struct segment
{
    point a, b;
    plot::shapes::stroke stroke;
};

/// A stroke through the points in order, with round joints and ends.
struct polyline
{
    std::vector<point> points;
    plot::shapes::stroke stroke;
};

/// Strokes of pieces that need not meet ("M a L b M c L d"): a marker's cross, cut square.
struct path
{
    std::vector<std::vector<point>> pieces;
    plot::shapes::stroke stroke;
};

/// A rectangle [x0, x1] x [y0, y1], filled ("" = not) and outlined (width 0 = not).
struct rect
{
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::string fill;
    double fill_opacity = 1;
    plot::shapes::stroke stroke{"#000", 0};
    std::string css_class;
};

/// A filled circle.
struct circle
{
    double cx = 0, cy = 0, radius = 0;
    std::string fill;
};

/// One line of text, its baseline through (x, y) and its anchor at x; `upwards` turns it
/// to read bottom to top about (x, y).
struct text
{
    double x = 0, y = 0;
    std::string content;
    double size = 11;
    bool bold = false;
    text_anchor anchor = text_anchor::start;
    bool upwards = false;
    std::string color = "#000";
    std::string css_class;
};

using shape =
    std::variant<group, end_group, clip, end_clip, segment, polyline, path, rect, circle, text>;
}  // namespace shapes

/// A drawn figure: its size and its shapes, painted in order.
struct scene
{
    double width = 0, height = 0;
    std::vector<shapes::shape> shapes;

    template <class Shape>
    void add(Shape s)
    {
        shapes.emplace_back(std::move(s));
    }
};
}  // namespace xtnn::plot
