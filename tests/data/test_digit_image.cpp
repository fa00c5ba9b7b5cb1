// SPDX-License-Identifier: MIT
// Tests for xtnn/data/digit_image.hpp: each step of MNIST's preprocessing (border median,
// ink box, area resampling, centre of mass) and the whole of to_mnist_digit on pictures
// whose 28x28 result is worked out by hand in the comments.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/digit_image.hpp>

namespace
{
using Catch::Matchers::Contains;
using xtnn::io::gray_image;

/// A width x height image filled with `value`.
gray_image filled(std::size_t width, std::size_t height, std::uint8_t value)
{
    return gray_image{width, height, std::vector<std::uint8_t>(width * height, value)};
}

/// Sets rows [row, row + height) x columns [col, col + width) to `value`.
void fill_box(gray_image& image, std::size_t row, std::size_t col, std::size_t height,
              std::size_t width, std::uint8_t value)
{
    for (std::size_t r = row; r < row + height; ++r)
    {
        for (std::size_t c = col; c < col + width; ++c)
        {
            image(r, c) = value;
        }
    }
}

/// Requires `image` to be `expected` everywhere; reports the first differing pixel.
void require_same(const gray_image& image, const gray_image& expected, int tolerance = 0)
{
    REQUIRE(image.width == expected.width);
    REQUIRE(image.height == expected.height);
    for (std::size_t r = 0; r < image.height; ++r)
    {
        for (std::size_t c = 0; c < image.width; ++c)
        {
            if (std::abs(int(image(r, c)) - int(expected(r, c))) > tolerance)
            {
                FAIL("first difference at (" << r << ", " << c << "): got " << int(image(r, c))
                                             << ", expected " << int(expected(r, c)));
            }
        }
    }
}

/// A 28x28 digit-like shape: a "7" of a top bar and a slanted stroke, with soft edges.
gray_image seven()
{
    gray_image image = filled(28, 28, 0);
    fill_box(image, 5, 7, 3, 14, 255);
    fill_box(image, 4, 7, 1, 14, 90);
    for (std::size_t r = 8; r < 24; ++r)
    {
        const std::size_t c = 20 - (r - 8) / 2;
        fill_box(image, r, c - 1, 1, 3, 255);
        image(r, c - 2) = 120;
    }
    return image;
}
}  // namespace

TEST_CASE("digit_image: border_median is the median of the outermost ring, the upper of two")
{
    // 3x3: ring 10 20 30 / 40 . 60 / 70 80 90 around a 255 that does not count; eight ring
    // values sorted 10 20 30 40 60 70 80 90: the upper middle one is 60.
    const gray_image image{3, 3, {10, 20, 30, 40, 255, 60, 70, 80, 90}};
    CHECK(int(xtnn::data::border_median(image)) == 60);
    // One row is all ring: 5 1 9 -> 5.
    CHECK(int(xtnn::data::border_median(gray_image{3, 1, {5, 1, 9}})) == 5);
    CHECK(int(xtnn::data::border_median(gray_image{1, 1, {42}})) == 42);
}

TEST_CASE("digit_image: ink_box holds every pixel above the threshold, and is empty without")
{
    gray_image image = filled(10, 8, 0);
    image(2, 3) = 33;
    image(6, 7) = 200;
    image(1, 9) = 32;  // not above the threshold 32
    const auto box = xtnn::data::ink_box(image, 32);
    CHECK(box.row == 2);
    CHECK(box.col == 3);
    CHECK(box.height == 5);
    CHECK(box.width == 5);
    CHECK(xtnn::data::ink_box(filled(4, 4, 32), 32).empty());
}

TEST_CASE("digit_image: crop copies a box and refuses one outside the image")
{
    const gray_image image{3, 2, {1, 2, 3, 4, 5, 6}};
    const auto part = xtnn::data::crop(image, {0, 1, 2, 2});
    CHECK(part.pixels == std::vector<std::uint8_t>{2, 3, 5, 6});
    REQUIRE_THROWS_AS(xtnn::data::crop(image, {1, 1, 2, 2}), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::data::crop(image, {1, 1, 2, 2}),
                        Contains("xtnn::data::crop") && Contains("(2, 3)"));
}

TEST_CASE("digit_image: resize_area averages what each output pixel covers")
{
    // Halving: each output pixel is the mean of a 2x2 block.
    const gray_image blocks{4, 2, {0, 100, 200, 40, 50, 150, 100, 60}};
    CHECK(xtnn::data::resize_area(blocks, 2, 1).pixels == std::vector<std::uint8_t>{75, 100});
    // 3 -> 2: output 0 covers [0, 1.5): 2/3 of 0 + 1/3 of 90 = 30; output 1 covers [1.5, 3):
    // 1/3 of 90 + 2/3 of 180 = 150 (nearest-neighbour would give 0 and 90, or 90 and 180).
    CHECK(xtnn::data::resize_area(gray_image{3, 1, {0, 90, 180}}, 2, 1).pixels ==
          std::vector<std::uint8_t>{30, 150});
    // Doubling repeats; 2 -> 3 blends the middle: [0, 2/3) = 0, [2/3, 4/3) = (1/3·0 +
    // 1/3·254)·3/2 = 127, [4/3, 2) = 254.
    CHECK(xtnn::data::resize_area(gray_image{2, 1, {0, 255}}, 4, 1).pixels ==
          std::vector<std::uint8_t>{0, 0, 255, 255});
    CHECK(xtnn::data::resize_area(gray_image{2, 1, {0, 254}}, 3, 1).pixels ==
          std::vector<std::uint8_t>{0, 127, 254});
    // Both axes at once: a 1x1 image of 77 at 3x2 is 77 everywhere.
    CHECK(xtnn::data::resize_area(gray_image{1, 1, {77}}, 3, 2).pixels ==
          std::vector<std::uint8_t>(6, 77));
    REQUIRE_THROWS_AS(xtnn::data::resize_area(blocks, 0, 1), xtnn::shape_error);
}

TEST_CASE("digit_image: centre_of_mass weights pixel positions by intensity")
{
    gray_image image = filled(5, 4, 0);
    image(2, 3) = 9;
    auto centre = xtnn::data::centre_of_mass(image);
    CHECK(centre.row == Approx(2.0));
    CHECK(centre.col == Approx(3.0));
    // 100 in column 0, 255 + 45 in column 2: column (0·100 + 2·300) / 400 = 1.5; row
    // (0·355 + 1·45) / 400.
    image = filled(5, 4, 0);
    image(0, 0) = 100;
    image(0, 2) = 255;
    image(1, 2) = 45;
    centre = xtnn::data::centre_of_mass(image);
    CHECK(centre.col == Approx(1.5));
    CHECK(centre.row == Approx(45.0 / 400));
    REQUIRE_THROWS_WITH(xtnn::data::centre_of_mass(filled(5, 4, 0)),
                        Contains("xtnn::data::centre_of_mass") && Contains("(4, 5)"));
}

TEST_CASE("digit_image: a single bright pixel becomes a 20x20 square at the centre")
{
    // The ink's box is 1x1, scaled up to fit 20x20: a square of 255 whose centre of mass
    // (9.5, 9.5) moves to (14, 14) by 4.5, rounded up to 5: rows and columns 5..24.
    gray_image image = filled(50, 30, 0);
    image(3, 41) = 255;
    gray_image expected = filled(28, 28, 0);
    fill_box(expected, 5, 5, 20, 20, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);
}

TEST_CASE("digit_image: a 40x10 bar becomes a 20x5 bar, centred")
{
    // Halved to 20 rows x 5 columns of 255; centre of mass (9.5, 2) -> shift (4.5, 12),
    // and 4.5 rounds up: rows 5..24, columns 12..16.
    gray_image image = filled(60, 60, 0);
    fill_box(image, 5, 30, 40, 10, 255);
    gray_image expected = filled(28, 28, 0);
    fill_box(expected, 5, 12, 20, 5, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);

    // Lying down, 1 pixel thick and 100 long: 1 x round(20 / 100) -> at least 1 row, 20
    // columns of the mean of 5 pixels (255); centre (0, 9.5) -> row 14, columns 5..24.
    image = filled(120, 9, 0);
    fill_box(image, 4, 10, 1, 100, 255);
    expected = filled(28, 28, 0);
    fill_box(expected, 14, 5, 1, 20, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);
}

TEST_CASE("digit_image: a dark digit on a light background is inverted")
{
    // A bar of 0 on 255 (20 rows x 10 columns, the picture 40x40): inverted, it is 255 on 0,
    // already 20 tall, centre of mass (9.5, 4.5) -> shift (5, 10): rows 5..24, columns
    // 10..19.
    gray_image image = filled(40, 40, 255);
    fill_box(image, 10, 15, 20, 10, 0);
    gray_image expected = filled(28, 28, 0);
    fill_box(expected, 5, 10, 20, 10, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);

    // A pale pen (100 on 255): inverted 155 on 0; the levels stretch 155 to 255; without
    // them it stays 155.
    fill_box(image, 10, 15, 20, 10, 100);
    require_same(xtnn::data::to_mnist_digit(image), expected);
    xtnn::data::digit_options as_they_are;
    as_they_are.stretch_levels = false;
    fill_box(expected, 5, 10, 20, 10, 155);
    require_same(xtnn::data::to_mnist_digit(image, as_they_are), expected);
}

TEST_CASE("digit_image: grey paper becomes black and the ink white")
{
    // Ink 40 on paper 200: inverted 215 on 55; levels (p - 55) · 255 / (215 - 55): the paper
    // 0, the ink 255, and the ink's box is the bar's alone.
    gray_image image = filled(40, 40, 200);
    fill_box(image, 10, 15, 20, 10, 40);
    gray_image expected = filled(28, 28, 0);
    fill_box(expected, 5, 10, 20, 10, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);

    // Without levels the paper (55, above the threshold 32) is ink too: the whole 40x40
    // picture is halved to 20x20, centre of mass at its middle (9.5, 9.5) (the bar is
    // centred), so it lands at rows and columns 5..24 with the paper's 55 in its corners;
    // (14, 14) is its (9, 9), the mean of the bar's pixels (18..19, 18..19).
    xtnn::data::digit_options as_they_are;
    as_they_are.stretch_levels = false;
    const auto digit = xtnn::data::to_mnist_digit(image, as_they_are);
    CHECK(int(digit(5, 5)) == 55);
    CHECK(int(digit(24, 24)) == 55);
    CHECK(int(digit(4, 4)) == 0);
    CHECK(int(digit(14, 14)) == 215);
}

TEST_CASE("digit_image: the centre of mass, not the box, goes to the centre, clipped at edges")
{
    // Ink 20x20 (no scaling): a full column at column 0 and one pixel at (0, 19), all 255.
    // Centre of mass: row (0 + 1 + ... + 19 + 0) / 21 = 190 / 21 = 9.048, column
    // (20 · 0 + 19) / 21 = 0.905; shift floor(14 - 9.048 + 0.5) = 5 rows and
    // floor(14 - 0.905 + 0.5) = 13 columns: the column lands at column 13, rows 5..24, and
    // the lone pixel at column 19 + 13 = 32 falls off the right edge.
    gray_image image = filled(30, 30, 0);
    fill_box(image, 5, 5, 20, 1, 255);
    image(5, 24) = 255;
    gray_image expected = filled(28, 28, 0);
    fill_box(expected, 5, 13, 20, 1, 255);
    require_same(xtnn::data::to_mnist_digit(image), expected);
}

TEST_CASE("digit_image: a digit drawn 4 times larger, or dark on light, gives the same digit")
{
    const gray_image digit = seven();
    const gray_image reference = xtnn::data::to_mnist_digit(digit);
    // Enlarged by repeating pixels, the ink's box is 4 times larger and averages back to
    // the same values, up to rounding.
    require_same(xtnn::data::to_mnist_digit(xtnn::io::enlarge(digit, 4)), reference, 1);
    require_same(xtnn::data::to_mnist_digit(xtnn::data::inverted(digit)), reference);
    // Placed off-centre in a larger canvas: the same.
    gray_image canvas = filled(90, 60, 0);
    for (std::size_t r = 0; r < 28; ++r)
    {
        for (std::size_t c = 0; c < 28; ++c)
        {
            canvas(25 + r, 3 + c) = digit(r, c);
        }
    }
    require_same(xtnn::data::to_mnist_digit(canvas), reference);
}

TEST_CASE("digit_image: a blank image is an error that says so")
{
    REQUIRE_THROWS_AS(xtnn::data::to_mnist_digit(filled(30, 20, 0)), xtnn::error);
    REQUIRE_THROWS_WITH(xtnn::data::to_mnist_digit(filled(30, 20, 255)),
                        Contains("xtnn::data::to_mnist_digit: no ink") &&
                            Contains("blank (20, 30) image"));
    // A speck 20 levels darker than the paper is below the threshold: still blank.
    gray_image speck = filled(30, 20, 200);
    speck(10, 10) = 180;
    REQUIRE_THROWS_WITH(xtnn::data::to_mnist_digit(speck), Contains("no ink"));
}

TEST_CASE("digit_image: to_mnist_digit refuses a box larger than the image, or of 0")
{
    xtnn::data::digit_options options;
    options.box = 29;
    REQUIRE_THROWS_WITH(xtnn::data::to_mnist_digit(seven(), options),
                        Contains("box must be 1 .. size (28); got 29"));
    options.box = 0;
    REQUIRE_THROWS_AS(xtnn::data::to_mnist_digit(seven(), options), xtnn::error);
    REQUIRE_THROWS_AS(xtnn::data::to_mnist_digit(gray_image{2, 2, {1, 2, 3}}), xtnn::shape_error);
}
