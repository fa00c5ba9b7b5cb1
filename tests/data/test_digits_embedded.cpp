// SPDX-License-Identifier: MIT
// Tests for xtnn/data/digits_embedded.hpp: the digits compiled into xtnn are scikit-learn's
// load_digits(). The figures below were computed by numpy from scikit-learn's digits.csv.gz
// (np.loadtxt of the gz, md5 ca09b38354112f159cd554f69e213828), not by xtnn.
#include <cstddef>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data/digits_embedded.hpp>

#include "temp_files.hpp"

TEST_CASE("digits_embedded: 1797 digits, sklearn's class counts, first and last rows",
          "[digits]")
{
    const auto digits = xtnn::data::load_embedded_digits<double>();
    REQUIRE(digits.size() == 1797);
    REQUIRE(digits.images.shape()[1] == 64);
    std::vector<std::size_t> counts(10, 0);
    for (std::size_t i = 0; i < digits.size(); ++i)
    {
        ++counts.at(digits.labels(i));
    }
    REQUIRE(counts == std::vector<std::size_t>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});
    const std::vector<double> first = {0, 0, 5,  13, 9,  1, 0,  0, 0, 0, 13, 15, 10, 15, 5, 0,
                                       0, 3, 15, 2,  0,  11, 8, 0, 0, 4, 12, 0,  0,  8,  8, 0,
                                       0, 5, 8,  0,  0,  9,  8, 0, 0, 4, 11, 0,  1,  12, 7, 0,
                                       0, 2, 14, 5,  10, 12, 0, 0, 0, 0, 6,  13, 10, 0,  0, 0};
    for (std::size_t p = 0; p < 64; ++p)
    {
        CAPTURE(p);
        REQUIRE(digits.images(0, p) == first[p]);
    }
    REQUIRE(digits.labels(0) == 0);
    REQUIRE(digits.labels(1796) == 8);
    REQUIRE(digits.images(1796, 2) == 10);
    REQUIRE(digits.images(1796, 62) == 1);
    double sum = 0;
    for (double v : digits.images)
    {
        sum += v;
    }
    REQUIRE(sum == 561718);
}

TEST_CASE("digits_embedded: a file in the data directory wins; without one, the built-in copy",
          "[digits]")
{
    xtnn_test::temp_dir dir;
    std::string source;
    const auto builtin = xtnn::data::load_digits_or_embedded<float>(dir.path(), &source);
    REQUIRE(builtin.size() == 1797);
    REQUIRE(source == "the copy built into xtnn (scikit-learn's digits.csv.gz, BSD-3-Clause)");

    xtnn_test::write_text(dir.file("digits.csv"), "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
                                                      "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
                                                      "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
                                                      "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,16,3\n");
    const auto file = xtnn::data::load_digits_or_embedded<float>(dir.path(), &source);
    REQUIRE(file.size() == 1);
    REQUIRE(file.labels(0) == 3);
    REQUIRE(file.images(0, 63) == 16);
    REQUIRE(source == "\"" + dir.file("digits.csv") + "\"");

    // A broken file is reported, not silently replaced by the built-in copy.
    xtnn_test::write_text(dir.file("digits.csv"), "1,2,3\n");
    REQUIRE_THROWS_AS(xtnn::data::load_digits_or_embedded<float>(dir.path()), xtnn::format_error);
}
