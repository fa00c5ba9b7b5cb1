// SPDX-License-Identifier: MIT
// An RGB canvas for drawing plots without a graphics library: anti-aliased lines (round or
// butt ends, dash patterns), filled circles, rectangles, blending of coverage (text), a clip
// rectangle, SVG colour names, and PNG encoding. Coordinates are SVG's: pixel (i, j) spans [i, i+1) x [j, j+1).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/detail/png.hpp>
#include <xtnn/error.hpp>

namespace xtnn::detail
{
struct rgb
{
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const rgb& o) const { return r == o.r && g == o.g && b == o.b; }
    bool operator!=(const rgb& o) const { return !(*this == o); }
};

/// Parses "#rgb", "#rrggbb" or a basic SVG colour name (case-insensitive) into `out`;
/// false for anything else.
inline bool parse_color(const std::string& text, rgb& out)
{
    std::string s;
    for (char c : text)
    {
        s += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    const auto hex = [](char c) -> int {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    if (!s.empty() && s[0] == '#' && (s.size() == 4 || s.size() == 7))
    {
        int v[6];
        for (std::size_t i = 1; i < s.size(); ++i)
        {
            if ((v[i - 1] = hex(s[i])) < 0)
            {
                return false;
            }
        }
        const auto byte = [](int hi, int lo) { return static_cast<std::uint8_t>(hi * 16 + lo); };
        out = s.size() == 4 ? rgb{byte(v[0], v[0]), byte(v[1], v[1]), byte(v[2], v[2])}
                            : rgb{byte(v[0], v[1]), byte(v[2], v[3]), byte(v[4], v[5])};
        return true;
    }
    static const std::pair<const char*, rgb> names[] = {
        {"black", {0, 0, 0}},           {"white", {255, 255, 255}},
        {"red", {255, 0, 0}},           {"green", {0, 128, 0}},
        {"blue", {0, 0, 255}},          {"gray", {128, 128, 128}},
        {"grey", {128, 128, 128}},      {"silver", {192, 192, 192}},
        {"maroon", {128, 0, 0}},        {"purple", {128, 0, 128}},
        {"fuchsia", {255, 0, 255}},     {"magenta", {255, 0, 255}},
        {"lime", {0, 255, 0}},          {"olive", {128, 128, 0}},
        {"yellow", {255, 255, 0}},      {"navy", {0, 0, 128}},
        {"teal", {0, 128, 128}},        {"aqua", {0, 255, 255}},
        {"cyan", {0, 255, 255}},        {"orange", {255, 165, 0}},
        {"brown", {165, 42, 42}},       {"pink", {255, 192, 203}},
        {"darkgray", {169, 169, 169}},  {"darkgrey", {169, 169, 169}},
        {"lightgray", {211, 211, 211}}, {"lightgrey", {211, 211, 211}}};
    for (const auto& [name, color] : names)
    {
        if (s == name)
        {
            out = color;
            return true;
        }
    }
    return false;
}

/// Width x height RGB pixels, row-major, top row first, 3 bytes (r, g, b) each.
class rgb_canvas
{
public:
    rgb_canvas(std::size_t width, std::size_t height, rgb background)
      : m_width(width)
      , m_height(height)
      , m_pixels(width * height * 3)
    {
        for (std::size_t i = 0; i < width * height; ++i)
        {
            set(i, background);
        }
        unclip();
    }

    std::size_t width() const { return m_width; }
    std::size_t height() const { return m_height; }
    const std::vector<std::uint8_t>& pixels() const { return m_pixels; }
    rgb at(std::size_t x, std::size_t y) const
    {
        const std::uint8_t* p = &m_pixels[(y * m_width + x) * 3];
        return {p[0], p[1], p[2]};
    }

    /// Later drawing reaches only pixels whose centres lie in [x0, x1] x [y0, y1].
    void clip(double x0, double y0, double x1, double y1)
    {
        m_clip_x0 = std::max(0L, static_cast<long>(std::ceil(x0 - 0.5)));
        m_clip_y0 = std::max(0L, static_cast<long>(std::ceil(y0 - 0.5)));
        m_clip_x1 =
            std::min(static_cast<long>(m_width) - 1, static_cast<long>(std::floor(x1 - 0.5)));
        m_clip_y1 =
            std::min(static_cast<long>(m_height) - 1, static_cast<long>(std::floor(y1 - 0.5)));
    }
    void unclip()
    {
        m_clip_x0 = m_clip_y0 = 0;
        m_clip_x1 = static_cast<long>(m_width) - 1;
        m_clip_y1 = static_cast<long>(m_height) - 1;
    }

    /// pixel = alpha · color + (1 - alpha) · pixel, for a pixel inside the clip.
    void blend(long x, long y, rgb color, double alpha)
    {
        if (alpha <= 0 || x < m_clip_x0 || x > m_clip_x1 || y < m_clip_y0 || y > m_clip_y1)
        {
            return;
        }
        std::uint8_t* p =
            &m_pixels[(static_cast<std::size_t>(y) * m_width + static_cast<std::size_t>(x)) * 3];
        const std::uint8_t c[3] = {color.r, color.g, color.b};
        for (int k = 0; k < 3; ++k)
        {
            p[k] = static_cast<std::uint8_t>(std::lround(alpha * c[k] + (1 - alpha) * p[k]));
        }
    }

    /// Fills the pixels whose centres lie inside the rectangle.
    void fill_rect(double x0, double y0, double x1, double y1, rgb color, double alpha = 1)
    {
        if (!std::isfinite(x0 + y0 + x1 + y1))
        {
            return;
        }
        for (long y = clip_y(std::ceil(y0 - 0.5)); y < clip_y(std::ceil(y1 - 0.5)); ++y)
        {
            for (long x = clip_x(std::ceil(x0 - 0.5)); x < clip_x(std::ceil(x1 - 0.5)); ++x)
            {
                blend(x, y, color, alpha);
            }
        }
    }

    /// A 1-pixel outline of the rectangle, on the pixels just inside its edges.
    void frame_rect(double x0, double y0, double x1, double y1, rgb color)
    {
        line(x0, y0, x1 + 1, y0, 1, color);  // + 1: the stroke on x1's pixel closes the corner
        line(x0, y1, x1 + 1, y1, 1, color);
        line(x0, y0, x0, y1 + 1, 1, color);
        line(x1, y0, x1, y1 + 1, 1, color);
    }

    /// A straight stroke `width` pixels wide from (ax, ay) to (bx, by), anti-aliased.
    /// Horizontal and vertical strokes are moved onto whole pixels so they stay sharp.
    /// `round_ends` extends it by half the width with a round cap (SVG's round linecap),
    /// which also makes joints of a polyline look right; else the ends are cut square.
    void line(double ax, double ay, double bx, double by, double width, rgb color,
              bool round_ends = false)
    {
        if (!(width > 0))
        {
            return;
        }
        const auto snap = [&](double v)
        { return std::lround(width) % 2 == 1 ? std::floor(v) + 0.5 : std::round(v); };
        if (ax == bx)
        {
            ax = bx = snap(ax);
        }
        if (ay == by)
        {
            ay = by = snap(ay);
        }
        const double half = width / 2;
        const double reach = half + 1;
        if (!cut_to_clip(ax, ay, bx, by, reach))
        {
            return;
        }
        const double dx = bx - ax, dy = by - ay;
        const double length = std::hypot(dx, dy);
        const double ux = length > 0 ? dx / length : 1, uy = length > 0 ? dy / length : 0;
        const long left = clip_x(std::floor(std::min(ax, bx) - reach));
        const long right = clip_x(std::ceil(std::max(ax, bx) + reach));
        const long top = clip_y(std::floor(std::min(ay, by) - reach));
        const long bottom = clip_y(std::ceil(std::max(ay, by) + reach));
        for (long y = top; y <= bottom; ++y)
        {
            for (long x = left; x <= right; ++x)
            {
                // (u, v): the pixel centre along and across the stroke, from its start
                const double px = static_cast<double>(x) + 0.5 - ax,
                             py = static_cast<double>(y) + 0.5 - ay;
                const double u = px * ux + py * uy, v = std::fabs(px * uy - py * ux);
                double coverage = 0;
                if (round_ends)
                {
                    const double t = std::clamp(u, 0.0, length);
                    coverage = half + 0.5 - std::hypot(px - t * ux, py - t * uy);
                }
                else
                {
                    coverage = std::min(half + 0.5 - v, std::min(u, length - u) + 0.5);
                }
                blend(x, y, color, std::min(coverage, 1.0));
            }
        }
    }

    /// Strokes the points in order; with a `pattern` of on/off lengths (SVG's
    /// stroke-dasharray), as dashes cut square, the pattern running on across corners.
    void polyline(const std::vector<std::pair<double, double>>& points, double width, rgb color,
                  const std::vector<double>& pattern = {})
    {
        double period = 0;
        for (const double length : pattern)
        {
            period += length;
        }
        double phase = 0;  // distance into the pattern's period
        for (std::size_t i = 1; i < points.size(); ++i)
        {
            const auto [ax, ay] = points[i - 1];
            const auto [bx, by] = points[i];
            if (!(period > 0))
            {
                line(ax, ay, bx, by, width, color, true);
                continue;
            }
            // Only the part near the clip rectangle is walked, the pattern's phase carried
            // over the parts cut off, so a far-off point costs nothing.
            double cx0 = ax, cy0 = ay, cx1 = bx, cy1 = by;
            const double length = std::hypot(bx - ax, by - ay);
            if (!(length > 0) || !cut_to_clip(cx0, cy0, cx1, cy1, width + 1))
            {
                phase = std::fmod(phase + (std::isfinite(length) ? length : 0), period);
                continue;
            }
            const double start = std::hypot(cx0 - ax, cy0 - ay);
            const double end = std::hypot(cx1 - ax, cy1 - ay);
            phase = std::fmod(phase + start, period);
            for (double t = start; t < end;)
            {
                // the piece of the pattern the phase is in: even pieces are on
                std::size_t piece = 0;
                double piece_end = pattern[0];
                while (phase >= piece_end - 1e-9 && piece + 1 < pattern.size())
                {
                    piece_end += pattern[++piece];
                }
                const double step = std::min(piece_end - phase, end - t);
                if (piece % 2 == 0 && step > 0)
                {
                    const double s0 = t / length, s1 = (t + step) / length;
                    line(ax + s0 * (bx - ax), ay + s0 * (by - ay), ax + s1 * (bx - ax),
                         ay + s1 * (by - ay), width, color);
                }
                t += std::max(step, 1e-9);
                phase += std::max(step, 1e-9);
                if (phase >= period - 1e-9)
                {
                    phase = 0;
                }
            }
            phase = std::fmod(phase + (length - end), period);
        }
    }

    /// A filled circle, anti-aliased.
    void disc(double cx, double cy, double radius, rgb color)
    {
        if (!(radius > 0) || !std::isfinite(cx) || !std::isfinite(cy))
        {
            return;
        }
        for (long y = clip_y(std::floor(cy - radius - 1)); y <= clip_y(std::ceil(cy + radius + 1));
             ++y)
        {
            for (long x = clip_x(std::floor(cx - radius - 1));
                 x <= clip_x(std::ceil(cx + radius + 1)); ++x)
            {
                const double d = std::hypot(static_cast<double>(x) + 0.5 - cx,
                                            static_cast<double>(y) + 0.5 - cy);
                blend(x, y, color, std::min(1.0, radius + 0.5 - d));
            }
        }
    }

    /// The canvas as an 8-bit RGB PNG file (colour type 2).
    std::vector<std::uint8_t> to_png(const char* where) const
    {
        return encode_png_rgb8(m_width, m_height, m_pixels.data(), where);
    }

private:
    /// v clamped to the clip's columns (rows) as a pixel index; a value outside lands one
    /// pixel beyond, so loops over [clip(lo), clip(hi)] stay short and skip it.
    long clip_x(double v) const
    {
        return static_cast<long>(std::clamp(v, static_cast<double>(m_clip_x0) - 1.0,
                                            static_cast<double>(m_clip_x1) + 1.0));
    }
    long clip_y(double v) const
    {
        return static_cast<long>(std::clamp(v, static_cast<double>(m_clip_y0) - 1.0,
                                            static_cast<double>(m_clip_y1) + 1.0));
    }

    /// Cuts segment a-b to the clip rectangle grown by `margin` (Liang-Barsky); false when
    /// nothing of it is left, or a coordinate is not finite.
    bool cut_to_clip(double& ax, double& ay, double& bx, double& by, double margin) const
    {
        const double p[2] = {ax, ay}, d[2] = {bx - ax, by - ay};
        const double x0 = static_cast<double>(m_clip_x0), y0 = static_cast<double>(m_clip_y0);
        const double x1 = static_cast<double>(m_clip_x1), y1 = static_cast<double>(m_clip_y1);
        const double lo[2] = {x0 - margin, y0 - margin};
        const double hi[2] = {x1 + 1 + margin, y1 + 1 + margin};
        double t0 = 0, t1 = 1;
        for (int k = 0; k < 2; ++k)
        {
            if (!std::isfinite(p[k]) || !std::isfinite(d[k]))
            {
                return false;
            }
            if (d[k] == 0)
            {
                if (p[k] < lo[k] || p[k] > hi[k])
                {
                    return false;
                }
                continue;
            }
            const double ta = (lo[k] - p[k]) / d[k], tb = (hi[k] - p[k]) / d[k];
            t0 = std::max(t0, std::min(ta, tb));
            t1 = std::min(t1, std::max(ta, tb));
        }
        if (t0 > t1)
        {
            return false;
        }
        ax = p[0] + t0 * d[0], ay = p[1] + t0 * d[1];
        bx = p[0] + t1 * d[0], by = p[1] + t1 * d[1];
        return true;
    }

    void set(std::size_t i, rgb c)
    {
        m_pixels[3 * i] = c.r;
        m_pixels[3 * i + 1] = c.g;
        m_pixels[3 * i + 2] = c.b;
    }

    std::size_t m_width, m_height;
    std::vector<std::uint8_t> m_pixels;
    long m_clip_x0 = 0, m_clip_y0 = 0, m_clip_x1 = -1, m_clip_y1 = -1;
};
}  // namespace xtnn::detail
