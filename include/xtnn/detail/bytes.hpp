// SPDX-License-Identifier: MIT
// Byte-level helpers for the binary readers and writers: little-endian loads and stores,
// byte swapping, overflow-checked byte counts, and a cursor whose every read is
// bounds-checked, so a truncated or lying file throws instead of reading past its end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/error.hpp>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xtnn's binary formats assume a little-endian host"
#endif

namespace xtnn::detail
{
/// Reads an integer stored little-endian at `p` (the caller has checked the bounds).
template <class T>
T load_le(const std::uint8_t* p)
{
    static_assert(std::is_integral_v<T>, "load_le reads integers");
    using U = std::make_unsigned_t<T>;
    U value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
    {
        value = static_cast<U>(value | (static_cast<U>(p[i]) << (8 * i)));
    }
    return static_cast<T>(value);
}

/// Appends an integer to `out` in little-endian byte order.
template <class T>
void store_le(std::vector<std::uint8_t>& out, T value)
{
    static_assert(std::is_integral_v<T>, "store_le writes integers");
    using U = std::make_unsigned_t<T>;
    const U bits = static_cast<U>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i)
    {
        out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
    }
}

/// Overwrites sizeof(T) bytes at `out[at]` with `value`, little-endian.
template <class T>
void patch_le(std::vector<std::uint8_t>& out, std::size_t at, T value)
{
    using U = std::make_unsigned_t<T>;
    const U bits = static_cast<U>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i)
    {
        out[at + i] = static_cast<std::uint8_t>(bits >> (8 * i));
    }
}

/// Reverses the bytes of each of the `count` items of `item_size` bytes in `data`: converts
/// big-endian items (IDX data, numpy's ">f4") to the host's little-endian order and back.
inline void byte_swap_items(std::uint8_t* data, std::size_t count, std::size_t item_size)
{
    if (item_size < 2)
    {
        return;  // nothing to swap (and item_size - 1 below must not wrap)
    }
    for (std::size_t i = 0; i < count; ++i)
    {
        std::uint8_t* item = data + i * item_size;
        for (std::size_t lo = 0, hi = item_size - 1; lo < hi; ++lo, --hi)
        {
            std::swap(item[lo], item[hi]);
        }
    }
}

/// `a * b`, or false when it overflows std::size_t.
inline bool checked_multiply(std::size_t a, std::size_t b, std::size_t& product)
{
    if (a != 0 && b > static_cast<std::size_t>(-1) / a)
    {
        return false;
    }
    product = a * b;
    return true;
}

/// The most bytes (and elements) an array may claim: PTRDIFF_MAX, as in numpy.
inline constexpr std::size_t max_array_bytes =
    static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());

/// `item` times the product of `shape` (the bytes an array of that shape holds) into `bytes`;
/// false when `item` times the product of the nonzero extents exceeds max_array_bytes.
/// numpy's rule: an empty array (a zero extent, 0 bytes) may not claim more either, so every
/// stride xtensor computes for the shape stays in range, whatever the order of the extents.
inline bool byte_count(const std::vector<std::size_t>& shape, std::size_t item, std::size_t& bytes)
{
    std::size_t count = item;
    bool empty = false;
    for (const std::size_t extent : shape)
    {
        empty = empty || extent == 0;
        if (extent != 0 && (!checked_multiply(count, extent, count) || count > max_array_bytes))
        {
            return false;
        }
    }
    if (count > max_array_bytes)
    {
        return false;
    }
    bytes = empty ? 0 : count;
    return true;
}

/// Bytes as readable text for messages: printable ASCII kept, the rest as \xNN, cut after
/// `limit` bytes with "...".
inline std::string escape_bytes(const std::uint8_t* data, std::size_t size, std::size_t limit = 64)
{
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size && i < limit; ++i)
    {
        const std::uint8_t c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
        {
            out += static_cast<char>(c);
        }
        else
        {
            out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
        }
    }
    return size > limit ? out + "..." : out;
}

inline std::string escape_bytes(std::string_view text, std::size_t limit = 64)
{
    return escape_bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), limit);
}

/// A forward cursor over a byte buffer it does not own. Reads past the end throw
/// format_error with `context` (e.g. `xtnn::io::read_npy: "x.npy"`), the offset and what was
/// being read.
class byte_reader
{
public:
    byte_reader(const std::uint8_t* data, std::size_t size, std::string context)
      : m_data(data)
      , m_size(size)
      , m_context(std::move(context))
    {
    }

    std::size_t offset() const { return m_offset; }
    std::size_t size() const { return m_size; }
    std::size_t remaining() const { return m_size - m_offset; }
    bool at_end() const { return m_offset == m_size; }
    const std::uint8_t* data() const { return m_data; }
    const std::string& context() const { return m_context; }

    /// Moves to `offset`. @throws format_error when it lies beyond the end.
    void seek(std::size_t offset, const char* what)
    {
        if (offset > m_size)
        {
            throw format_error(m_context + ": " + what + " at offset " + std::to_string(offset) +
                               " lies beyond the end of the data (" + std::to_string(m_size) +
                               " bytes)");
        }
        m_offset = offset;
    }

    /// Returns a pointer to the next `n` bytes and steps over them.
    /// @throws format_error when fewer than `n` bytes remain.
    const std::uint8_t* take(std::size_t n, const char* what)
    {
        if (n > remaining())
        {
            throw format_error(m_context + ": truncated at offset " + std::to_string(m_offset) +
                               ": " + what + " needs " + std::to_string(n) + " bytes, " +
                               std::to_string(remaining()) + " remain");
        }
        const std::uint8_t* p = m_data + m_offset;
        m_offset += n;
        return p;
    }

    /// Reads a little-endian integer. @throws format_error when truncated.
    template <class T>
    T le(const char* what)
    {
        return load_le<T>(take(sizeof(T), what));
    }

    std::uint8_t u8(const char* what) { return *take(1, what); }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::string m_context;
    std::size_t m_offset = 0;
};
}  // namespace xtnn::detail
