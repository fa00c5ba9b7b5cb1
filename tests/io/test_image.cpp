// SPDX-License-Identifier: MIT
// Tests for xtnn/io/image.hpp: arrays to gray images, text rendering, PGM and PNG bytes
// (PNG chunks checked with an independent CRC-32), and the captioned digit grid.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/tensor.hpp>

using Catch::Matchers::Contains;
using bytes = std::vector<std::uint8_t>;

#include "temp_files.hpp"

namespace
{
// Bitwise CRC-32 (reflected polynomial 0xEDB88320), written out rather than taken from
// zlib so the encoder's CRCs are checked against something independent.
std::uint32_t bitwise_crc32(const std::uint8_t* data, std::size_t size)
{
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < size; ++i)
    {
        crc ^= data[i];
        for (int bit = 0; bit < 8; ++bit)
        {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

std::uint32_t be32(const bytes& b, std::size_t at)
{
    return (std::uint32_t(b[at]) << 24) | (std::uint32_t(b[at + 1]) << 16) |
           (std::uint32_t(b[at + 2]) << 8) | std::uint32_t(b[at + 3]);
}

struct chunk
{
    std::string type;
    bytes data;
};

// Splits a PNG after its signature into chunks, checking each chunk's CRC on the way.
std::vector<chunk> png_chunks(const bytes& png)
{
    std::vector<chunk> chunks;
    std::size_t at = 8;
    while (at < png.size())
    {
        REQUIRE(at + 12 <= png.size());
        const std::uint32_t length = be32(png, at);
        REQUIRE(at + 12 + length <= png.size());
        chunk c{std::string(png.begin() + at + 4, png.begin() + at + 8),
                bytes(png.begin() + at + 8, png.begin() + at + 8 + length)};
        INFO("chunk " << c.type);
        CHECK(be32(png, at + 8 + length) == bitwise_crc32(png.data() + at + 4, 4 + length));
        chunks.push_back(c);
        at += 12 + length;
    }
    return chunks;
}

xtnn::io::gray_image image_2x3()
{
    // width 2, height 3
    return {2, 3, {0, 255, 10, 20, 128, 7}};
}

using xtnn_test::temp_path;
}  // namespace

TEST_CASE("image: to_gray_image scales 0..1 floats to 0..255 without inverting")
{
    const xt::xtensor<float, 2> x = {{0.0f, 0.5f, 1.0f}, {0.25f, 1.0f, 0.0f}};
    const auto image = xtnn::io::to_gray_image(x);
    CHECK(image.width == 3);
    CHECK(image.height == 2);
    CHECK(image.pixels == bytes{0, 128, 255, 64, 255, 0});
}

TEST_CASE("image: to_gray_image keeps uint8, reads floats above 1 as 0..255, honours max_value")
{
    const xt::xtensor<std::uint8_t, 2> u = {{0, 1, 254, 255}};
    CHECK(xtnn::io::to_gray_image(u).pixels == bytes{0, 1, 254, 255});

    const xt::xtensor<double, 2> d = {{0.0, 2.0, 255.0}};
    CHECK(xtnn::io::to_gray_image(d).pixels == bytes{0, 2, 255});

    // The 8x8 UCI digits run 0..16.
    const xt::xtensor<double, 2> uci = {{0.0, 8.0, 16.0}};
    CHECK(xtnn::io::to_gray_image(uci, {0, 16.0}).pixels == bytes{0, 128, 255});

    // Out of range values clamp; NaN is black.
    const xt::xtensor<double, 2> wild = {{-0.5, 3.0, std::nan("")}};
    CHECK(xtnn::io::to_gray_image(wild, {0, 1.0}).pixels == bytes{0, 255, 0});
}

TEST_CASE("image: to_gray_image accepts (h, w), (1, h, w), flat rows and lazy expressions")
{
    const xt::xtensor<float, 3> one = {{{0.0f, 1.0f, 0.0f}, {1.0f, 0.0f, 1.0f}}};
    const auto a = xtnn::io::to_gray_image(one);
    CHECK((a.width == 3 && a.height == 2));
    CHECK(a.pixels == bytes{0, 255, 0, 255, 0, 255});

    const xt::xtensor<float, 1> flat = {0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f};
    const auto b = xtnn::io::to_gray_image(flat, {3});
    CHECK((b.width == 3 && b.height == 2));
    CHECK(b.pixels == bytes{0, 255, 0, 255, 0, 255});

    const auto square = xtnn::io::to_gray_image(xt::xtensor<float, 1>(xt::zeros<float>({784})));
    CHECK((square.width == 28 && square.height == 28));

    const xt::xtensor<float, 2> half = xt::ones<float>({2, 2});
    CHECK(xtnn::io::to_gray_image(half * 0.5f).pixels == bytes{128, 128, 128, 128});
}

TEST_CASE("image: to_gray_image errors name the shape and the expected width")
{
    using xtnn::io::to_gray_image;
    const xt::xtensor<float, 1> short_row = xt::zeros<float>({783});
    REQUIRE_THROWS_AS(to_gray_image(short_row, {28}), xtnn::shape_error);
    REQUIRE_THROWS_WITH(to_gray_image(short_row, {28}), Contains("xtnn::io::to_gray_image") &&
                                                            Contains("(783,)") &&
                                                            Contains("width 28"));
    REQUIRE_THROWS_WITH(to_gray_image(short_row),
                        Contains("cannot tell the width of a flat (783,) array"));

    const xt::xtensor<float, 2> narrow = xt::zeros<float>({27, 29});
    REQUIRE_THROWS_WITH(to_gray_image(narrow, {28}),
                        Contains("expected an image of width 28, got shape (27, 29)"));

    const xt::xtensor<float, 3> batch = xt::zeros<float>({2, 28, 28});
    REQUIRE_THROWS_AS(to_gray_image(batch), xtnn::shape_error);
    REQUIRE_THROWS_WITH(to_gray_image(batch), Contains("got (2, 28, 28)"));

    const xt::xtensor<float, 2> empty = xt::zeros<float>({0, 28});
    REQUIRE_THROWS_WITH(to_gray_image(empty), Contains("non-empty image; got (0, 28)"));
    const xt::xtensor<float, 1> none = xt::zeros<float>({0});
    REQUIRE_THROWS_WITH(to_gray_image(none), Contains("non-empty image; got (0,)"));

    const xt::xtensor<float, 2> ok = xt::zeros<float>({2, 2});
    REQUIRE_THROWS_WITH(to_gray_image(ok, {0, -1.0}), Contains("max_value must be positive"));
    REQUIRE_THROWS_AS(to_gray_image(ok, {0, std::nan("")}), xtnn::error);
}

TEST_CASE("image: digit_to_text draws one line per row in shades, white as '@'")
{
    // 0 -> ' ', 255 -> '@', 128 -> '+', 30 -> '.', 200 -> '#', 100 -> '-'
    const xtnn::io::gray_image image{3, 2, {0, 255, 128, 30, 200, 100}};
    CHECK(xtnn::io::digit_to_text(image) == "  @@++\n..##--\n");
    CHECK(xtnn::io::digit_to_text(image, 1) == " @+\n.#-\n");
}

TEST_CASE("image: enlarge repeats each pixel as a square")
{
    const xtnn::io::gray_image image{2, 1, {1, 2}};
    const auto big = xtnn::io::enlarge(image, 2);
    CHECK((big.width == 4 && big.height == 2));
    CHECK(big.pixels == bytes{1, 1, 2, 2, 1, 1, 2, 2});
    REQUIRE_THROWS_WITH(xtnn::io::enlarge(image, 0), Contains("scale must be at least 1"));
}

TEST_CASE("image: an inconsistent gray_image is a shape_error naming the counts")
{
    const xtnn::io::gray_image bad{2, 3, {1, 2, 3, 4, 5}};
    REQUIRE_THROWS_AS(xtnn::io::encode_png(bad), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::io::encode_png(bad),
                        Contains("gray_image has 5 pixels; expected width 2 x height 3"));
    REQUIRE_THROWS_AS(xtnn::io::digit_to_text(bad), xtnn::shape_error);
}

TEST_CASE("image: encode_pgm writes the P5 header and the raw pixels")
{
    const bytes expected = {'P', '5',  '\n', '2', ' ', '3', '\n', '2', '5',
                            '5', '\n', 0,    255, 10,  20,  128,  7};
    CHECK(xtnn::io::encode_pgm(image_2x3()) == expected);

    const std::string path = temp_path("2x3.pgm");
    xtnn::io::save_pgm(image_2x3(), path);
    CHECK(xtnn::detail::read_file(path, "test") == expected);

    xtnn::io::save_pgm(image_2x3(), path, 2);
    const bytes big = xtnn::detail::read_file(path, "test");
    CHECK(std::string(big.begin(), big.begin() + 11) == "P5\n4 6\n255\n");
    CHECK(big.size() == 11 + 24);
    std::filesystem::remove(path);
}

TEST_CASE("image: encode_png writes signature, IHDR, IDAT, IEND with correct CRCs")
{
    const bytes png = xtnn::io::encode_png(image_2x3());
    REQUIRE(png.size() > 8);
    CHECK(bytes(png.begin(), png.begin() + 8) ==
          bytes{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A});

    const auto chunks = png_chunks(png);
    REQUIRE(chunks.size() == 3);
    CHECK(chunks[0].type == "IHDR");
    CHECK(chunks[1].type == "IDAT");
    CHECK(chunks[2].type == "IEND");
    CHECK(chunks[2].data.empty());

    // width 2, height 3, bit depth 8, colour type 0, compression 0, filter 0, interlace 0
    CHECK(chunks[0].data == bytes{0, 0, 0, 2, 0, 0, 0, 3, 8, 0, 0, 0, 0});

    const bytes& idat = chunks[1].data;
    const bytes raw =
        xtnn::detail::inflate_all(idat.data(), idat.size(), xtnn::detail::zformat::zlib, "IDAT");
    // each row: filter type 0, then the row's pixels
    CHECK(raw == bytes{0, 0, 255, 0, 10, 20, 0, 128, 7});
}

TEST_CASE("image: save_png writes encode_png's bytes, enlarged on request")
{
    const std::string path = temp_path("2x3.png");
    xtnn::io::save_png(image_2x3(), path);
    CHECK(xtnn::detail::read_file(path, "test") == xtnn::io::encode_png(image_2x3()));

    xtnn::io::save_png(image_2x3(), path, 3);
    const auto chunks = png_chunks(xtnn::detail::read_file(path, "test"));
    REQUIRE(!chunks.empty());
    CHECK(chunks[0].data == bytes{0, 0, 0, 6, 0, 0, 0, 9, 8, 0, 0, 0, 0});
    std::filesystem::remove(path);
}

TEST_CASE("image: saving to an unwritable path is an io_error with the quoted path")
{
    const std::string path = "/nonexistent-xtnn-dir/digit.png";
    REQUIRE_THROWS_AS(xtnn::io::save_png(image_2x3(), path), xtnn::io_error);
    REQUIRE_THROWS_WITH(xtnn::io::save_png(image_2x3(), path),
                        Contains("xtnn::io::save_png") && Contains("\"" + path + "\""));
    REQUIRE_THROWS_WITH(xtnn::io::save_pgm(image_2x3(), "/nonexistent-xtnn-dir/d.pgm"),
                        Contains("xtnn::io::save_pgm") &&
                            Contains("\"/nonexistent-xtnn-dir/d.pgm\""));
}

TEST_CASE("image: digit_grid lays out 5 digits in 3 columns with the documented sizes")
{
    const xtnn::io::gray_image digit{28, 28, bytes(28 * 28, 200)};
    const std::vector<xtnn::io::gray_image> digits(5, digit);

    // scale 2: text scale 1, gap 4, cell 56 x (56 + 9) = 56 x 65
    // width 3 * 56 + 4 * 4 = 184, height 2 * 65 + 3 * 4 = 142
    const auto sheet = xtnn::io::digit_grid(digits, {"0", "1", "2", "3", "4"}, 3, 2);
    CHECK(sheet.width == 184);
    CHECK(sheet.height == 142);
    CHECK(sheet.pixels.size() == 184 * 142);
    CHECK(sheet(0, 0) == xtnn::io::grid_background);
    CHECK(sheet(4, 4) == 200);                    // first digit's top-left corner
    CHECK(sheet(4 + 65 + 4, 4 + 56 + 4) == 200);  // digit 4: row 1, column 1
    CHECK(sheet(141, 183) == xtnn::io::grid_background);

    // Without captions the cells are just the digits: 184 x (2 * 56 + 3 * 4) = 184 x 124.
    const auto bare = xtnn::io::digit_grid(digits, {}, 3, 2);
    CHECK((bare.width == 184 && bare.height == 124));

    // Fewer digits than columns: only as many columns as digits.
    const auto pair = xtnn::io::digit_grid({digit, digit}, {}, 10, 1);
    CHECK((pair.width == 2 * 28 + 3 * 4 && pair.height == 28 + 2 * 4));
}

TEST_CASE("image: digit_grid widens cells for long captions and draws them in white")
{
    const xtnn::io::gray_image digit{28, 28, bytes(28 * 28, 0)};
    // scale 1: text scale 1; "pred 3 / true 5" is (15 * 6 - 1) = 89 pixels wide
    const auto sheet = xtnn::io::digit_grid({digit, digit}, {"pred 3 / true 5", "7"}, 2, 1);
    CHECK(sheet.width == 2 * 89 + 3 * 4);
    CHECK(sheet.height == (28 + 9) + 2 * 4);

    // One digit captioned "1": cell 28 wide, caption 5 wide centred at 4 + 11 = 15, its top
    // at 4 + 28 + 2 = 34. The glyph's first row is ..#.. so only column 17 is inked.
    const auto one = xtnn::io::digit_grid({digit}, {"1"}, 1, 1);
    REQUIRE((one.width == 36 && one.height == 45));
    CHECK(one(34, 17) == 255);
    CHECK(one(34, 16) == xtnn::io::grid_background);
    // The last row .###. inks columns 16..18.
    CHECK((one(40, 16) == 255 && one(40, 18) == 255));
    CHECK((one(40, 15) == xtnn::io::grid_background && one(40, 19) == xtnn::io::grid_background));
}

TEST_CASE("image: digit_grid errors name the mismatched shapes and counts")
{
    const xtnn::io::gray_image a{28, 28, bytes(28 * 28, 0)};
    const xtnn::io::gray_image b{28, 27, bytes(28 * 27, 0)};
    REQUIRE_THROWS_AS(xtnn::io::digit_grid({a, b}, {}, 2, 1), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::io::digit_grid({a, b}, {}, 2, 1),
                        Contains("digit 1 is (27, 28); expected (28, 28) like digit 0"));
    REQUIRE_THROWS_WITH(xtnn::io::digit_grid({a, a}, {"1"}, 2, 1),
                        Contains("expected one caption per digit (2), got 1"));
    REQUIRE_THROWS_WITH(xtnn::io::digit_grid({}, {}, 2, 1), Contains("at least one digit"));
    REQUIRE_THROWS_WITH(xtnn::io::digit_grid({a}, {}, 0, 1), Contains("columns must be"));
}
