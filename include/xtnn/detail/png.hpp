// SPDX-License-Identifier: MIT
// A minimal PNG encoder for 8-bit gray or RGB pixels: signature, IHDR, one zlib-compressed
// IDAT (every row with filter type 0, "None"), IEND. Enough for pictures of digits and
// plots; no palette, no alpha, no interlacing, no ancillary chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>

namespace xtnn::detail
{
inline constexpr std::uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/// Appends `value` as 4 big-endian bytes (PNG's byte order).
inline void put_be32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    out.push_back(static_cast<std::uint8_t>(value >> 24));
    out.push_back(static_cast<std::uint8_t>(value >> 16));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value));
}

/// Appends one chunk: length, 4-letter type, data, CRC-32 of type + data.
inline void put_png_chunk(std::vector<std::uint8_t>& out, const char (&type)[5],
                          const std::vector<std::uint8_t>& data)
{
    put_be32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    put_be32(out, crc32_of(out.data() + type_at, 4 + data.size()));
}

/// Encodes width x height row-major pixels of `channels` bytes each — 1: gray (0 black ..
/// 255 white), 3: RGB — as a PNG file of colour type 0 or 2. `where` starts error messages.
/// @throws shape_error when a side is 0 or above PNG's limit of 2^31 - 1.
inline std::vector<std::uint8_t> encode_png8(std::size_t width, std::size_t height,
                                             std::size_t channels, const std::uint8_t* pixels,
                                             const char* where)
{
    constexpr std::size_t max_side = std::numeric_limits<std::int32_t>::max();
    if (width == 0 || height == 0 || width > max_side || height > max_side)
    {
        throw shape_error(std::string(where) + ": a PNG's sides must be 1 .. 2^31 - 1; got " +
                          std::to_string(width) + " x " + std::to_string(height));
    }
    if (channels != 1 && channels != 3)
    {
        throw error(std::string(where) + ": expected 1 (gray) or 3 (RGB) channels; got " +
                    std::to_string(channels));
    }
    // Each scanline is preceded by its filter type; 0 stores the bytes as they are.
    const std::size_t row = width * channels;
    std::vector<std::uint8_t> scanlines;
    scanlines.reserve(height * (row + 1));
    for (std::size_t y = 0; y < height; ++y)
    {
        scanlines.push_back(0);
        scanlines.insert(scanlines.end(), pixels + y * row, pixels + (y + 1) * row);
    }

    std::vector<std::uint8_t> header;
    put_be32(header, static_cast<std::uint32_t>(width));
    put_be32(header, static_cast<std::uint32_t>(height));
    // bit depth 8, colour type 0 (gray) or 2 (RGB), compression 0, filter method 0, no interlace
    const std::uint8_t colour_type = channels == 3 ? 2 : 0;
    header.insert(header.end(), {8, colour_type, 0, 0, 0});

    std::vector<std::uint8_t> png(png_signature, png_signature + 8);
    put_png_chunk(png, "IHDR", header);
    put_png_chunk(png, "IDAT", deflate_all(scanlines.data(), scanlines.size(), zformat::zlib, 9));
    put_png_chunk(png, "IEND", {});
    return png;
}

/// Encodes width x height row-major gray pixels (0 black .. 255 white) as a PNG file.
/// @throws shape_error when a side is 0 or above PNG's limit of 2^31 - 1.
inline std::vector<std::uint8_t> encode_png_gray8(std::size_t width, std::size_t height,
                                                  const std::uint8_t* pixels)
{
    return encode_png8(width, height, 1, pixels, "xtnn::io::encode_png");
}

/// Encodes width x height row-major RGB pixels (3 bytes each: red, green, blue) as a PNG
/// file of colour type 2.
/// @throws shape_error when a side is 0 or above PNG's limit of 2^31 - 1.
inline std::vector<std::uint8_t> encode_png_rgb8(std::size_t width, std::size_t height,
                                                 const std::uint8_t* pixels,
                                                 const char* where = "xtnn::encode_png_rgb8")
{
    return encode_png8(width, height, 3, pixels, where);
}
}  // namespace xtnn::detail
