// SPDX-License-Identifier: MIT
// Looking at digits: gray images made from arrays, shown in the terminal as shades of
// characters, saved as PGM or PNG (optionally enlarged), and contact sheets of many digits
// with captions drawn in a tiny built-in font.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/font.hpp>
#include <xtnn/detail/png.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::io
{
/// An 8-bit gray picture: `pixels` holds height * width values row by row, top row first,
/// 0 = black .. 255 = white.
struct gray_image
{
    std::size_t width = 0;
    std::size_t height = 0;
    std::vector<std::uint8_t> pixels;

    std::uint8_t& operator()(std::size_t row, std::size_t col) { return pixels[row * width + col]; }
    std::uint8_t operator()(std::size_t row, std::size_t col) const
    {
        return pixels[row * width + col];
    }
};

/// How to read an array as a gray image.
struct gray_options
{
    /// The image's width. Splits a flat (n,) array into rows (0: n must be a square, as
    /// MNIST's 784 = 28 x 28 is); for a 2-D or 3-D array, if not 0, the width it must have.
    std::size_t width = 0;
    /// The value drawn white; 0 and below are black, values between are scaled linearly.
    /// 0 = automatic: 255 for integer arrays; for floating arrays 1 when no value exceeds 1
    /// (normalized data), else 255. Give it for other ranges (16 for the 8x8 UCI digits).
    double max_value = 0;
};
}  // namespace xtnn::io

// In xtnn::detail, not io::detail, which would hide xtnn::detail from other io headers.
namespace xtnn::detail
{
/// @throws shape_error when the pixel count does not match width x height, or is 0.
inline void check_gray_image(const io::gray_image& image, const char* where)
{
    if (image.width == 0 || image.height == 0 || image.pixels.size() != image.width * image.height)
    {
        throw shape_error(std::string(where) + ": gray_image has " +
                          std::to_string(image.pixels.size()) + " pixels; expected width " +
                          std::to_string(image.width) + " x height " +
                          std::to_string(image.height) + ", both at least 1");
    }
}

inline void check_image_scale(std::size_t scale, const char* where)
{
    if (scale == 0)
    {
        throw error(std::string(where) + ": scale must be at least 1; got 0");
    }
}

/// Draws `text` with its top-left corner at (x, y), each font pixel a `scale` x `scale`
/// square of `value`. Pixels falling outside the image are skipped.
inline void draw_text(io::gray_image& image, std::size_t x, std::size_t y, const std::string& text,
                      std::size_t scale, std::uint8_t value)
{
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        const glyph& g = glyph_for(text[i]);
        const std::size_t left = x + i * (glyph_width + 1) * scale;
        for (std::size_t gy = 0; gy < glyph_height * scale; ++gy)
        {
            for (std::size_t gx = 0; gx < glyph_width * scale; ++gx)
            {
                const bool ink = (g.rows[gy / scale] >> (glyph_width - 1 - gx / scale)) & 1u;
                if (ink && y + gy < image.height && left + gx < image.width)
                {
                    image(y + gy, left + gx) = value;
                }
            }
        }
    }
}

/// Width in pixels of `text` drawn at `scale`: 5 pixels a glyph, 1 between glyphs.
inline std::size_t font_text_width(const std::string& text, std::size_t scale)
{
    return text.empty() ? 0 : (text.size() * (glyph_width + 1) - 1) * scale;
}
}  // namespace xtnn::detail

namespace xtnn::io
{
/// Makes a gray image from an array of pixel values, row-major. Values are kept as they
/// are, not inverted: MNIST's digits are white strokes on black.
/// @param pixels (height, width), (1, height, width), or a flat (height * width,) row such
///        as one MNIST sample; any arithmetic value type (float, double, uint8, ...).
/// @throws shape_error naming the shape when it is none of those, is empty, or does not fit
///         `options.width`; error when `options.max_value` is negative.
template <class E>
gray_image to_gray_image(const xt::xexpression<E>& pixels, const gray_options& options = {})
{
    static constexpr const char* where = "xtnn::io::to_gray_image";
    using value_type = typename E::value_type;
    // Evaluated once: a lazy (e.g. random) expression must give the same values twice.
    const auto& values = xt::eval(pixels.derived_cast());
    const auto& shape = values.shape();
    const std::string got = shape_string(shape);

    if (values.size() == 0)
    {
        throw shape_error(std::string(where) + ": expected a non-empty image; got " + got);
    }
    gray_image image;
    if (values.dimension() == 1)
    {
        const std::size_t n = shape[0];
        image.width = options.width;
        if (image.width == 0)
        {
            image.width = static_cast<std::size_t>(std::lround(std::sqrt(double(n))));
            if (image.width * image.width != n)
            {
                throw shape_error(std::string(where) + ": cannot tell the width of a flat " + got +
                                  " array; expected a square size such as (784,), or "
                                  "give gray_options::width");
            }
        }
        if (n % image.width != 0)
        {
            throw shape_error(std::string(where) + ": cannot split a flat " + got +
                              " array into rows of width " + std::to_string(image.width) +
                              "; expected a multiple of " + std::to_string(image.width) +
                              " values");
        }
        image.height = n / image.width;
    }
    else if (values.dimension() == 2 || (values.dimension() == 3 && shape[0] == 1))
    {
        image.height = shape[values.dimension() - 2];
        image.width = shape[values.dimension() - 1];
        if (options.width != 0 && image.width != options.width)
        {
            throw shape_error(std::string(where) + ": expected an image of width " +
                              std::to_string(options.width) + ", got shape " + got);
        }
    }
    else
    {
        throw shape_error(std::string(where) +
                          ": expected (height, width), (1, height, width) "
                          "or a flat (n,) array; got " +
                          got);
    }
    double max_value = options.max_value;
    if (!(max_value >= 0))  // also rejects NaN
    {
        throw error(std::string(where) + ": max_value must be positive (or 0 for automatic); got " +
                    std::to_string(max_value));
    }
    if (max_value == 0)
    {
        max_value = 255;
        if constexpr (std::is_floating_point_v<value_type>)
        {
            const bool normalized =
                std::all_of(values.begin(), values.end(), [](value_type v) { return !(v > 1); });
            max_value = normalized ? 1 : 255;
        }
    }

    // gray = round(255 * v / max_value), clamped to 0..255 (NaN -> 0)
    const double to_gray = 255.0 / max_value;
    image.pixels.reserve(image.width * image.height);
    for (auto v : values)  // begin() walks in row-major order whatever the storage layout
    {
        const double g = static_cast<double>(v) * to_gray;
        image.pixels.push_back(g > 0 ? static_cast<std::uint8_t>(std::lround(std::min(g, 255.0)))
                                     : std::uint8_t{0});
    }
    return image;
}

/// The image enlarged `scale` times, each pixel becoming a scale x scale square (nearest
/// neighbour), so a 28 x 28 digit can be seen at 112 x 112.
/// @throws shape_error for an inconsistent image; error when scale is 0.
inline gray_image enlarge(const gray_image& image, std::size_t scale)
{
    xtnn::detail::check_gray_image(image, "xtnn::io::enlarge");
    xtnn::detail::check_image_scale(scale, "xtnn::io::enlarge");
    gray_image big{image.width * scale, image.height * scale, {}};
    big.pixels.resize(big.width * big.height);
    for (std::size_t y = 0; y < big.height; ++y)
    {
        for (std::size_t x = 0; x < big.width; ++x)
        {
            big(y, x) = image(y / scale, x / scale);
        }
    }
    return big;
}

/// The image as text for a terminal: one line per pixel row, each pixel as
/// `chars_per_pixel` copies of a shade from " .:-=+*#%@" (black .. white), so a digit's
/// white strokes print as dense characters. Two characters per pixel look about square.
/// @throws shape_error for an inconsistent image.
inline std::string digit_to_text(const gray_image& image, std::size_t chars_per_pixel = 2)
{
    xtnn::detail::check_gray_image(image, "xtnn::io::digit_to_text");
    static constexpr char shades[] = " .:-=+*#%@";
    constexpr std::size_t levels = sizeof shades - 1;
    std::string text;
    text.reserve(image.height * (image.width * chars_per_pixel + 1));
    for (std::size_t y = 0; y < image.height; ++y)
    {
        for (std::size_t x = 0; x < image.width; ++x)
        {
            text.append(chars_per_pixel, shades[image(y, x) * levels / 256]);
        }
        text += '\n';
    }
    return text;
}

/// The bytes of a binary PGM (P5) file: header "P5\n<width> <height>\n255\n", then pixels.
/// @throws shape_error for an inconsistent image.
inline std::vector<std::uint8_t> encode_pgm(const gray_image& image)
{
    xtnn::detail::check_gray_image(image, "xtnn::io::encode_pgm");
    const std::string header =
        "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
    std::vector<std::uint8_t> bytes(header.begin(), header.end());
    bytes.insert(bytes.end(), image.pixels.begin(), image.pixels.end());
    return bytes;
}

/// The bytes of an 8-bit grayscale PNG file.
/// @throws shape_error for an inconsistent image.
inline std::vector<std::uint8_t> encode_png(const gray_image& image)
{
    xtnn::detail::check_gray_image(image, "xtnn::io::encode_png");
    return xtnn::detail::encode_png_gray8(image.width, image.height, image.pixels.data());
}

/// Writes the image, enlarged `scale` times, to `path` as a binary PGM file, atomically.
/// @throws io_error with the quoted path when it cannot be written; shape_error, error as
///         for enlarge().
inline void save_pgm(const gray_image& image, const std::string& path, std::size_t scale = 1)
{
    const auto bytes = encode_pgm(scale == 1 ? image : enlarge(image, scale));
    xtnn::detail::write_file_atomically(path, bytes, "xtnn::io::save_pgm");
}

/// Writes the image, enlarged `scale` times, to `path` as an 8-bit grayscale PNG file,
/// atomically.
/// @throws io_error with the quoted path when it cannot be written; shape_error, error as
///         for enlarge().
inline void save_png(const gray_image& image, const std::string& path, std::size_t scale = 1)
{
    const auto bytes = encode_png(scale == 1 ? image : enlarge(image, scale));
    xtnn::detail::write_file_atomically(path, bytes, "xtnn::io::save_png");
}

/// The gray of a contact sheet's background; digits keep their own black.
inline constexpr std::uint8_t grid_background = 64;

/// A contact sheet: the digits, each enlarged `scale` times, in rows of `columns`, with
/// its caption (e.g. "7" or "pred 3 / true 5") drawn white underneath. Captions use a 5x7
/// font of 0-9, a-z (drawn as capitals), space and / : - . = % ? (others show as '?').
/// Layout, in pixels, with t = (scale + 1) / 2 the text scale:
///   cell width  = max(digit width * scale, widest caption = (6 * chars - 1) * t)
///   cell height = digit height * scale + (captions given ? 9 * t : 0)  (2t gap, 7t text)
///   gap = 4 * t between cells and around the edge; c = min(columns, digits) columns,
///   r = ceil(digits / c) rows; size = (c * cell width + (c + 1) * gap) x
///   (r * cell height + (r + 1) * gap). Digits and captions are centred in their cells.
/// @param captions one per digit, or empty for none.
/// @throws shape_error when there are no digits, digits differ in size (naming both
///         shapes), or the caption count differs from the digit count; error when columns
///         or scale is 0.
inline gray_image digit_grid(const std::vector<gray_image>& digits,
                             const std::vector<std::string>& captions, std::size_t columns,
                             std::size_t scale = 2)
{
    static constexpr const char* where = "xtnn::io::digit_grid";
    if (digits.empty())
    {
        throw shape_error(std::string(where) + ": expected at least one digit; got none");
    }
    if (!captions.empty() && captions.size() != digits.size())
    {
        throw shape_error(std::string(where) + ": expected one caption per digit (" +
                          std::to_string(digits.size()) + "), got " +
                          std::to_string(captions.size()));
    }
    if (columns == 0)
    {
        throw error(std::string(where) + ": columns must be at least 1; got 0");
    }
    xtnn::detail::check_image_scale(scale, where);
    const gray_image& first = digits.front();
    for (std::size_t i = 0; i < digits.size(); ++i)
    {
        xtnn::detail::check_gray_image(digits[i], where);
        if (digits[i].width != first.width || digits[i].height != first.height)
        {
            throw shape_error(std::string(where) + ": digit " + std::to_string(i) + " is " +
                              shape_string(digits[i].height, digits[i].width) + "; expected " +
                              shape_string(first.height, first.width) + " like digit 0");
        }
    }

    const std::size_t text_scale = (scale + 1) / 2;
    const std::size_t gap = 4 * text_scale;
    const std::size_t digit_w = first.width * scale;
    const std::size_t digit_h = first.height * scale;
    std::size_t cell_w = digit_w;
    for (const auto& caption : captions)
    {
        cell_w = std::max(cell_w, xtnn::detail::font_text_width(caption, text_scale));
    }
    const std::size_t cell_h = digit_h + (captions.empty() ? 0 : 9 * text_scale);
    const std::size_t cols = std::min(columns, digits.size());
    const std::size_t rows = (digits.size() + cols - 1) / cols;

    gray_image sheet{cols * cell_w + (cols + 1) * gap, rows * cell_h + (rows + 1) * gap, {}};
    sheet.pixels.assign(sheet.width * sheet.height, grid_background);
    for (std::size_t i = 0; i < digits.size(); ++i)
    {
        const std::size_t left = gap + (i % cols) * (cell_w + gap);
        const std::size_t top = gap + (i / cols) * (cell_h + gap);
        const std::size_t digit_left = left + (cell_w - digit_w) / 2;
        for (std::size_t y = 0; y < digit_h; ++y)
        {
            for (std::size_t x = 0; x < digit_w; ++x)
            {
                sheet(top + y, digit_left + x) = digits[i](y / scale, x / scale);
            }
        }
        if (!captions.empty())
        {
            const std::size_t text_left =
                left + (cell_w - xtnn::detail::font_text_width(captions[i], text_scale)) / 2;
            xtnn::detail::draw_text(sheet, text_left, top + digit_h + 2 * text_scale, captions[i],
                                    text_scale, 255);
        }
    }
    return sheet;
}
}  // namespace xtnn::io
