// SPDX-License-Identifier: MIT
// numpy's .npy format, versions 1.0, 2.0 and 3.0: read into an ndarray, write from one.
// The header is a Python dict literal ({'descr': '<f4', 'fortran_order': False, 'shape':
// (2, 3), }); it is parsed strictly, and checked against the bytes present before anything
// is allocated from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <xtnn/detail/bytes.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/error.hpp>
#include <xtnn/io/ndarray.hpp>

namespace xtnn::io
{
namespace detail
{
/// The three fields of a .npy header.
struct npy_header
{
    descr_info type{dtype::f4, false};
    bool fortran_order = false;
    std::vector<std::size_t> shape;
};

/// Parses the header dict. `context` starts every message (`where: "file"`).
class npy_header_parser
{
public:
    npy_header_parser(std::string_view text, const std::string& context)
      : m_text(text)
      , m_context(context)
    {
    }

    npy_header parse()
    {
        npy_header header;
        static const char* const keys[3] = {"descr", "fortran_order", "shape"};
        bool seen[3] = {false, false, false};
        expect('{');
        while (!peek('}'))
        {
            const std::string key = parse_string();
            int field = 0;
            while (field < 3 && key != keys[field])
            {
                ++field;
            }
            if (field == 3 || seen[field])
            {
                fail(field == 3 ? "unexpected key '" + xtnn::detail::escape_bytes(key) + "'"
                                : "key '" + key + "' appears twice");
            }
            seen[field] = true;
            expect(':');
            if (field == 0)
            {
                const std::string text = parse_string();
                const auto type = parse_descr(text);
                if (!type)
                {
                    throw format_error(m_context + ": unsupported dtype '" +
                                       xtnn::detail::escape_bytes(text) +
                                       "'; expected one of f4, f8, i1, i2, i4, i8, u1, u2, u4, "
                                       "u8, b1 (little- or big-endian)");
                }
                header.type = *type;
            }
            else if (field == 1)
            {
                header.fortran_order = parse_bool();
            }
            else
            {
                header.shape = parse_shape();
            }
            if (!peek('}'))
            {
                expect(',');
            }
        }
        expect('}');
        skip_space();
        if (m_pos != m_text.size())
        {
            fail("unexpected text after the closing '}'");
        }
        for (int field = 0; field < 3; ++field)
        {
            if (!seen[field])
            {
                fail(std::string("missing key '") + keys[field] + "'");
            }
        }
        return header;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw format_error(m_context + ": bad header: " + what + " at header byte " +
                           std::to_string(m_pos) + " of \"" +
                           xtnn::detail::escape_bytes(m_text, 120) + "\"");
    }

    void skip_space()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
        {
            ++m_pos;
        }
    }

    bool peek(char c)
    {
        skip_space();
        return m_pos < m_text.size() && m_text[m_pos] == c;
    }

    void expect(char c)
    {
        if (!peek(c))
        {
            // appended piece by piece: GCC 12's false -Wrestrict in C++20 (see tensor.hpp)
            std::string got = "the end";
            if (m_pos < m_text.size())
            {
                got = "'";
                got += xtnn::detail::escape_bytes(m_text.substr(m_pos, 1));
                got += "'";
            }
            fail(std::string("expected '") + c + "', got " + got);
        }
        ++m_pos;
    }

    // A quoted string without escapes: all that numpy writes for keys and descrs.
    std::string parse_string()
    {
        skip_space();
        const char quote = m_pos < m_text.size() ? m_text[m_pos] : '\0';
        if (quote != '\'' && quote != '"')
        {
            fail("expected a quoted string");
        }
        const std::size_t end = m_text.find(quote, m_pos + 1);
        const std::size_t slash = m_text.find('\\', m_pos + 1);
        if (end == std::string_view::npos || slash < end)
        {
            fail("unterminated or escaped string");
        }
        std::string value(m_text.substr(m_pos + 1, end - m_pos - 1));
        m_pos = end + 1;
        return value;
    }

    bool parse_bool()
    {
        skip_space();
        for (const bool value : {true, false})
        {
            const std::string_view word = value ? "True" : "False";
            if (m_text.substr(m_pos, word.size()) == word)
            {
                m_pos += word.size();
                return value;
            }
        }
        fail("expected True or False");
    }

    // "()", "(3,)", "(2, 3)" and "(2, 3,)"; a 1-tuple needs its comma, as in Python.
    std::vector<std::size_t> parse_shape()
    {
        std::vector<std::size_t> shape;
        expect('(');
        bool comma = false;
        while (!peek(')'))
        {
            shape.push_back(parse_extent());
            comma = peek(',');
            if (comma)
            {
                ++m_pos;
            }
            else if (!peek(')'))
            {
                fail("expected ',' or ')' in the shape");
            }
        }
        if (shape.size() == 1 && !comma)
        {
            fail("a 1-d shape needs a trailing comma, as in (3,)");
        }
        ++m_pos;
        return shape;
    }

    std::size_t parse_extent()
    {
        skip_space();
        const std::size_t start = m_pos;
        std::size_t value = 0;
        while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
        {
            const auto digit = static_cast<std::size_t>(m_text[m_pos] - '0');
            if (value > (static_cast<std::size_t>(-1) - digit) / 10)
            {
                fail("shape extent overflows");
            }
            value = value * 10 + digit;
            ++m_pos;
        }
        if (m_pos == start)
        {
            fail("expected a non-negative integer in the shape");
        }
        if (m_pos < m_text.size() && m_text[m_pos] == 'L')
        {
            ++m_pos;  // Python 2's long suffix, as old numpy wrote it
        }
        return value;
    }

    std::string_view m_text;
    const std::string& m_context;
    std::size_t m_pos = 0;
};

/// Parses a whole .npy image; `context` starts every message.
inline ndarray parse_npy_bytes(const std::uint8_t* data, std::size_t size,
                               const std::string& context)
{
    static const std::uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (size < 6 || std::memcmp(data, magic, 6) != 0)
    {
        throw format_error(context + ": bad magic \"" +
                           xtnn::detail::escape_bytes(data, size < 6 ? size : 6) +
                           "\"; expected \"\\x93NUMPY\"");
    }
    xtnn::detail::byte_reader in(data, size, context);
    in.take(6, "magic");
    const unsigned major = in.u8("version");
    const unsigned minor = in.u8("version");
    if (major < 1 || major > 3 || minor != 0)
    {
        throw format_error(context + ": unsupported version " + std::to_string(major) + "." +
                           std::to_string(minor) + "; expected 1.0, 2.0 or 3.0");
    }
    const std::size_t header_size =
        major == 1 ? in.le<std::uint16_t>("header length") : in.le<std::uint32_t>("header length");
    const auto* header_bytes = in.take(header_size, "the header");
    // Version 3 headers are UTF-8, older ones latin-1; the accepted dict is plain ASCII.
    const npy_header header =
        npy_header_parser(
            std::string_view(reinterpret_cast<const char*>(header_bytes), header_size), context)
            .parse();

    std::size_t expected = 0;
    const std::size_t item = item_size(header.type.type);
    if (!xtnn::detail::byte_count(header.shape, item, expected))
    {
        throw format_error(context + ": shape " + shape_string(header.shape) +
                           " is too large: its byte count overflows");
    }
    if (expected != in.remaining())
    {
        throw format_error(context + ": data size mismatch: header says " +
                           std::to_string(expected) + " bytes (shape " +
                           shape_string(header.shape) + " of " + descr(header.type.type) +
                           "), file has " + std::to_string(in.remaining()));
    }
    return make_ndarray(header.type.type, header.type.big_endian, header.shape,
                        header.fortran_order, data + in.offset(), expected);
}
}  // namespace detail

/// Parses a .npy file held in memory; `name` is the file name used in messages.
/// @returns the array in C order, little-endian, whatever order the file stores.
/// @throws format_error for a bad magic, an unsupported version or dtype, a malformed header,
/// or data whose size does not match the header's shape.
inline ndarray parse_npy(const std::uint8_t* data, std::size_t size,
                         const std::string& name = "<memory>")
{
    const std::string context = "xtnn::io::parse_npy: " + xtnn::detail::quoted(name);
    return detail::parse_npy_bytes(data, size, context);
}

/// Reads a .npy file (format version 1.0, 2.0 or 3.0).
/// @throws io_error when the file cannot be read; format_error as parse_npy.
inline ndarray read_npy(const std::string& path)
{
    const char* where = "xtnn::io::read_npy";
    const auto bytes = xtnn::detail::read_file(path, where);
    const std::string context = std::string(where) + ": " + xtnn::detail::quoted(path);
    return detail::parse_npy_bytes(bytes.data(), bytes.size(), context);
}

/// The bytes numpy's np.save writes for `array`: version 1.0 when the header fits (2.0
/// otherwise), C order, the header padded with spaces so that the data starts at a multiple
/// of 64.
/// @throws error when `array.data` does not match its shape and dtype.
inline std::vector<std::uint8_t> format_npy(const ndarray& array)
{
    std::size_t bytes = 0;
    if (!xtnn::detail::byte_count(array.shape, item_size(array.type), bytes) ||
        bytes != array.data.size())
    {
        throw error("xtnn::io::format_npy: data holds " + std::to_string(array.data.size()) +
                    " bytes; expected shape " + shape_string(array.shape) + " of " +
                    descr(array.type));
    }
    std::string header = "{'descr': '" + descr(array.type) +
                         "', 'fortran_order': False, 'shape': " + shape_string(array.shape) + ", }";
    if (!array.shape.empty())
    {
        // numpy (1.23+) leaves room to rewrite the first extent in place when appending.
        const std::size_t digits = std::to_string(array.shape.front()).size();
        header.append(digits < 21 ? 21 - digits : 0, ' ');
    }
    // Magic (6) + version (2) + length field + header + '\n', padded with 1..64 spaces to a
    // multiple of 64 as numpy pads; version 2.0 only when the length overflows 16 bits.
    std::size_t length_size = 2;
    std::size_t pad = 64 - (8 + length_size + header.size() + 1) % 64;
    if (header.size() + pad + 1 > 0xffff)
    {
        length_size = 4;
        pad = 64 - (8 + length_size + header.size() + 1) % 64;
    }
    header.append(pad, ' ');
    header += '\n';

    std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    out.reserve(8 + length_size + header.size() + bytes);
    out.push_back(length_size == 2 ? 1 : 2);
    out.push_back(0);
    if (length_size == 2)
    {
        xtnn::detail::store_le(out, static_cast<std::uint16_t>(header.size()));
    }
    else
    {
        xtnn::detail::store_le(out, static_cast<std::uint32_t>(header.size()));
    }
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), array.data.begin(), array.data.end());
    return out;
}

/// Writes `array` to `path` as a .npy file, atomically (see format_npy).
/// @throws error as format_npy; io_error when the file cannot be written.
inline void save_npy(const ndarray& array, const std::string& path)
{
    xtnn::detail::write_file_atomically(path, format_npy(array), "xtnn::io::save_npy");
}

/// Writes an xtensor container or expression to a .npy file: save_npy(W1, "W1.npy").
template <class E>
void save_npy(const xt::xexpression<E>& expression, const std::string& path)
{
    save_npy(to_ndarray(expression), path);
}
}  // namespace xtnn::io
