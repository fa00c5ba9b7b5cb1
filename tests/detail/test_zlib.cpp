// SPDX-License-Identifier: MIT
// Tests for xtnn/detail/zlib.hpp and xtnn/io/limits.hpp: inflating piece by piece, the
// declared size and the process-wide ceiling, concatenated gzip members, and CRC-32 against
// the standard check value.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/zlib.hpp>
#include <xtnn/io/limits.hpp>

#include "scoped_ceiling.hpp"

namespace
{
using bytes = std::vector<std::uint8_t>;
using Catch::Matchers::Contains;
using xtnn::detail::zformat;

bytes text_bytes(const std::string& text)
{
    return bytes(text.begin(), text.end());
}

bytes gzip_of(const bytes& raw)
{
    return xtnn::detail::deflate_all(raw.data(), raw.size(), zformat::gzip);
}
}  // namespace

TEST_CASE("zlib: CRC-32 of \"123456789\" is the standard check value 0xCBF43926")
{
    const bytes digits = text_bytes("123456789");
    REQUIRE(xtnn::detail::crc32_of(digits.data(), digits.size()) == 0xCBF43926u);
    // Continued over two pieces, the same.
    const std::uint32_t first = xtnn::detail::crc32_of(digits.data(), 4);
    REQUIRE(xtnn::detail::crc32_of(digits.data() + 4, 5, first) == 0xCBF43926u);
}

TEST_CASE("zlib: an inflater hands out a stream piece by piece, as far as asked")
{
    bytes raw(300000);
    for (std::size_t i = 0; i < raw.size(); ++i)
    {
        raw[i] = static_cast<std::uint8_t>(i * 7 % 251);
    }
    const bytes gz = gzip_of(raw);
    xtnn::detail::inflater stream(gz.data(), gz.size(), zformat::gzip, "test");
    bytes out;
    REQUIRE(stream.fill(out, 10));
    REQUIRE(out == bytes(raw.begin(), raw.begin() + 10));
    REQUIRE(stream.fill(out, 200000));
    REQUIRE(out.size() == 200000);
    REQUIRE_FALSE(stream.fill(out, 1000000));  // the stream ends at 300000
    REQUIRE(out == raw);
}

TEST_CASE("zlib: concatenated gzip members inflate one after another, as gunzip reads them")
{
    bytes two = gzip_of(text_bytes("hello, "));
    const bytes second = gzip_of(text_bytes("world"));
    two.insert(two.end(), second.begin(), second.end());
    REQUIRE(xtnn::detail::inflate_all(two.data(), two.size(), zformat::gzip, "two") ==
            text_bytes("hello, world"));
}

TEST_CASE("zlib: inflating past the declared size or the ceiling is refused, exactly at it is not")
{
    const bytes raw(5000, 'x');
    const bytes gz = gzip_of(raw);
    REQUIRE(xtnn::detail::inflate_all(gz.data(), gz.size(), zformat::gzip, "f", 5000) == raw);
    REQUIRE_THROWS_WITH(xtnn::detail::inflate_all(gz.data(), gz.size(), zformat::gzip, "\"f\"", 4999),
                        Contains("\"f\": decompressed data exceeds 4999 bytes"));
    REQUIRE(xtnn::io::max_inflated_bytes() == xtnn::io::default_max_inflated_bytes);
    REQUIRE(xtnn::io::default_max_inflated_bytes == (std::size_t(1) << 31));
    {
        xtnn_test::scoped_ceiling ceiling(4000);
        REQUIRE_THROWS_AS(xtnn::detail::inflate_all(gz.data(), gz.size(), zformat::gzip, "g"),
                          xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::detail::inflate_all(gz.data(), gz.size(), zformat::gzip, "g"),
                            Contains("g: decompressed data exceeds 4000 bytes, the ceiling on "
                                     "inflated data (xtnn::io::set_max_inflated_bytes raises it)"));
        // The ceiling wins over a larger declared size, and names itself.
        REQUIRE_THROWS_WITH(xtnn::detail::inflate_all(gz.data(), gz.size(), zformat::gzip, "g", 4500),
                            Contains("the ceiling on inflated data"));
    }
    REQUIRE(xtnn::io::max_inflated_bytes() == xtnn::io::default_max_inflated_bytes);
}

TEST_CASE("zlib: deflate_all output inflates back, for empty, small and multi-piece inputs")
{
    for (const std::size_t size : {std::size_t(0), std::size_t(1), std::size_t(70000), std::size_t(1) << 20})
    {
        bytes raw(size);
        for (std::size_t i = 0; i < size; ++i)
        {
            raw[i] = static_cast<std::uint8_t>((i * i) >> 3);
        }
        for (const auto format : {zformat::gzip, zformat::zlib, zformat::raw})
        {
            const bytes packed = xtnn::detail::deflate_all(raw.data(), raw.size(), format);
            REQUIRE(xtnn::detail::inflate_all(packed.data(), packed.size(), format, "round trip") == raw);
        }
    }
}
