// SPDX-License-Identifier: MIT
// plot/text.hpp: widths and glyphs of the built-in DejaVu Sans bitmaps. The expected widths
// are Pillow's (FreeType's) ImageFont.getlength of the same fonts, measured independently:
// python3 -c "from PIL import ImageFont; print(ImageFont.truetype(
//     '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 11).getlength('Hello'))"
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/plot/text.hpp>

namespace
{
/// The rows that get ink when `text` is drawn with its baseline on row 20 of a 40-row grid.
std::vector<int> inked_rows(const std::string& text, double size, bool bold = false)
{
    std::vector<int> ink(40, 0);
    xtnn::plot::detail::draw_glyphs(text, size, bold, 2, 20, false,
                                    [&](long, long y, double coverage)
                                    {
                                        if (y >= 0 && y < 40 && coverage > 0)
                                        {
                                            ink[static_cast<std::size_t>(y)] = 1;
                                        }
                                    });
    return ink;
}
}  // namespace

TEST_CASE("plot text: widths are DejaVu Sans's advances, as FreeType gives them")
{
    using xtnn::plot::detail::text_width;
    REQUIRE(text_width("Hello", 11) == Approx(27.890625));
    REQUIRE(text_width("loss", 12) == Approx(23.171875));
    REQUIRE(text_width("panel 2", 14, true) == Approx(58.34375));  // titles: bold
    REQUIRE(text_width("x\xC2\xB2", 11) == Approx(10.921875));     // "x²": UTF-8
    REQUIRE(text_width("", 11) == 0);
    // A character the font lacks is drawn, and measured, as '?'.
    REQUIRE(text_width("\xE2\x98\x83", 11) == Approx(text_width("?", 11)));  // U+2603 snowman
}

TEST_CASE("plot text: UTF-8 decodes to code points, malformed bytes to U+FFFD")
{
    using xtnn::plot::detail::code_points;
    REQUIRE(code_points("a\xCE\xBB\xE2\x88\x92") == std::vector<std::uint32_t>{'a', 0x3BB, 0x2212});
    REQUIRE(code_points("\xFF"
                        "b") == std::vector<std::uint32_t>{0xFFFD, 'b'});
    REQUIRE(code_points("\xE2\x88") == std::vector<std::uint32_t>{0xFFFD, 0xFFFD});  // cut short
}

TEST_CASE("plot text: lower case has its descenders, and the glyphs sit on the baseline")
{
    // Pillow's bounding boxes at 11 px (ascent 11): 'o' rows 5..10, 'g' rows 5..12, so with
    // the baseline at row 20 'o' inks rows 14..19 and 'g' goes on to row 21.
    const auto o = inked_rows("o", 11), g = inked_rows("g", 11);
    REQUIRE((o[14] == 1 && o[19] == 1 && o[20] == 0 && o[13] == 0));
    REQUIRE((g[14] == 1 && g[21] == 1 && g[22] == 0));
    // Capitals reach higher than lower case: 'H' is 8 rows from the baseline.
    const auto h = inked_rows("H", 11);
    REQUIRE((h[12] == 1 && h[11] == 0 && h[19] == 1 && h[20] == 0));

    // Turned upwards (SVG's rotate(-90) about the anchor): the pixel `along` the text and
    // `down` from the baseline, (20 + along, 30 + down) when level, lands on
    // (20 + down, 30 - along - 1), so the text reads bottom to top, its top to the left.
    std::set<std::pair<long, long>> level, turned;
    xtnn::plot::detail::draw_glyphs("gH", 12, false, 20, 30, false,
                                    [&](long x, long y, double) {
                                        level.insert({20 + (y - 30), 30 - (x - 20) - 1});
                                    });
    xtnn::plot::detail::draw_glyphs("gH", 12, false, 20, 30, true,
                                    [&](long x, long y, double) {
                                        turned.insert({x, y});
                                    });
    REQUIRE(!turned.empty());
    REQUIRE(turned == level);
}
