// SPDX-License-Identifier: MIT
// Text in the plots' font, DejaVu Sans (the SVG's font-family, built into the PNG writer as
// bitmaps, embedded/dejavu_sans.hpp): how wide a label is, for the layout, and its
// anti-aliased glyphs, for the PNG writer. One set of metrics, so legends and titles fit the
// same in both outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtnn/plot/embedded/dejavu_sans.hpp>

namespace xtnn::plot::detail
{
/// The code points of UTF-8 `text`; a malformed sequence becomes U+FFFD.
inline std::vector<std::uint32_t> code_points(const std::string& text)
{
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < text.size();)
    {
        const auto byte = static_cast<unsigned char>(text[i]);
        // the sequence's length from its lead byte: 0xxxxxxx, 110xxxxx, 1110xxxx, 11110xxx
        const std::size_t length = byte < 0x80       ? 1
                                   : byte >> 5 == 6  ? 2
                                   : byte >> 4 == 14 ? 3
                                   : byte >> 3 == 30 ? 4
                                                     : 0;
        std::uint32_t code = length == 1   ? byte
                             : length == 2 ? byte & 0x1Fu
                             : length == 3 ? byte & 0x0Fu
                                           : byte & 0x07u;
        bool ok = length > 0 && i + length <= text.size();
        for (std::size_t k = 1; ok && k < length; ++k)
        {
            const auto next = static_cast<unsigned char>(text[i + k]);
            ok = next >> 6 == 2;  // 10xxxxxx
            code = code << 6 | (next & 0x3Fu);
        }
        out.push_back(ok ? code : 0xFFFD);
        i += ok ? length : 1;
    }
    return out;
}

/// The built-in face nearest to `size` pixels: 10, 11 or 12 regular, 14 bold. Bold text
/// is always the 14-pixel face (titles), regular text never is.
inline const fonts::face& face_for(double size, bool bold)
{
    if (bold)
    {
        return fonts::bold_14;
    }
    return size < 10.5 ? fonts::regular_10 : size < 11.5 ? fonts::regular_11 : fonts::regular_12;
}

/// The glyph of `code` in `face`; '?' for a character the face lacks (the glyphs are in
/// code-point order).
inline const fonts::glyph& glyph_for(const fonts::face& face, std::uint32_t code)
{
    const fonts::glyph* end = face.glyphs + face.count;
    const auto find = [&](std::uint32_t c)
    {
        return std::lower_bound(face.glyphs, end, c,
                                [](const fonts::glyph& g, std::uint32_t v) { return g.code < v; });
    };
    const fonts::glyph* g = find(code);
    return g != end && g->code == code ? *g : *find('?');
}

/// The width of `text` in pixels: the sum of its glyphs' advances.
inline double text_width(const std::string& text, double size, bool bold = false)
{
    const fonts::face& face = face_for(size, bold);
    double width = 0;
    for (const std::uint32_t code : code_points(text))
    {
        width += glyph_for(face, code).advance;
    }
    return width;
}

/// Draws `text`'s glyphs with their pen starting at (x, y) on the baseline; each covered
/// pixel goes to blend(column, row, coverage in (0, 1]). With `upwards` the text reads
/// bottom to top, turned a quarter anticlockwise about (x, y) as SVG's rotate(-90).
/// Pens move by fractional advances; each glyph lands on the nearest whole pixel.
template <class Blend>
void draw_glyphs(const std::string& text, double size, bool bold, double x, double y, bool upwards,
                 Blend&& blend)
{
    const fonts::face& face = face_for(size, bold);
    const long ox = std::lround(x), oy = std::lround(y);
    double pen = 0;  // distance along the baseline from (x, y)
    for (const std::uint32_t code : code_points(text))
    {
        const fonts::glyph& g = glyph_for(face, code);
        const long start = std::lround(pen) + g.left;
        for (int row = 0; row < g.height; ++row)
        {
            for (int column = 0; column < g.width; ++column)
            {
                const unsigned char c =
                    face.coverage[g.offset + static_cast<unsigned>(row * g.width + column)];
                if (c == 0)
                {
                    continue;
                }
                const long along = start + column, down = g.top + row;
                // turned upwards: along the text is up the image, below the baseline is right
                upwards ? blend(ox + down, oy - along - 1, c / 255.0)
                        : blend(ox + along, oy + down, c / 255.0);
            }
        }
        pen += g.advance;
    }
}
}  // namespace xtnn::plot::detail
