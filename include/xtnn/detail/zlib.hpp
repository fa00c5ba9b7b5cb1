// SPDX-License-Identifier: MIT
// RAII wrappers over zlib: inflate (gzip, zlib or raw deflate streams) and deflate, whole
// buffers at a time, with errors that say what was being read. Used by the IDX reader (.gz),
// the npz reader/writer (zip members) and the PNG writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include <zlib.h>

#include <xtnn/error.hpp>

namespace xtnn::detail
{
/// The framing around a deflate stream.
enum class zformat
{
    gzip,  // RFC 1952: .gz files
    zlib,  // RFC 1950: PNG's IDAT
    raw    // RFC 1951: zip members
};

inline int zlib_window_bits(zformat format)
{
    switch (format)
    {
    case zformat::gzip:
        return 15 + 16;
    case zformat::zlib:
        return 15;
    case zformat::raw:
        return -15;
    }
    return 15;
}

/// True when the bytes start with the gzip magic 1f 8b.
inline bool is_gzip(const std::uint8_t* data, std::size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/// Decompresses a whole stream. Concatenated gzip members are read one after another, as
/// gunzip does. `max_output` bounds the result so a hostile file cannot exhaust memory.
/// @throws format_error with `what` (e.g. the quoted file name) for corrupt or truncated
/// data, or output larger than `max_output`.
inline std::vector<std::uint8_t> inflate_all(const std::uint8_t* data, std::size_t size,
                                             zformat format, const std::string& what,
                                             std::size_t max_output = std::size_t(1) << 32)
{
    std::vector<std::uint8_t> out;
    z_stream stream{};
    if (inflateInit2(&stream, zlib_window_bits(format)) != Z_OK)
    {
        throw error(what + ": zlib inflateInit2 failed");
    }
    struct guard
    {
        z_stream* s;
        ~guard() { inflateEnd(s); }
    } release{&stream};

    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = static_cast<uInt>(size);  // whole buffers stay far below 4 GiB here
    std::uint8_t chunk[1 << 16];
    for (;;)
    {
        stream.next_out = chunk;
        stream.avail_out = sizeof chunk;
        const int status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - stream.avail_out;
        if (out.size() + produced > max_output)
        {
            throw format_error(what + ": decompressed data exceeds " + std::to_string(max_output) +
                               " bytes");
        }
        out.insert(out.end(), chunk, chunk + produced);
        if (status == Z_STREAM_END)
        {
            // Another gzip member may follow; anything else after the end is ignored.
            if (format == zformat::gzip && stream.avail_in >= 2 &&
                is_gzip(stream.next_in, stream.avail_in))
            {
                if (inflateReset(&stream) != Z_OK)
                {
                    throw format_error(what + ": corrupt gzip data");
                }
                continue;
            }
            return out;
        }
        if (status == Z_BUF_ERROR && stream.avail_in == 0)
        {
            throw format_error(what + ": compressed data is truncated (stream ends after " +
                               std::to_string(size) + " bytes without an end marker)");
        }
        if (status != Z_OK && status != Z_BUF_ERROR)
        {
            throw format_error(what + ": corrupt compressed data at input offset " +
                               std::to_string(size - stream.avail_in) + ": " +
                               (stream.msg ? stream.msg : "zlib error " + std::to_string(status)));
        }
    }
}

/// Compresses a whole buffer. `level` is zlib's 0..9 (6 is gzip's default).
inline std::vector<std::uint8_t> deflate_all(const std::uint8_t* data, std::size_t size,
                                             zformat format, int level = 6)
{
    z_stream stream{};
    if (deflateInit2(&stream, level, Z_DEFLATED, zlib_window_bits(format), 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
    {
        throw error("xtnn: zlib deflateInit2 failed");
    }
    struct guard
    {
        z_stream* s;
        ~guard() { deflateEnd(s); }
    } release{&stream};

    std::vector<std::uint8_t> out(deflateBound(&stream, static_cast<uLong>(size)));
    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = static_cast<uInt>(size);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
    {
        throw error("xtnn: zlib deflate failed");
    }
    out.resize(stream.total_out);
    return out;
}

/// CRC-32 as zip and PNG use it, continuing from `crc` (0 to start).
inline std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0)
{
    return static_cast<std::uint32_t>(
        ::crc32(static_cast<uLong>(crc), data, static_cast<uInt>(size)));
}
}  // namespace xtnn::detail
