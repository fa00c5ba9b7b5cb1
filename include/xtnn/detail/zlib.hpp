// SPDX-License-Identifier: MIT
// RAII wrappers over zlib: inflate (gzip, zlib or raw deflate streams) and deflate, whole
// buffers at a time, with errors that say what was being read. Used by the IDX reader (.gz),
// the npz reader/writer (zip members) and the PNG writer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>
#include <zlib.h>

#include <xtnn/error.hpp>
#include <xtnn/io/limits.hpp>

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

/// zlib counts bytes in uInt (32 bits): buffers are handed to it in pieces of at most this.
inline constexpr std::size_t zlib_max_piece = std::numeric_limits<uInt>::max();

/// Inflates a stream held in memory a piece at a time, so that a reader can look at the
/// first bytes (a header saying how much follows) before deciding how much more to accept.
/// Concatenated gzip members are read one after another, as gunzip does; anything else
/// after the end is ignored. Inputs of 4 GiB and more are fed to zlib in pieces.
class inflater
{
public:
    inflater(const std::uint8_t* data, std::size_t size, zformat format, std::string what)
      : m_format(format)
      , m_what(std::move(what))
      , m_next(data)
      , m_left(size)
      , m_size(size)
    {
        if (inflateInit2(&m_stream, zlib_window_bits(format)) != Z_OK)
        {
            throw error(m_what + ": zlib inflateInit2 failed");
        }
    }
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;
    ~inflater() { inflateEnd(&m_stream); }

    /// Inflates into the end of `out` until it holds `target` bytes or the stream ends.
    /// @returns false once the stream has ended (then `out` holds all of it).
    /// @throws format_error for corrupt or truncated data.
    bool fill(std::vector<std::uint8_t>& out, std::size_t target)
    {
        while (!m_ended && out.size() < target)
        {
            feed();
            // Grow geometrically towards the target, so a large stream is not copied often
            // and a lying header cannot make us allocate what the stream does not hold.
            const std::size_t old = out.size();
            const std::size_t step = std::min({target - old, std::max(old, std::size_t(1) << 16),
                                               zlib_max_piece});
            out.resize(old + step);
            m_stream.next_out = out.data() + old;
            m_stream.avail_out = static_cast<uInt>(step);
            const int status = ::inflate(&m_stream, Z_NO_FLUSH);
            out.resize(old + step - m_stream.avail_out);
            if (status == Z_STREAM_END)
            {
                feed();
                if (m_format == zformat::gzip && m_stream.avail_in >= 2 &&
                    is_gzip(m_stream.next_in, m_stream.avail_in))
                {
                    if (inflateReset(&m_stream) != Z_OK)
                    {
                        throw format_error(m_what + ": corrupt gzip data");
                    }
                    continue;
                }
                m_ended = true;
            }
            else if (status == Z_BUF_ERROR && m_stream.avail_in == 0 && m_left == 0)
            {
                throw format_error(m_what + ": compressed data is truncated (stream ends after " +
                                   std::to_string(m_size) + " bytes without an end marker)");
            }
            else if (status != Z_OK && status != Z_BUF_ERROR)
            {
                throw format_error(m_what + ": corrupt compressed data at input offset " +
                                   std::to_string(consumed()) + ": " +
                                   (m_stream.msg ? m_stream.msg
                                                 : "zlib error " + std::to_string(status)));
            }
        }
        return !m_ended;
    }

    /// The input bytes zlib has read so far.
    std::size_t consumed() const { return m_size - m_left - m_stream.avail_in; }

private:
    /// Hands zlib the next piece of input once it has used up the last.
    void feed()
    {
        if (m_stream.avail_in == 0 && m_left > 0)
        {
            const std::size_t piece = std::min(m_left, zlib_max_piece);
            m_stream.next_in = const_cast<Bytef*>(m_next);
            m_stream.avail_in = static_cast<uInt>(piece);
            m_next += piece;
            m_left -= piece;
        }
    }

    z_stream m_stream{};
    zformat m_format;
    std::string m_what;
    const std::uint8_t* m_next;  // input not yet handed to zlib
    std::size_t m_left;
    std::size_t m_size;
    bool m_ended = false;
};

/// Decompresses a whole stream. `declared` is what the container says it holds (a zip
/// member's size; a caller's own cap): more is refused, and so is anything beyond
/// io::max_inflated_bytes(), the process-wide ceiling, so a hostile file cannot exhaust
/// memory.
/// @throws format_error with `what` (e.g. the quoted file name) for corrupt or truncated
/// data, or output beyond `declared` or the ceiling.
inline std::vector<std::uint8_t> inflate_all(const std::uint8_t* data, std::size_t size,
                                             zformat format, const std::string& what,
                                             std::size_t declared = std::numeric_limits<std::size_t>::max())
{
    const std::size_t ceiling = io::max_inflated_bytes();
    const std::size_t limit = std::min(declared, ceiling);
    inflater stream(data, size, format, what);
    std::vector<std::uint8_t> out;
    // One byte past the limit tells "exactly the limit" from "more".
    stream.fill(out, limit == std::numeric_limits<std::size_t>::max() ? limit : limit + 1);
    if (out.size() > limit)
    {
        throw format_error(what + ": " +
                           (limit == declared && declared <= ceiling
                                ? "decompressed data exceeds " + std::to_string(declared) + " bytes"
                                : io::detail::inflated_ceiling_message(ceiling)));
    }
    return out;
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

    std::vector<std::uint8_t> out;
    std::size_t left = size;
    for (int status = Z_OK; status != Z_STREAM_END;)
    {
        if (stream.avail_in == 0 && left > 0)
        {
            const std::size_t piece = std::min(left, zlib_max_piece);
            stream.next_in = const_cast<Bytef*>(data + (size - left));
            stream.avail_in = static_cast<uInt>(piece);
            left -= piece;
        }
        const std::size_t old = out.size();
        const std::size_t step = std::min(std::max(old, std::size_t(1) << 16), zlib_max_piece);
        out.resize(old + step);
        stream.next_out = out.data() + old;
        stream.avail_out = static_cast<uInt>(step);
        status = deflate(&stream, left == 0 ? Z_FINISH : Z_NO_FLUSH);
        out.resize(old + step - stream.avail_out);
        if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR)
        {
            throw error("xtnn: zlib deflate failed");
        }
    }
    return out;
}

/// CRC-32 as zip and PNG use it, continuing from `crc` (0 to start).
inline std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0)
{
    uLong value = crc;
    for (std::size_t done = 0; done < size;)
    {
        const std::size_t piece = std::min(size - done, zlib_max_piece);
        value = ::crc32(value, data + done, static_cast<uInt>(piece));
        done += piece;
    }
    return static_cast<std::uint32_t>(value);
}
}  // namespace xtnn::detail
