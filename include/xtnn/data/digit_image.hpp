// SPDX-License-Identifier: MIT
// A photographed or drawn digit made into an MNIST one, the way LeCun et al. made theirs:
// white ink on black (a light background is inverted; levels stretched), cropped to the ink,
// scaled to fit a 20x20 box keeping its aspect ratio (area-averaged), and placed in a 28x28
// image with its centre of mass at the centre. Pure C++ on io::gray_image; no file formats.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// How to_mnist_digit prepares a digit. The defaults are MNIST's sizes.
struct digit_options
{
    std::size_t size = 28;  ///< the result is size x size
    std::size_t box = 20;   ///< the ink is scaled to fit box x box (1 .. size)
    /// A pixel is ink when it is brighter than the background by more than this (after a
    /// light background is inverted); fainter pixels inside the ink's box are kept.
    std::uint8_t ink_threshold = 32;
    /// Levels: the background (the border's median) to 0 and the brightest pixel to 255, as
    /// in MNIST's bilevel originals, so grey paper and a pale pen look like MNIST's ink. A
    /// clean digit (black background, ink reaching 255) is unchanged. false: as they are.
    bool stretch_levels = true;
};

/// Rows [row, row + height) and columns [col, col + width) of an image.
struct pixel_box
{
    std::size_t row = 0;
    std::size_t col = 0;
    std::size_t height = 0;
    std::size_t width = 0;

    bool empty() const { return height == 0 || width == 0; }
};

/// A position in an image, in pixels: (row, col) of a pixel's index, so pixel (r, c) is at
/// (r, c). MNIST puts the centre of its 28x28 digits at (14, 14): the mean centre of mass of
/// its 10,000 test digits is (14.00, 14.00) this way, each within half a pixel of it.
struct image_point
{
    double row = 0;
    double col = 0;
};
}  // namespace xtnn::data

namespace xtnn::detail
{
/// One output cell of an area resample: the input cells it overlaps, from `first`, and the
/// fraction of the output cell each covers (they sum to 1).
struct area_tap
{
    std::size_t first = 0;
    std::vector<double> weights;
};

/// Output cell i of `out` spans [i·in/out, (i+1)·in/out) of `in` unit input cells:
///   weight(i, k) = |[i·s, (i+1)·s) ∩ [k, k+1)| / s,  s = in / out
/// a box filter of the output cell's size, so shrinking averages and enlarging repeats
/// (blending the cells a boundary falls in).
inline std::vector<area_tap> area_taps(std::size_t in, std::size_t out)
{
    const double s = static_cast<double>(in) / static_cast<double>(out);
    std::vector<area_tap> taps(out);
    for (std::size_t i = 0; i < out; ++i)
    {
        const double lo = static_cast<double>(i * in) / static_cast<double>(out);
        const double hi = static_cast<double>((i + 1) * in) / static_cast<double>(out);
        const auto first = static_cast<std::size_t>(std::floor(lo));
        const auto last = std::min(in, static_cast<std::size_t>(std::ceil(hi)));
        taps[i].first = first;
        for (std::size_t k = first; k < last; ++k)
        {
            const double overlap = std::min(hi, double(k + 1)) - std::max(lo, double(k));
            taps[i].weights.push_back(std::max(0.0, overlap) / s);
        }
    }
    return taps;
}

/// `values` (height, width) row-major (any arithmetic type) resampled by area to
/// (out_height, out_width).
template <class T>
std::vector<double> resize_area_values(const T* values, std::size_t width, std::size_t height,
                                       std::size_t out_width, std::size_t out_height)
{
    const auto across = area_taps(width, out_width);
    const auto down = area_taps(height, out_height);
    // Columns first, (height, width) -> (height, out_width), then rows.
    std::vector<double> narrow(height * out_width, 0.0);
    for (std::size_t r = 0; r < height; ++r)
    {
        for (std::size_t j = 0; j < out_width; ++j)
        {
            double sum = 0;
            const area_tap& tap = across[j];
            for (std::size_t t = 0; t < tap.weights.size(); ++t)
            {
                sum += tap.weights[t] * values[r * width + tap.first + t];
            }
            narrow[r * out_width + j] = sum;
        }
    }
    std::vector<double> out(out_height * out_width, 0.0);
    for (std::size_t i = 0; i < out_height; ++i)
    {
        const area_tap& tap = down[i];
        for (std::size_t t = 0; t < tap.weights.size(); ++t)
        {
            const double w = tap.weights[t];
            const double* row = &narrow[(tap.first + t) * out_width];
            for (std::size_t j = 0; j < out_width; ++j)
            {
                out[i * out_width + j] += w * row[j];
            }
        }
    }
    return out;
}

/// round(v) clamped to 0..255.
inline std::uint8_t to_gray_level(double v)
{
    return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
}

/// Centre of mass of (height, width) intensities, in image_point coordinates; total 0 when
/// every value is 0 (the point is then meaningless).
inline data::image_point centre_of_mass_values(const std::vector<double>& values, std::size_t width,
                                               std::size_t height, double& total)
{
    // (row, col) = sum over pixels of v · (r, c) / sum of v
    double sum = 0, rows = 0, cols = 0;
    for (std::size_t r = 0; r < height; ++r)
    {
        for (std::size_t c = 0; c < width; ++c)
        {
            const double v = values[r * width + c];
            sum += v;
            rows += v * double(r);
            cols += v * double(c);
        }
    }
    total = sum;
    return sum > 0 ? data::image_point{rows / sum, cols / sum} : data::image_point{};
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// The median of the image's outermost ring of pixels (its background, for a digit that
/// does not fill the picture); of an even count, the upper of the two middle values, so
/// border_median(image) > 127 when at least half the border is light.
/// @throws shape_error for an inconsistent image.
inline std::uint8_t border_median(const io::gray_image& image)
{
    xtnn::detail::check_gray_image(image, "xtnn::data::border_median");
    const std::size_t h = image.height, w = image.width;
    std::vector<std::uint8_t> ring;
    ring.reserve(2 * (h + w));
    for (std::size_t c = 0; c < w; ++c)
    {
        ring.push_back(image(0, c));
        if (h > 1)
        {
            ring.push_back(image(h - 1, c));
        }
    }
    for (std::size_t r = 1; r + 1 < h; ++r)
    {
        ring.push_back(image(r, 0));
        if (w > 1)
        {
            ring.push_back(image(r, w - 1));
        }
    }
    const auto middle = ring.begin() + static_cast<std::ptrdiff_t>(ring.size() / 2);
    std::nth_element(ring.begin(), middle, ring.end());
    return *middle;
}

/// The negative: 255 - p for every pixel. @throws shape_error for an inconsistent image.
inline io::gray_image inverted(const io::gray_image& image)
{
    xtnn::detail::check_gray_image(image, "xtnn::data::inverted");
    io::gray_image out = image;
    for (auto& p : out.pixels)
    {
        p = static_cast<std::uint8_t>(255 - p);
    }
    return out;
}

/// The smallest box holding every pixel above `threshold`; an empty box when there is none.
/// @throws shape_error for an inconsistent image.
inline pixel_box ink_box(const io::gray_image& image, std::uint8_t threshold)
{
    xtnn::detail::check_gray_image(image, "xtnn::data::ink_box");
    std::size_t top = image.height, bottom = 0, left = image.width, right = 0;
    for (std::size_t r = 0; r < image.height; ++r)
    {
        for (std::size_t c = 0; c < image.width; ++c)
        {
            if (image(r, c) > threshold)
            {
                top = std::min(top, r);
                bottom = std::max(bottom, r);
                left = std::min(left, c);
                right = std::max(right, c);
            }
        }
    }
    if (top == image.height)
    {
        return {};
    }
    return {top, left, bottom - top + 1, right - left + 1};
}

/// The pixels of `box`, a box inside the image.
/// @throws shape_error for an inconsistent image, or a box empty or not inside it.
inline io::gray_image crop(const io::gray_image& image, const pixel_box& box)
{
    static constexpr const char* where = "xtnn::data::crop";
    xtnn::detail::check_gray_image(image, where);
    if (box.empty() || box.row + box.height > image.height || box.col + box.width > image.width)
    {
        throw shape_error(std::string(where) + ": box of " + shape_string(box.height, box.width) +
                          " at (" + std::to_string(box.row) + ", " + std::to_string(box.col) +
                          "); expected a non-empty box inside the image, got an image of " +
                          shape_string(image.height, image.width));
    }
    io::gray_image out{box.width, box.height, {}};
    out.pixels.reserve(box.width * box.height);
    for (std::size_t r = 0; r < box.height; ++r)
    {
        const auto* row = &image.pixels[(box.row + r) * image.width + box.col];
        out.pixels.insert(out.pixels.end(), row, row + box.width);
    }
    return out;
}

/// The image resampled to width x height by area averaging (a box filter, PIL's BOX and,
/// when shrinking, OpenCV's INTER_AREA): each output pixel is the mean of the input it
/// covers, weighted by overlap, rounded. Not nearest-neighbour: shrinking anti-aliases.
/// @throws shape_error for an inconsistent image or a target side of 0.
inline io::gray_image resize_area(const io::gray_image& image, std::size_t width,
                                  std::size_t height)
{
    static constexpr const char* where = "xtnn::data::resize_area";
    xtnn::detail::check_gray_image(image, where);
    if (width == 0 || height == 0)
    {
        throw shape_error(std::string(where) + ": expected a target size of at least 1 x 1, got " +
                          std::to_string(width) + " x " + std::to_string(height));
    }
    const auto out = xtnn::detail::resize_area_values(image.pixels.data(), image.width,
                                                      image.height, width, height);
    io::gray_image result{width, height, {}};
    result.pixels.reserve(out.size());
    for (double v : out)
    {
        result.pixels.push_back(xtnn::detail::to_gray_level(v));
    }
    return result;
}

/// The intensity-weighted mean position of the pixels, in image_point coordinates (a lone
/// pixel (r, c) gives (r, c)).
/// @throws shape_error for an inconsistent image; error when every pixel is 0.
inline image_point centre_of_mass(const io::gray_image& image)
{
    static constexpr const char* where = "xtnn::data::centre_of_mass";
    xtnn::detail::check_gray_image(image, where);
    const std::vector<double> values(image.pixels.begin(), image.pixels.end());
    double total = 0;
    const image_point centre =
        xtnn::detail::centre_of_mass_values(values, image.width, image.height, total);
    if (total == 0)
    {
        throw error(std::string(where) + ": expected a pixel above 0, got a black " +
                    shape_string(image.height, image.width) + " image");
    }
    return centre;
}

/// A digit in any picture made into an MNIST one (white ink on black, size x size):
///  1. a light background is inverted: border_median(image) > 127 -> 255 - p;
///  2. levels (options.stretch_levels): p -> (p - b) · 255 / (peak - b), at least 0, with b
///     the new border median and peak the brightest pixel (b = 0, peak = 255 without);
///  3. cropped to the ink: the box of pixels brighter than b + options.ink_threshold;
///  4. scaled by area averaging to fit options.box (20) keeping the aspect ratio: the
///     longer side becomes box, the other round(box · shorter / longer), at least 1;
///  5. placed in a size x size (28x28) black image so that its centre of mass (of
///     intensity) is at MNIST's centre (size/2, size/2) = (14, 14), see image_point: shifted
///     by the offset rounded to whole pixels (halves up), pixels shifted past an edge dropped.
/// A lone bright pixel thus becomes a 20x20 square at rows and columns 5..24 (its centre
/// 9.5 moves by 4.5, rounded up to 5); a 40x10 bar a 20x5 one at rows 5..24, columns 12..16.
/// @throws shape_error for an inconsistent image; error for options with box 0 or above
///         size, or a blank image (no pixel differs from the background by more than
///         ink_threshold), naming its size: a blank picture has no digit to classify.
inline io::gray_image to_mnist_digit(const io::gray_image& image, const digit_options& options = {})
{
    static constexpr const char* where = "xtnn::data::to_mnist_digit";
    xtnn::detail::check_gray_image(image, where);
    if (options.box == 0 || options.box > options.size)
    {
        throw error(std::string(where) + ": digit_options::box must be 1 .. size (" +
                    std::to_string(options.size) + "); got " + std::to_string(options.box));
    }

    // 1. white ink on black
    const io::gray_image gray = border_median(image) > 127 ? inverted(image) : image;

    // 2. levels, and 3. the ink's box
    const int background = options.stretch_levels ? border_median(gray) : 0;
    const int peak = *std::max_element(gray.pixels.begin(), gray.pixels.end());
    if (peak - background <= int(options.ink_threshold))
    {
        throw error(std::string(where) + ": no ink: no pixel differs from the background by " +
                    "more than " + std::to_string(options.ink_threshold) +
                    " levels; expected a digit, got a blank " +
                    shape_string(image.height, image.width) + " image");
    }
    io::gray_image ink =
        crop(gray, ink_box(gray, static_cast<std::uint8_t>(background + options.ink_threshold)));
    if (options.stretch_levels)
    {
        // p -> (p - b) · 255 / (peak - b), at least 0, rounded: a table of the 256 levels
        std::uint8_t level[256];
        for (int p = 0; p < 256; ++p)
        {
            level[p] = xtnn::detail::to_gray_level((p - background) * 255.0 / (peak - background));
        }
        for (auto& p : ink.pixels)
        {
            p = level[p];
        }
    }

    // 4. fit the box, keeping the aspect ratio
    const std::size_t longer = std::max(ink.width, ink.height);
    const auto fit = [&](std::size_t side)
    {
        return std::max<std::size_t>(
            1, static_cast<std::size_t>(std::lround(static_cast<double>(options.box) *
                                                    static_cast<double>(side) /
                                                    static_cast<double>(longer))));
    };
    const std::size_t w = fit(ink.width), h = fit(ink.height);
    const auto scaled =
        xtnn::detail::resize_area_values(ink.pixels.data(), ink.width, ink.height, w, h);

    // 5. centre of mass to the centre; the peak pixel keeps the total above 0
    double total = 0;
    const image_point centre = xtnn::detail::centre_of_mass_values(scaled, w, h, total);
    const auto middle = static_cast<double>(options.size / 2);
    const auto shift_row = static_cast<long>(std::floor(middle - centre.row + 0.5));
    const auto shift_col = static_cast<long>(std::floor(middle - centre.col + 0.5));
    io::gray_image out{options.size, options.size, {}};
    out.pixels.assign(options.size * options.size, 0);
    const long side = static_cast<long>(options.size);
    for (std::size_t r = 0; r < h; ++r)
    {
        const long y = static_cast<long>(r) + shift_row;
        for (std::size_t c = 0; c < w; ++c)
        {
            const long x = static_cast<long>(c) + shift_col;
            if (y >= 0 && y < side && x >= 0 && x < side)
            {
                out(std::size_t(y), std::size_t(x)) =
                    xtnn::detail::to_gray_level(scaled[r * w + c]);
            }
        }
    }
    return out;
}
}  // namespace xtnn::data
