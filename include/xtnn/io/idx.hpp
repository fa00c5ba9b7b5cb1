// SPDX-License-Identifier: MIT
// The IDX format (LeCun's MNIST files): read raw or gzip-compressed files of any type code
// and rank into an idx_array, convert it to xt::xarray<T>, and write IDX files back.
// A header's claims are checked against the bytes actually present before anything is
// allocated from them, so a hostile or damaged file fails with a format_error.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::io
{
/// The element type, as the third byte of an IDX magic number.
enum class idx_type : std::uint8_t
{
    u8 = 0x08,
    i8 = 0x09,
    i16 = 0x0B,
    i32 = 0x0C,
    f32 = 0x0D,
    f64 = 0x0E
};

/// Bytes per element: 1, 2, 4 or 8 (0 for a value outside the enum).
inline std::size_t idx_type_size(idx_type type)
{
    switch (type)
    {
    case idx_type::u8:
    case idx_type::i8:
        return 1;
    case idx_type::i16:
        return 2;
    case idx_type::i32:
    case idx_type::f32:
        return 4;
    case idx_type::f64:
        return 8;
    }
    return 0;
}

/// "u8", "i8", "i16", "i32", "f32", "f64" (or "unknown").
inline const char* idx_type_name(idx_type type)
{
    switch (type)
    {
    case idx_type::u8:
        return "u8";
    case idx_type::i8:
        return "i8";
    case idx_type::i16:
        return "i16";
    case idx_type::i32:
        return "i32";
    case idx_type::f32:
        return "f32";
    case idx_type::f64:
        return "f64";
    }
    return "unknown";
}
}  // namespace xtnn::io

// Helpers live in xtnn::detail (not xtnn::io::detail, which would hide xtnn::detail from
// unqualified `detail::` lookups in other io headers); the idx_ prefix avoids collisions.
namespace xtnn::detail
{
/// "0x00000803": a magic number the way the IDX documentation prints it.
inline std::string idx_hex(std::uint32_t value, int digits)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%0*X", digits, static_cast<unsigned>(value));
    return text;
}

inline bool idx_host_is_little_endian()
{
    const std::uint16_t one = 1;
    std::uint8_t first = 0;
    std::memcpy(&first, &one, 1);
    return first == 1;
}

/// Reverses each `width`-byte element in place on little-endian hosts (IDX is big-endian;
/// the swap is its own inverse, so it converts both ways).
inline void idx_swap_big_endian(std::uint8_t* data, std::size_t count, std::size_t width)
{
    if (width == 1 || !idx_host_is_little_endian())
    {
        return;
    }
    for (std::size_t i = 0; i < count; ++i, data += width)
    {
        std::reverse(data, data + width);
    }
}

/// width * product(shape) into `out`; false when it overflows size_t. Any zero extent makes
/// the product 0 whatever the others claim.
inline bool idx_checked_bytes(const std::vector<std::size_t>& shape, std::size_t width,
                              std::size_t& out)
{
    if (std::find(shape.begin(), shape.end(), std::size_t(0)) != shape.end())
    {
        out = 0;
        return true;
    }
    std::size_t bytes = width;
    for (std::size_t extent : shape)
    {
        if (extent > std::numeric_limits<std::size_t>::max() / bytes)
        {
            return false;
        }
        bytes *= extent;
    }
    out = bytes;
    return true;
}

inline std::uint32_t idx_load_u32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

/// The validated header of an IDX buffer: the data starts at `header_bytes` and is exactly
/// `data_bytes` long.
struct idx_header
{
    io::idx_type type;
    std::vector<std::size_t> shape;
    std::size_t header_bytes;
    std::size_t data_bytes;
};

/// Checks magic, type code, dimensions and the exact length of `data`.
/// @throws format_error prefixed with `context` (`where: "file"`).
inline idx_header idx_parse_header(const std::uint8_t* data, std::size_t size,
                                   const std::string& context)
{
    if (size < 4)
    {
        throw format_error(context + ": file is too short for an IDX header; expected at " +
                           "least 4 bytes, got " + std::to_string(size));
    }
    const std::uint32_t magic = idx_load_u32(data);
    if (data[0] != 0 || data[1] != 0)
    {
        throw format_error(context + ": bad magic " + idx_hex(magic, 8) +
                           "; expected 0x0000TTNN (two zero bytes, type code TT, rank NN)");
    }
    const auto type = static_cast<io::idx_type>(data[2]);
    if (io::idx_type_size(type) == 0)
    {
        throw format_error(context + ": unknown type code " + idx_hex(data[2], 2) + " in magic " +
                           idx_hex(magic, 8) +
                           "; expected 0x08 (u8), 0x09 (i8), 0x0B (i16), 0x0C (i32), "
                           "0x0D (f32) or 0x0E (f64)");
    }
    const std::size_t rank = data[3];
    const std::size_t header_bytes = 4 + 4 * rank;
    if (size < header_bytes)
    {
        throw format_error(context + ": truncated header; expected " +
                           std::to_string(header_bytes) + " bytes (magic + " +
                           std::to_string(rank) + " dimensions), got " + std::to_string(size));
    }
    std::vector<std::size_t> shape(rank);
    for (std::size_t i = 0; i < rank; ++i)
    {
        shape[i] = idx_load_u32(data + 4 + 4 * i);
    }

    const std::size_t width = io::idx_type_size(type);
    const std::size_t present = size - header_bytes;
    const std::string claim = "shape " + shape_string(shape) + " of " + io::idx_type_name(type);
    std::size_t data_bytes = 0;
    if (!idx_checked_bytes(shape, width, data_bytes))
    {
        throw format_error(context + ": data is truncated; " + claim +
                           " needs more bytes than size_t can count, got " +
                           std::to_string(present) + " after the " + std::to_string(header_bytes) +
                           "-byte header");
    }
    if (present != data_bytes)
    {
        const bool short_file = present < data_bytes;
        const std::string what =
            short_file ? "data is truncated"
                       : std::to_string(present - data_bytes) + " trailing bytes after the data";
        throw format_error(context + ": " + what + "; expected " + std::to_string(data_bytes) +
                           " bytes for " + claim + " after the " + std::to_string(header_bytes) +
                           "-byte header, got " + std::to_string(present));
    }
    return {type, std::move(shape), header_bytes, data_bytes};
}

template <class S, class T>
void idx_convert(const std::uint8_t* src, T* dst, std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i)
    {
        S value;
        std::memcpy(&value, src + i * sizeof(S), sizeof(S));
        dst[i] = static_cast<T>(value);
    }
}

template <class T>
constexpr io::idx_type idx_type_of()
{
    static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4 &&
                      std::numeric_limits<double>::is_iec559 && sizeof(double) == 8,
                  "IDX f32/f64 need IEEE 754 float and double");
    if constexpr (std::is_same_v<T, std::uint8_t>)
        return io::idx_type::u8;
    else if constexpr (std::is_same_v<T, std::int8_t>)
        return io::idx_type::i8;
    else if constexpr (std::is_same_v<T, std::int16_t>)
        return io::idx_type::i16;
    else if constexpr (std::is_same_v<T, std::int32_t>)
        return io::idx_type::i32;
    else if constexpr (std::is_same_v<T, float>)
        return io::idx_type::f32;
    else
    {
        static_assert(std::is_same_v<T, double>,
                      "IDX holds uint8_t, int8_t, int16_t, int32_t, float or double");
        return io::idx_type::f64;
    }
}
}  // namespace xtnn::detail

namespace xtnn::io
{
/// One IDX array: its element type, its shape (rank 0..255, extents < 2^32) and its elements
/// in host byte order, C (row-major) order. Arrays from parse_idx/read_idx are consistent:
/// bytes.size() == size() * idx_type_size(type).
struct idx_array
{
    idx_type type = idx_type::u8;
    std::vector<std::size_t> shape;
    std::vector<std::uint8_t> bytes;

    /// Number of elements: the product of shape (1 for rank 0).
    /// @throws shape_error when the product overflows size_t.
    std::size_t size() const
    {
        std::size_t count = 0;
        if (!xtnn::detail::idx_checked_bytes(shape, 1, count))
        {
            throw shape_error("xtnn::io::idx_array::size: shape " + shape_string(shape) +
                              " has more elements than size_t can count");
        }
        return count;
    }

    /// The elements converted to T with static_cast, shaped like `shape`.
    /// @throws shape_error when bytes.size() does not match shape and type.
    template <class T>
    xt::xarray<T> as() const
    {
        static_assert(std::is_arithmetic_v<T>, "idx_array::as<T> needs an arithmetic T");
        const std::size_t count = size();
        const std::size_t width = idx_type_size(type);
        if (width == 0 || bytes.size() / width != count || bytes.size() % width != 0)
        {
            throw shape_error("xtnn::io::idx_array::as: " + std::to_string(bytes.size()) +
                              " bytes do not hold shape " + shape_string(shape) + " of " +
                              idx_type_name(type) + "; expected " + std::to_string(count * width) +
                              " bytes");
        }
        auto out = xt::xarray<T>::from_shape(shape);
        T* dst = out.data();
        const std::uint8_t* src = bytes.data();
        namespace d = xtnn::detail;
        switch (type)
        {
        case idx_type::u8:
            d::idx_convert<std::uint8_t>(src, dst, count);
            break;
        case idx_type::i8:
            d::idx_convert<std::int8_t>(src, dst, count);
            break;
        case idx_type::i16:
            d::idx_convert<std::int16_t>(src, dst, count);
            break;
        case idx_type::i32:
            d::idx_convert<std::int32_t>(src, dst, count);
            break;
        case idx_type::f32:
            d::idx_convert<float>(src, dst, count);
            break;
        case idx_type::f64:
            d::idx_convert<double>(src, dst, count);
            break;
        }
        return out;
    }
};

/// Parses an uncompressed IDX image held in memory. `name` (usually the file name) is quoted
/// in messages.
/// @throws format_error for a bad magic, an unknown type code, a truncated header or data,
/// or trailing bytes after the data.
inline idx_array parse_idx(const std::uint8_t* data, std::size_t size, const std::string& name)
{
    const auto header = xtnn::detail::idx_parse_header(
        data, size, "xtnn::io::parse_idx: " + xtnn::detail::quoted(name));
    idx_array array;
    array.type = header.type;
    array.shape = header.shape;
    const std::uint8_t* first = data + header.header_bytes;
    array.bytes.assign(first, first + header.data_bytes);
    xtnn::detail::idx_swap_big_endian(array.bytes.data(), array.size(), idx_type_size(array.type));
    return array;
}

/// Reads an IDX file, raw or gzip-compressed (recognised by its 1f 8b magic, not its name).
/// @throws io_error naming the path when the file cannot be opened or read.
/// @throws format_error naming the path for corrupt or truncated gzip data and for
/// everything parse_idx rejects.
inline idx_array read_idx(const std::string& path)
{
    constexpr const char* where = "xtnn::io::read_idx";
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    std::vector<std::uint8_t> buffer = xtnn::detail::read_file(path, where);
    if (xtnn::detail::is_gzip(buffer.data(), buffer.size()))
    {
        buffer = xtnn::detail::inflate_all(buffer.data(), buffer.size(),
                                           xtnn::detail::zformat::gzip, context);
    }
    auto header = xtnn::detail::idx_parse_header(buffer.data(), buffer.size(), context);
    // Reuse the buffer: drop the header in place rather than copying tens of megabytes.
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(header.header_bytes));
    idx_array array{header.type, std::move(header.shape), std::move(buffer)};
    xtnn::detail::idx_swap_big_endian(array.bytes.data(), array.size(), idx_type_size(array.type));
    return array;
}

/// read_idx(path).as<T>(): the file's elements converted to T, in the file's shape.
/// @throws as read_idx.
template <class T>
xt::xarray<T> read_idx_as(const std::string& path)
{
    return read_idx(path).template as<T>();
}

/// An idx_array holding a copy of `array`; T picks the type code (uint8_t → u8, int8_t → i8,
/// int16_t → i16, int32_t → i32, float → f32, double → f64).
template <class T>
idx_array make_idx(const xt::xarray<T>& array)
{
    idx_array out;
    out.type = xtnn::detail::idx_type_of<T>();
    out.shape.assign(array.shape().begin(), array.shape().end());
    const auto* first = reinterpret_cast<const std::uint8_t*>(array.data());
    out.bytes.assign(first, first + array.size() * sizeof(T));
    return out;
}

/// Writes `array` as an IDX file (big-endian), gzip-compressed when `path` ends in ".gz".
/// The file is replaced atomically.
/// @throws shape_error when the rank exceeds 255, an extent does not fit in 32 bits, or
/// bytes.size() does not match shape and type; io_error naming the path when writing fails.
inline void write_idx(const std::string& path, const idx_array& array)
{
    constexpr const char* where = "xtnn::io::write_idx";
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    const std::size_t width = idx_type_size(array.type);
    if (width == 0)
    {
        throw shape_error(context + ": unknown type code " +
                          xtnn::detail::idx_hex(static_cast<std::uint8_t>(array.type), 2));
    }
    if (array.shape.size() > 255)
    {
        throw shape_error(context + ": rank " + std::to_string(array.shape.size()) +
                          "; expected at most 255");
    }
    for (std::size_t extent : array.shape)
    {
        if (extent > 0xFFFFFFFFu)
        {
            throw shape_error(context + ": shape " + shape_string(array.shape) +
                              " has an extent above 4294967295, which IDX cannot store");
        }
    }
    std::size_t data_bytes = 0;
    if (!xtnn::detail::idx_checked_bytes(array.shape, width, data_bytes) ||
        data_bytes != array.bytes.size())
    {
        throw shape_error(context + ": " + std::to_string(array.bytes.size()) +
                          " bytes do not hold shape " + shape_string(array.shape) + " of " +
                          idx_type_name(array.type) + "; expected " + std::to_string(data_bytes) +
                          " bytes");
    }

    std::vector<std::uint8_t> file{0, 0, static_cast<std::uint8_t>(array.type),
                                   static_cast<std::uint8_t>(array.shape.size())};
    file.reserve(4 + 4 * array.shape.size() + data_bytes);
    for (std::size_t extent : array.shape)
    {
        const auto e = static_cast<std::uint32_t>(extent);
        file.insert(file.end(), {std::uint8_t(e >> 24), std::uint8_t(e >> 16), std::uint8_t(e >> 8),
                                 std::uint8_t(e)});
    }
    const std::size_t header_bytes = file.size();
    file.insert(file.end(), array.bytes.begin(), array.bytes.end());
    xtnn::detail::idx_swap_big_endian(file.data() + header_bytes, data_bytes / width, width);

    const bool gz = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    if (gz)
    {
        file = xtnn::detail::deflate_all(file.data(), file.size(), xtnn::detail::zformat::gzip);
    }
    xtnn::detail::write_file_atomically(path, file, where);
}

/// write_idx(path, make_idx(array)): e.g. an xt::xarray<std::uint8_t> of images.
template <class T>
void write_idx(const std::string& path, const xt::xarray<T>& array)
{
    write_idx(path, make_idx(array));
}
}  // namespace xtnn::io
