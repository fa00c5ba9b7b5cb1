// SPDX-License-Identifier: MIT
// The IDX format (LeCun's MNIST files): read raw or gzip-compressed files of any type code
// and rank into an ndarray, and write ndarrays back. IDX data is big-endian on disk and is
// swapped here, at the io boundary, so the ndarray holds it little-endian like any other.
// A header's claims are checked against the bytes actually present before anything is
// allocated from them, so a hostile or damaged file fails with a format_error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>
#include <xtnn/tensor.hpp>

// Helpers live in xtnn::detail (not xtnn::io::detail, which would hide xtnn::detail from
// unqualified `detail::` lookups in other io headers); the idx_ prefix avoids collisions.
namespace xtnn::detail
{
/// An IDX type code (the third byte of the magic), the dtype it holds and its IDX name.
struct idx_type
{
    std::uint8_t code;
    io::dtype type;
    const char* name;
};

/// The six IDX types: u8, i8, i16, i32 (big-endian), f32, f64 (IEEE 754, big-endian).
inline constexpr idx_type idx_types[] = {
    {0x08, io::dtype::u1, "u8"},  {0x09, io::dtype::i1, "i8"},  {0x0B, io::dtype::i2, "i16"},
    {0x0C, io::dtype::i4, "i32"}, {0x0D, io::dtype::f4, "f32"}, {0x0E, io::dtype::f8, "f64"}};

/// The IDX type with this code, or nullptr.
inline const idx_type* idx_type_of_code(std::uint8_t code)
{
    for (const idx_type& t : idx_types)
    {
        if (t.code == code)
        {
            return &t;
        }
    }
    return nullptr;
}

/// The IDX type code that holds this dtype, or 0 (IDX has no i8, u2, u4, u8 or b1). A value,
/// not a pointer, so that it stays a constant expression under -fsanitize too.
constexpr std::uint8_t idx_code_of(io::dtype type)
{
    for (const idx_type& t : idx_types)
    {
        if (t.type == type)
        {
            return t.code;
        }
    }
    return 0;
}

/// "0x00000803": a magic number the way the IDX documentation prints it.
inline std::string idx_hex(std::uint32_t value, int digits)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%0*X", digits, static_cast<unsigned>(value));
    return text;
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
    io::dtype type;
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
    const idx_type* type = idx_type_of_code(data[2]);
    if (type == nullptr)
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

    const std::size_t present = size - header_bytes;
    const std::string claim = "shape " + shape_string(shape) + " of " + type->name;
    std::size_t data_bytes = 0;
    if (!byte_count(shape, io::item_size(type->type), data_bytes))
    {
        throw format_error(context + ": data is truncated; " + claim + " needs more than " +
                           std::to_string(max_array_bytes) + " bytes, got " +
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
    return {type->type, std::move(shape), header_bytes, data_bytes};
}

/// Inflates a gzip-compressed IDX image, header first: the header's shape says how many
/// bytes follow, so no more than that is ever inflated (and nothing beyond the ceiling
/// io::max_inflated_bytes()), however much the stream would produce.
/// @throws format_error for corrupt gzip data, a header claiming more than the ceiling, or
/// data going on more than 64 KiB past what the header claims (less is left to
/// idx_parse_header, which counts it).
inline std::vector<std::uint8_t> idx_inflate(const std::uint8_t* data, std::size_t size,
                                             const std::string& context)
{
    inflater stream(data, size, zformat::gzip, context);
    std::vector<std::uint8_t> out;
    std::size_t expected = 4;  // the magic; then the header; then header and data
    stream.fill(out, expected);
    const idx_type* type = out.size() == 4 ? idx_type_of_code(out[2]) : nullptr;
    std::size_t data_bytes = 0;
    std::vector<std::size_t> shape;
    bool claimed = false;  // the header is whole and its shape's size known
    if (type != nullptr && out[0] == 0 && out[1] == 0)
    {
        expected = 4 + 4 * std::size_t(out[3]);
        stream.fill(out, expected);
        if (out.size() == expected)
        {
            for (std::size_t i = 0; i < out[3]; ++i)
            {
                shape.push_back(idx_load_u32(out.data() + 4 + 4 * i));
            }
            claimed = byte_count(shape, io::item_size(type->type), data_bytes);
            expected += claimed ? data_bytes : 0;
        }
    }
    const std::size_t ceiling = io::max_inflated_bytes();
    if (claimed && expected > ceiling)
    {
        throw format_error(context + ": its header claims shape " + shape_string(shape) + " of " +
                           type->name + ", " + std::to_string(expected) + " bytes: " +
                           io::detail::inflated_ceiling_message(ceiling));
    }
    // A little past the end, so a file with a few trailing bytes gets the same message as
    // a raw one (idx_parse_header counts them), and one that goes on is stopped.
    constexpr std::size_t trailing_counted = std::size_t(1) << 16;
    stream.fill(out, expected + trailing_counted + 1);
    if (claimed && out.size() > expected + trailing_counted)
    {
        throw format_error(context + ": more than " + std::to_string(trailing_counted) +
                           " trailing bytes after the data; expected " + std::to_string(data_bytes) +
                           " bytes for shape " + shape_string(shape) + " of " + type->name +
                           " after the " + std::to_string(expected - data_bytes) + "-byte header");
    }
    return out;
}
}  // namespace xtnn::detail

namespace xtnn::io
{
namespace detail
{
/// The array in an IDX image whose bytes `buffer` holds (already inflated): the header is
/// dropped in place and the data swapped to little-endian, so tens of megabytes are not copied.
inline ndarray idx_from_buffer(std::vector<std::uint8_t> buffer, const std::string& context)
{
    auto header = xtnn::detail::idx_parse_header(buffer.data(), buffer.size(), context);
    buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(header.header_bytes));
    ndarray array{header.type, std::move(header.shape), std::move(buffer)};
    const std::size_t item = item_size(array.type);
    xtnn::detail::byte_swap_items(array.data.data(), header.data_bytes / item, item);
    return array;
}
}  // namespace detail

/// Parses an IDX image held in memory, raw or gzip-compressed (recognised by its 1f 8b
/// magic); `name` (usually the file name) is quoted in messages. IDX's u8, i8, i16, i32, f32
/// and f64 become dtype u1, i1, i2, i4, f4 and f8.
/// @returns the array in C order, little-endian; its shape has rank 0..255, extents < 2^32.
/// @throws format_error for a bad magic, an unknown type code, a truncated header or data,
/// trailing bytes after the data, corrupt gzip data, or a header claiming more than
/// io::max_inflated_bytes() of compressed data.
inline ndarray parse_idx(const std::uint8_t* data, std::size_t size,
                         const std::string& name = "<memory>")
{
    const std::string context = "xtnn::io::parse_idx: " + xtnn::detail::quoted(name);
    if (xtnn::detail::is_gzip(data, size))
    {
        return detail::idx_from_buffer(xtnn::detail::idx_inflate(data, size, context), context);
    }
    auto header = xtnn::detail::idx_parse_header(data, size, context);
    return detail::make_ndarray(header.type, true, std::move(header.shape), false,
                                data + header.header_bytes, header.data_bytes);
}

/// Reads an IDX file, raw or gzip-compressed (recognised by its 1f 8b magic, not its name),
/// into an ndarray as parse_idx does.
/// @throws io_error naming the path when the file cannot be opened or read.
/// @throws format_error naming the path for corrupt or truncated gzip data and for
/// everything parse_idx rejects.
inline ndarray read_idx(const std::string& path)
{
    constexpr const char* where = "xtnn::io::read_idx";
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    std::vector<std::uint8_t> buffer = xtnn::detail::read_file(path, where);
    if (xtnn::detail::is_gzip(buffer.data(), buffer.size()))
    {
        buffer = xtnn::detail::idx_inflate(buffer.data(), buffer.size(), context);
    }
    return detail::idx_from_buffer(std::move(buffer), context);
}

/// read_idx(path).as<T>(): the file's elements converted to T, in the file's shape.
/// @throws as read_idx and ndarray::as.
template <class T>
xt::xarray<T> read_idx_as(const std::string& path)
{
    return read_idx(path).template as<T>();
}

/// Writes `array` to `path` as an IDX file (big-endian), gzip-compressed when `path` ends in
/// ".gz". The file is replaced atomically.
/// @throws shape_error when the dtype has no IDX type code (i8, u2, u4, u8, b1), the rank
/// exceeds 255, an extent does not fit in 32 bits, or data.size() does not match shape and
/// dtype; io_error naming the path when writing fails.
inline void write_idx(const ndarray& array, const std::string& path)
{
    constexpr const char* where = "xtnn::io::write_idx";
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    const std::uint8_t code = xtnn::detail::idx_code_of(array.type);
    if (code == 0)
    {
        throw shape_error(context + ": dtype " + descr(array.type) +
                          " has no IDX type code; expected |u1, |i1, <i2, <i4, <f4 or <f8 "
                          "(IDX's u8, i8, i16, i32, f32, f64)");
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
    const std::size_t item = item_size(array.type);
    std::size_t data_bytes = 0;
    if (!xtnn::detail::byte_count(array.shape, item, data_bytes) || data_bytes != array.data.size())
    {
        throw shape_error(context + ": " + std::to_string(array.data.size()) +
                          " bytes do not hold shape " + shape_string(array.shape) + " of " +
                          xtnn::detail::idx_type_of_code(code)->name + "; expected " +
                          std::to_string(data_bytes) + " bytes");
    }

    std::vector<std::uint8_t> file{0, 0, code, static_cast<std::uint8_t>(array.shape.size())};
    file.reserve(4 + 4 * array.shape.size() + data_bytes);
    for (std::size_t extent : array.shape)
    {
        const auto e = static_cast<std::uint32_t>(extent);
        file.insert(file.end(), {std::uint8_t(e >> 24), std::uint8_t(e >> 16), std::uint8_t(e >> 8),
                                 std::uint8_t(e)});
    }
    const std::size_t header_bytes = file.size();
    file.insert(file.end(), array.data.begin(), array.data.end());
    xtnn::detail::byte_swap_items(file.data() + header_bytes, data_bytes / item, item);

    const bool gz = path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    if (gz)
    {
        file = xtnn::detail::deflate_all(file.data(), file.size(), xtnn::detail::zformat::gzip);
    }
    xtnn::detail::write_file_atomically(path, file, where);
}

/// write_idx(to_ndarray(expression), path) for an xtensor container or expression (e.g. an
/// xt::xarray<std::uint8_t> of images) of uint8_t, int8_t, int16_t, int32_t, float or double.
template <class E>
void write_idx(const xt::xexpression<E>& expression, const std::string& path)
{
    using T = std::decay_t<typename E::value_type>;
    static_assert(xtnn::detail::idx_code_of(dtype_of<T>()) != 0,
                  "IDX holds uint8_t, int8_t, int16_t, int32_t, float or double");
    write_idx(to_ndarray(expression), path);
}
}  // namespace xtnn::io
