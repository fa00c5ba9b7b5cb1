// SPDX-License-Identifier: MIT
// xtnn/data/digit_image.hpp on MNIST's own test digits, which went through the same
// preprocessing when MNIST was made: their centres of mass sit at (14, 14) in image_point
// coordinates, and doing it again leaves most of them unchanged to the pixel. Exits 77
// (skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/data/digit_image.hpp>
#include <xtnn/data/mnist.hpp>

#include "data_dir.hpp"

TEST_CASE("digit_image: MNIST's test digits are centred at (14, 14) and made again unchanged")
{
    xtnn::data::mnist_options options;
    options.normalize = false;
    const auto test = xtnn::data::load_mnist_part<float>(xtnn_test::data_dir(),
                                                         xtnn::data::mnist_part::test, options);
    const std::size_t count = test.size();
    xtnn::data::digit_options exact;  // every pixel above 0 is ink; levels as they are
    exact.ink_threshold = 0;
    exact.stretch_levels = false;
    double row_sum = 0, col_sum = 0, farthest = 0, difference = 0;
    std::size_t unchanged = 0, unchanged_exact = 0;
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto digit = xtnn::io::to_gray_image(xt::view(test.images, i, xt::all()));
        const auto centre = xtnn::data::centre_of_mass(digit);
        row_sum += centre.row;
        col_sum += centre.col;
        farthest = std::max({farthest, std::fabs(centre.row - 14), std::fabs(centre.col - 14)});

        const auto again = xtnn::data::to_mnist_digit(digit);
        long total = 0;
        for (std::size_t p = 0; p < digit.pixels.size(); ++p)
        {
            total += std::labs(long(again.pixels[p]) - long(digit.pixels[p]));
        }
        unchanged += total == 0;
        difference += double(total) / double(digit.pixels.size());
        unchanged_exact += xtnn::data::to_mnist_digit(digit, exact).pixels == digit.pixels;
    }
    INFO("mean centre (" << row_sum / count << ", " << col_sum / count << "), farthest " << farthest
                         << "; unchanged " << unchanged << " of " << count << ", mean |difference| "
                         << difference / count
                         << " levels a pixel; unchanged without threshold and levels "
                         << unchanged_exact);
    // Rounding the shift to whole pixels leaves each centre within half a pixel.
    CHECK(std::fabs(row_sum / count - 14) < 0.02);
    CHECK(std::fabs(col_sum / count - 14) < 0.02);
    CHECK(farthest <= 0.5 + 1e-9);
    // Cropping, scaling and centring give MNIST's digits back: measured 9,996 of 10,000
    // unchanged with ink_threshold 0 and no levels. The defaults change some a little
    // (7,166 unchanged, 0.107 levels a pixel on average): faint edge pixels (up to 32)
    // outside the box of the ink are dropped, and a peak below 255 is stretched to 255.
    CHECK(unchanged_exact >= 9990);
    CHECK(unchanged >= 7000);
    CHECK(difference / count < 0.15);
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);
}
