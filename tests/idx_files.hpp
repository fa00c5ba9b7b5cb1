// SPDX-License-Identifier: MIT
// The bytes of small IDX files for tests: an MNIST-style images file and a labels file, built
// by hand from the format (magic 00 00 08 <rank>, each extent a big-endian u32, then the data).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xtnn_test
{
/// An IDX file of u8 items: its magic, then each extent as a big-endian u32, then `data`.
inline std::vector<std::uint8_t> idx_file(std::uint8_t rank, const std::vector<std::size_t>& extents,
                                          const std::vector<std::uint8_t>& data)
{
    std::vector<std::uint8_t> out(4 + 4 * extents.size() + data.size(), 0);
    out[2] = 0x08;  // u8 items
    out[3] = rank;
    for (std::size_t i = 0; i < extents.size(); ++i)
    {
        for (std::size_t b = 0; b < 4; ++b)
        {
            out[4 + 4 * i + b] = static_cast<std::uint8_t>(extents[i] >> (8 * (3 - b)));
        }
    }
    std::copy(data.begin(), data.end(),
              out.begin() + static_cast<std::ptrdiff_t>(4 + 4 * extents.size()));
    return out;
}

/// n images of rows x 28 pixels: magic 00 00 08 03, n, rows, 28, the pixels.
inline std::vector<std::uint8_t> images_file(std::size_t n, const std::vector<std::uint8_t>& pixels,
                                             std::size_t rows = 28)
{
    return idx_file(3, {n, rows, 28}, pixels);
}

/// Labels: magic 00 00 08 01, n, the labels.
inline std::vector<std::uint8_t> labels_file(const std::vector<std::uint8_t>& labels)
{
    return idx_file(1, {labels.size()}, labels);
}
}  // namespace xtnn_test
