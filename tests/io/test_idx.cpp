// SPDX-License-Identifier: MIT
// Tests for xtnn/io/idx.hpp: every type code and several ranks, raw and gzip, written here
// byte by byte with expected values worked out by hand, read into ndarrays of the matching
// dtype; each kind of malformed file; and write_idx round trips.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/io/idx.hpp>
#include <xtnn/io/limits.hpp>

#include "scoped_ceiling.hpp"
#include "temp_files.hpp"

namespace
{
namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;
using Catch::Matchers::Contains;
using xtnn::io::dtype;

using xtnn_test::temp_dir;
using xtnn_test::write_raw;
using xtnn_test::write_gz;

/// The same bytes written raw and gzipped; the reader must not care which.
std::vector<std::string> write_both(const temp_dir& dir, const std::string& name,
                                    const bytes& content)
{
    write_raw(dir.file(name), content);
    write_gz(dir.file(name + ".gz"), content);
    return {dir.file(name), dir.file(name + ".gz")};
}

bytes concat(bytes a, const bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// 2 x 3 u8 matrix 1..6: magic 00 00 08 02, dims 2 and 3.
const bytes u8_2x3 = {0x00, 0x00, 0x08, 0x02, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6};

// 100 x 100 u8, all 7: magic 00 00 08 02, dims 100 (0x64) and 100.
bytes xtnn_test_idx_100x100()
{
    bytes raw = {0x00, 0x00, 0x08, 0x02, 0, 0, 0, 0x64, 0, 0, 0, 0x64};
    raw.resize(12 + 10000, 7);
    return raw;
}
}  // namespace

TEST_CASE("idx: reads a big-endian i16 rank-1 array", "[idx]")
{
    temp_dir dir;
    // 01 02 = 0x0102 = 258; FF FE = -2; 80 00 = -32768; 00 07 = 7.
    const bytes file = {0x00, 0x00, 0x0B, 0x01, 0,    0,    0,    4,
                        0x01, 0x02, 0xFF, 0xFE, 0x80, 0x00, 0x00, 0x07};
    for (const auto& path : write_both(dir, "i16", file))
    {
        const auto array = xtnn::io::read_idx(path);
        REQUIRE(array.type == dtype::i2);
        REQUIRE(array.shape == std::vector<std::size_t>{4});
        REQUIRE(array.size() == 4);
        const auto values = array.as<int>();
        REQUIRE(values.shape()[0] == 4);
        CHECK(values(0) == 258);
        CHECK(values(1) == -2);
        CHECK(values(2) == -32768);
        CHECK(values(3) == 7);
    }
}

TEST_CASE("idx: reads a big-endian i32 rank-2 array", "[idx]")
{
    temp_dir dir;
    const bytes file = {0x00, 0x00, 0x0C, 0x02, 0,    0,    0,    2,
                        0,    0,    0,    2,    0x00, 0x00, 0x00, 0x01,  // 1
                        0xFF, 0xFF, 0xFF, 0xFF,                          // -1
                        0x01, 0x00, 0x00, 0x00,                          // 2^24 = 16777216
                        0x7F, 0xFF, 0xFF, 0xFF};                         // 2^31 - 1
    for (const auto& path : write_both(dir, "i32", file))
    {
        const auto values = xtnn::io::read_idx_as<double>(path);
        REQUIRE(values.dimension() == 2);
        REQUIRE(values.shape()[0] == 2);
        REQUIRE(values.shape()[1] == 2);
        CHECK(values(0, 0) == 1.0);
        CHECK(values(0, 1) == -1.0);
        CHECK(values(1, 0) == 16777216.0);
        CHECK(values(1, 1) == 2147483647.0);
    }
}

TEST_CASE("idx: reads u8 and i8 arrays of rank 4", "[idx]")
{
    temp_dir dir;
    const bytes dims = {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1};  // (2, 1, 2, 1)
    const bytes data = {0x00, 0x7F, 0x80, 0xFF};
    const auto u8 =
        xtnn::io::read_idx(write_both(dir, "u8", concat(concat({0, 0, 0x08, 4}, dims), data))[1]);
    const auto i8 =
        xtnn::io::read_idx(write_both(dir, "i8", concat(concat({0, 0, 0x09, 4}, dims), data))[0]);
    REQUIRE(u8.type == dtype::u1);
    REQUIRE(i8.type == dtype::i1);
    REQUIRE(u8.shape == std::vector<std::size_t>{2, 1, 2, 1});
    REQUIRE(i8.shape == std::vector<std::size_t>{2, 1, 2, 1});
    const auto u = u8.as<int>();
    const auto s = i8.as<int>();
    CHECK(u(0, 0, 0, 0) == 0);
    CHECK(u(0, 0, 1, 0) == 127);
    CHECK(u(1, 0, 0, 0) == 128);
    CHECK(u(1, 0, 1, 0) == 255);
    CHECK(s(0, 0, 0, 0) == 0);
    CHECK(s(0, 0, 1, 0) == 127);
    CHECK(s(1, 0, 0, 0) == -128);
    CHECK(s(1, 0, 1, 0) == -1);
}

TEMPLATE_TEST_CASE("idx: reads f32 and f64 arrays into float and double", "[idx]", float, double)
{
    temp_dir dir;
    // f32 (1, 2, 1): 3F C0 00 00 = 1.5, C0 20 00 00 = -2.5.
    const bytes f32 = {0x00, 0x00, 0x0D, 0x03, 0,    0,    0,    1,    0,    0,    0,    2,
                       0,    0,    0,    1,    0x3F, 0xC0, 0x00, 0x00, 0xC0, 0x20, 0x00, 0x00};
    // f64 (2,): 3F F8 00.. = 1.5, 40 09 21 FB 54 44 2D 18 = pi.
    const bytes f64 = {0x00, 0x00, 0x0E, 0x01, 0,    0,    0,    2,    0x3F, 0xF8, 0,    0,
                       0,    0,    0,    0,    0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18};
    for (const auto& path : write_both(dir, "f32", f32))
    {
        const auto values = xtnn::io::read_idx_as<TestType>(path);
        REQUIRE(values.dimension() == 3);
        CHECK(values(0, 0, 0) == TestType(1.5));
        CHECK(values(0, 1, 0) == TestType(-2.5));
    }
    for (const auto& path : write_both(dir, "f64", f64))
    {
        const auto values = xtnn::io::read_idx_as<TestType>(path);
        REQUIRE(values.dimension() == 1);
        CHECK(values(0) == TestType(1.5));
        CHECK(values(1) == static_cast<TestType>(3.141592653589793));
    }
}

TEST_CASE("idx: reads rank 0, rank 255 and empty arrays", "[idx]")
{
    temp_dir dir;
    SECTION("rank 0 is one element")
    {
        const auto array = xtnn::io::read_idx(write_both(dir, "r0", {0, 0, 0x08, 0, 42})[1]);
        REQUIRE(array.shape.empty());
        REQUIRE(array.size() == 1);
        CHECK(array.as<int>()() == 42);
    }
    SECTION("rank 255 with every extent 1")
    {
        bytes file = {0, 0, 0x08, 0xFF};
        for (int i = 0; i < 255; ++i)
        {
            file.insert(file.end(), {0, 0, 0, 1});
        }
        file.push_back(7);
        const auto array = xtnn::io::read_idx(write_both(dir, "r255", file)[0]);
        REQUIRE(array.shape == std::vector<std::size_t>(255, 1));
        REQUIRE(array.data == bytes{7});
    }
    SECTION("a zero extent holds nothing, however large the others")
    {
        const auto array = xtnn::io::read_idx(
            write_both(dir, "empty", {0, 0, 0x0E, 2, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF})[1]);
        REQUIRE(array.shape == std::vector<std::size_t>{0, 4294967295u});
        REQUIRE(array.size() == 0);
        CHECK(array.as<double>().size() == 0);
    }
}

TEST_CASE("idx: parse_idx reads memory and stores elements little-endian", "[idx]")
{
    const bytes file = {0, 0, 0x0B, 1, 0, 0, 0, 1, 0x01, 0x02};
    const auto array = xtnn::io::parse_idx(file.data(), file.size(), "mem.idx");
    REQUIRE(array.data == bytes{0x02, 0x01});
    std::int16_t value = 0;
    std::memcpy(&value, array.data.data(), 2);
    CHECK(value == 258);
    REQUIRE_THROWS_WITH(xtnn::io::parse_idx(file.data(), 9, "mem.idx"),
                        Contains("xtnn::io::parse_idx: \"mem.idx\": data is truncated"));
}

TEST_CASE("idx: rejects a file shorter than the magic", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("short.idx");
    write_raw(path, {0, 0, 8});
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                        Contains("xtnn::io::read_idx: \"" + path + "\"") &&
                            Contains("expected at least 4 bytes, got 3"));
}

TEST_CASE("idx: rejects a magic whose first two bytes are not zero", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("magic.idx");
    write_raw(path, {0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 5});
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                        Contains("\"" + path + "\": bad magic 0x01000801; expected 0x0000TTNN"));
}

TEST_CASE("idx: rejects an unknown type code", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("type.idx");
    write_raw(path, {0x00, 0x00, 0x0A, 0x01, 0, 0, 0, 1, 5});
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                        Contains("unknown type code 0x0A in magic 0x00000A01") &&
                            Contains("expected 0x08 (u8)"));
}

TEST_CASE("idx: rejects a header cut short of its dimensions", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("header.idx");
    write_raw(path, {0x00, 0x00, 0x08, 0x03, 0, 0, 0, 2, 0, 0});  // 3 dims need 16 bytes
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(
        xtnn::io::read_idx(path),
        Contains("truncated header; expected 16 bytes (magic + 3 dimensions), got 10"));
}

TEST_CASE("idx: rejects truncated data and says how many bytes the header needs", "[idx][errors]")
{
    temp_dir dir;
    // (2, 3) of i16 needs 12 data bytes; give 5.
    const bytes file = {0x00, 0x00, 0x0B, 0x02, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5};
    for (const auto& path : write_both(dir, "trunc.idx", file))
    {
        REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                            Contains("\"" + path +
                                     "\": data is truncated; expected 12 bytes for "
                                     "shape (2, 3) of i16 after the 12-byte header, got 5"));
    }
}

TEST_CASE("idx: rejects trailing bytes after the data", "[idx][errors]")
{
    temp_dir dir;
    for (const auto& path : write_both(dir, "trail.idx", concat(u8_2x3, {9, 9, 9})))
    {
        REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                            Contains("3 trailing bytes after the data; expected 6 bytes for "
                                     "shape (2, 3) of u8 after the 12-byte header, got 9"));
    }
}

TEST_CASE("idx: rejects a header claiming more than PTRDIFF_MAX bytes", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("huge.idx");
    // Four extents of 2^32 - 1 of f64: ~2^131 bytes. Must throw, neither allocate nor wrap.
    bytes file = {0x00, 0x00, 0x0E, 0x04};
    for (int i = 0; i < 4; ++i)
    {
        file.insert(file.end(), {0xFF, 0xFF, 0xFF, 0xFF});
    }
    file.insert(file.end(), 8, 0);
    write_raw(path, file);
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(path),
                        Contains("data is truncated") &&
                            Contains("needs more than 9223372036854775807 bytes") &&
                            Contains("got 8 after the 20-byte header"));

    // 65536^4 = 2^64 would wrap to 0 in 64-bit arithmetic and match an empty data section.
    const auto wrap = dir.file("wrap.idx");
    write_raw(wrap, {0, 0, 0x08, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0});
    REQUIRE_THROWS_AS(xtnn::io::read_idx(wrap), xtnn::format_error);
}

TEST_CASE("idx: rejects corrupt and truncated gzip data", "[idx][errors]")
{
    temp_dir dir;
    bytes gz = xtnn::detail::deflate_all(u8_2x3.data(), u8_2x3.size(), xtnn::detail::zformat::gzip);
    const auto truncated = dir.file("cut.idx.gz");
    write_raw(truncated, bytes(gz.begin(), gz.begin() + 12));
    REQUIRE_THROWS_AS(xtnn::io::read_idx(truncated), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(truncated),
                        Contains("xtnn::io::read_idx: \"" + truncated + "\"") &&
                            Contains("truncated"));

    const auto corrupt = dir.file("bad.idx.gz");
    gz[10] = 0xFF;  // first byte of the deflate stream: an invalid block type
    write_raw(corrupt, gz);
    REQUIRE_THROWS_AS(xtnn::io::read_idx(corrupt), xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(corrupt),
                        Contains("\"" + corrupt + "\"") && Contains("corrupt"));
}

TEST_CASE("idx: a missing file is an io_error naming the path", "[idx][errors]")
{
    temp_dir dir;
    const auto path = dir.file("nowhere.idx");
    REQUIRE_THROWS_AS(xtnn::io::read_idx(path), xtnn::io_error);
    REQUIRE_THROWS_WITH(xtnn::io::read_idx(path), Contains("\"" + path + "\": cannot open"));
}

TEST_CASE("idx: write_idx writes big-endian headers and data by hand-checked bytes", "[idx][write]")
{
    temp_dir dir;
    const auto path = dir.file("out.idx");
    xt::xarray<std::int16_t> values = {{258, -2}};  // (1, 2)
    xtnn::io::write_idx(values, path);
    const bytes expected = {0x00, 0x00, 0x0B, 0x02, 0, 0, 0, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE};
    CHECK(xtnn::detail::read_file(path, "test") == expected);

    xt::xarray<std::uint8_t> images = {{1, 2, 3}, {4, 5, 6}};
    xtnn::io::write_idx(images, dir.file("u8.idx.gz"));
    const auto gz = xtnn::detail::read_file(dir.file("u8.idx.gz"), "test");
    REQUIRE(xtnn::detail::is_gzip(gz.data(), gz.size()));
    CHECK(xtnn::detail::inflate_all(gz.data(), gz.size(), xtnn::detail::zformat::gzip, "t") ==
          u8_2x3);
}

TEMPLATE_TEST_CASE("idx: write_idx then read_idx round-trips every type code", "[idx][write]",
                   std::uint8_t, std::int8_t, std::int16_t, std::int32_t, float, double)
{
    temp_dir dir;
    xt::xarray<TestType> values = {{{TestType(0), TestType(1)}, {TestType(-1), TestType(100)}},
                                   {{TestType(7), TestType(12)}, {TestType(99), TestType(42)}}};
    for (const std::string name : {"a.idx", "a.idx.gz"})
    {
        xtnn::io::write_idx(values, dir.file(name));
        const auto array = xtnn::io::read_idx(dir.file(name));
        CHECK(array.type == xtnn::io::dtype_of<TestType>());
        CHECK(array.shape == std::vector<std::size_t>{2, 2, 2});
        CHECK((array.as<TestType>() == values));
    }
}

TEST_CASE("idx: write_idx rejects shapes IDX cannot store", "[idx][write][errors]")
{
    temp_dir dir;
    const auto path = dir.file("x.idx");
    const xtnn::io::ndarray wide{dtype::u1, {std::size_t(1) << 32}, {}};
    REQUIRE_THROWS_AS(xtnn::io::write_idx(wide, path), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::io::write_idx(wide, path), Contains("above 4294967295"));

    const xtnn::io::ndarray deep{dtype::u1, std::vector<std::size_t>(256, 1), {0}};
    REQUIRE_THROWS_WITH(xtnn::io::write_idx(deep, path),
                        Contains("rank 256; expected at most 255"));

    const xtnn::io::ndarray odd{dtype::f8, {3}, bytes(16)};
    REQUIRE_THROWS_WITH(xtnn::io::write_idx(odd, path),
                        Contains("16 bytes do not hold shape (3,) of f64; expected 24 bytes"));
    CHECK_FALSE(fs::exists(path));
}

TEST_CASE("idx: write_idx rejects dtypes IDX has no type code for", "[idx][write][errors]")
{
    temp_dir dir;
    const auto path = dir.file("x.idx");
    // IDX has no 64-bit integers, no unsigned types wider than a byte and no bools.
    const auto int64 = xtnn::io::to_ndarray(xt::xarray<std::int64_t>{1, 2});
    REQUIRE_THROWS_AS(xtnn::io::write_idx(int64, path), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::io::write_idx(int64, path),
                        Contains("xtnn::io::write_idx: \"" + path +
                                 "\": dtype <i8 has no IDX "
                                 "type code; expected |u1, |i1, <i2, <i4, <f4 or <f8"));
    for (const dtype type : {dtype::u2, dtype::u4, dtype::u8, dtype::b1})
    {
        const xtnn::io::ndarray array{type, {1}, bytes(xtnn::io::item_size(type))};
        REQUIRE_THROWS_AS(xtnn::io::write_idx(array, path), xtnn::shape_error);
    }
    CHECK_FALSE(fs::exists(path));
}

namespace
{
using xtnn_test::scoped_ceiling;

bytes gzip_of(const bytes& raw)
{
    return xtnn::detail::deflate_all(raw.data(), raw.size(), xtnn::detail::zformat::gzip);
}
}  // namespace

TEST_CASE("idx: parse_idx reads gzip bytes held in memory, and names <memory>", "[idx]")
{
    const auto array = xtnn::io::parse_idx(gzip_of(u8_2x3).data(), gzip_of(u8_2x3).size());
    REQUIRE(array.type == dtype::u1);
    REQUIRE(array.shape == std::vector<std::size_t>{2, 3});
    REQUIRE(array.data == bytes{1, 2, 3, 4, 5, 6});
    bytes cut = gzip_of(u8_2x3);
    cut.resize(12);
    REQUIRE_THROWS_WITH(xtnn::io::parse_idx(cut.data(), cut.size()),
                        Contains("xtnn::io::parse_idx: \"<memory>\"") && Contains("truncated"));
}

TEST_CASE("idx: a gzip file is inflated no further than its header claims", "[idx][errors]")
{
    // The header claims 2 x 3 bytes; the stream goes on for 100000 more (they deflate to a
    // few hundred bytes): refused after 64 KiB of them, not inflated to the end.
    const bytes bomb = gzip_of(concat(u8_2x3, bytes(100000, 0)));
    REQUIRE(bomb.size() < 1000);
    REQUIRE_THROWS_WITH(xtnn::io::parse_idx(bomb.data(), bomb.size(), "bomb.idx.gz"),
                        Contains("\"bomb.idx.gz\": more than 65536 trailing bytes after the data; "
                                 "expected 6 bytes for shape (2, 3) of u8 after the 12-byte header"));
}

TEST_CASE("idx: a gzip header claiming more than the ceiling is refused, and a raised one reads it",
          "[idx][errors]")
{
    // 100 x 100 u8 after a 12-byte header: 10012 bytes, over a 1000-byte ceiling.
    const bytes raw = xtnn_test_idx_100x100();
    const bytes gz = gzip_of(raw);
    {
        scoped_ceiling ceiling(1000);
        REQUIRE_THROWS_AS(xtnn::io::parse_idx(gz.data(), gz.size(), "big.gz"), xtnn::format_error);
        REQUIRE_THROWS_WITH(xtnn::io::parse_idx(gz.data(), gz.size(), "big.gz"),
                            Contains("\"big.gz\": its header claims shape (100, 100) of u8, 10012 "
                                     "bytes: decompressed data exceeds 1000 bytes, the ceiling on "
                                     "inflated data (xtnn::io::set_max_inflated_bytes raises it)"));
    }
    scoped_ceiling raised(20000);
    const auto array = xtnn::io::parse_idx(gz.data(), gz.size(), "big.gz");
    REQUIRE(array.shape == std::vector<std::size_t>{100, 100});
    REQUIRE(array.data.size() == 10000);
    REQUIRE(array.data[9999] == 7);
}
