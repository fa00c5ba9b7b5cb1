// SPDX-License-Identifier: MIT
// Tests for xtnn/io/digits.hpp on tiny digits.csv files written here (raw and gzipped, in
// the data directory or its digits/ subdirectory), every malformation's message, and the
// preprocessing (standardizer, one_hot, split_first_as_test) against values worked by hand.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/data.hpp>

#include "approx.hpp"
#include "temp_files.hpp"

namespace
{
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

/// A tensor's shape as a vector, for comparisons.
template <class E>
std::vector<std::size_t> shape_of(const E& e)
{
    return {e.shape().begin(), e.shape().end()};
}

using xtnn_test::temp_dir;
using xtnn_test::write_text;
using xtnn_test::write_text_gz;

/// One CSV line: the 64 pixels, then the label; each value followed by `suffix` (".0").
std::string csv_line(const std::vector<int>& pixels, int label, const std::string& suffix = "")
{
    std::string line;
    for (int value : pixels)
    {
        line += std::to_string(value) + suffix + ",";
    }
    return line + std::to_string(label) + suffix + "\n";
}

// The fixture's three images: pixel i of image 0 is i % 17; image 1 is 16 everywhere;
// image 2 is blank but for its last pixel, 5. Labels 7, 0, 9.
std::vector<int> image0()
{
    std::vector<int> pixels(64);
    for (int i = 0; i < 64; ++i)
    {
        pixels[i] = i % 17;
    }
    return pixels;
}

std::vector<int> image2()
{
    std::vector<int> pixels(64, 0);
    pixels[63] = 5;
    return pixels;
}

std::string three_rows(const std::string& suffix = "")
{
    return csv_line(image0(), 7, suffix) + csv_line(std::vector<int>(64, 16), 0, suffix) +
           csv_line(image2(), 9, suffix);
}

/// Checks a set loaded from three_rows().
template <class T>
void check_three_rows(const xtnn::data::digits_set<T>& set)
{
    REQUIRE(set.size() == 3);
    REQUIRE(shape_of(set.images) == std::vector<std::size_t>{3, 64});
    REQUIRE(shape_of(set.labels) == std::vector<std::size_t>{3});
    CHECK(set.labels(0) == 7);
    CHECK(set.labels(1) == 0);
    CHECK(set.labels(2) == 9);
    for (std::size_t i = 0; i < 64; ++i)
    {
        CHECK(set.images(0, i) == T(i % 17));
        CHECK(set.images(1, i) == T(16));
    }
    CHECK(set.images(2, 0) == T(0));
    CHECK(set.images(2, 62) == T(0));
    CHECK(set.images(2, 63) == T(5));
}
}  // namespace

TEMPLATE_TEST_CASE("digits: load_digits reads 64 pixels and a label per line", "[digits]", float,
                   double)
{
    temp_dir dir;
    write_text(dir.file("digits.csv"), three_rows());
    check_three_rows(xtnn::data::load_digits<TestType>(dir.path()));
}

TEST_CASE("digits: load_digits finds digits.csv.gz in the digits/ subdirectory", "[digits]")
{
    temp_dir dir;
    fs::create_directories(dir.file("digits"));
    write_text_gz(dir.file("digits/digits.csv.gz"), three_rows());
    check_three_rows(xtnn::data::load_digits(dir.path()));
    check_three_rows(xtnn::data::load_digits(dir.file("digits")));
}

TEST_CASE("digits: load_digits prefers the data directory and spots gzip by its magic", "[digits]")
{
    temp_dir dir;
    fs::create_directories(dir.file("digits"));
    write_text(dir.file("digits/digits.csv"), "garbage\n");
    write_text_gz(dir.file("digits.csv"), three_rows());  // gzipped under the raw name
    check_three_rows(xtnn::data::load_digits(dir.path()));
}

TEST_CASE("digits: load_digits accepts \"5.0\" decimals, CRLF, spaces and blank lines", "[digits]")
{
    temp_dir dir;
    SECTION("integer-valued decimals")
    {
        write_text(dir.file("digits.csv"), three_rows(".0"));
        check_three_rows(xtnn::data::load_digits<double>(dir.path()));
    }
    SECTION("CRLF line ends, a byte-order mark, blank lines and spaces around values")
    {
        std::string first = csv_line(image0(), 7);
        first.insert(first.size() - 1, "\r");
        std::string last = csv_line(image2(), 9);  // " 0 ,0,...,5,9 \t\r\n"
        last.replace(0, 1, " 0 ");
        last.insert(last.size() - 1, " \t\r");
        write_text(dir.file("digits.csv"), "\xEF\xBB\xBF" + first + "\r\n  \n" +
                                               csv_line(std::vector<int>(64, 16), 0) + last + "\n");
        check_three_rows(xtnn::data::load_digits(dir.path()));
    }
    SECTION("no newline after the last line")
    {
        std::string text = three_rows();
        text.pop_back();
        write_text_gz(dir.file("digits.csv.gz"), text);
        check_three_rows(xtnn::data::load_digits(dir.path()));
    }
}

TEST_CASE("digits: malformed lines throw format_error with the file, line and column",
          "[digits][errors]")
{
    temp_dir dir;
    const std::string path = dir.file("digits.csv");
    const std::string good = csv_line(image0(), 7);
    const auto call = [&] { return xtnn::data::load_digits(dir.path()); };
    // Line 2 is `bad`; the message starts "xtnn::data::load_digits: "<path>": line 2".
    const auto require_line2 = [&](const std::string& bad, const std::string& message)
    {
        write_text(path, good + bad + good);
        REQUIRE_THROWS_AS(call(), xtnn::format_error);
        REQUIRE_THROWS_WITH(call(), Contains("xtnn::data::load_digits: \"" + path + "\": line 2") &&
                                        Contains(message));
    };
    auto pixels = image0();

    SECTION("64 values")
    {
        pixels.pop_back();
        require_line2(csv_line(pixels, 3),
                      "line 2: wrong number of values; expected 65 (64 pixels, then the label), "
                      "got 64");
    }
    SECTION("66 values")
    {
        pixels.push_back(1);
        require_line2(csv_line(pixels, 3), "line 2: wrong number of values; expected 65");
        REQUIRE_THROWS_WITH(call(), Contains("got 66"));
    }
    SECTION("a word")
    {
        std::string line = csv_line(pixels, 3);
        line.replace(line.find(",4,"), 3, ",four,");  // column 5
        require_line2(line, "line 2, column 5: not a number; expected a pixel 0..16, got \"four\"");
    }
    SECTION("an empty value")
    {
        require_line2("," + csv_line(std::vector<int>(63, 1), 3),
                      "line 2, column 1: not a number; expected a pixel 0..16, got \"\"");
    }
    SECTION("a fraction")
    {
        require_line2(csv_line(pixels, 3).insert(0, "3.5"),  // "3.50,1,..." in column 1
                      "line 2, column 1: not a whole number; expected a pixel 0..16, got "
                      "\"3.50\"");
    }
    SECTION("a pixel of 17")
    {
        pixels[9] = 17;
        require_line2(csv_line(pixels, 3), "line 2, column 10: a pixel out of range; expected a "
                                           "pixel 0..16, got \"17\"");
    }
    SECTION("a negative pixel")
    {
        pixels[0] = -1;
        require_line2(csv_line(pixels, 3), "line 2, column 1: a pixel out of range; expected a "
                                           "pixel 0..16, got \"-1\"");
    }
    SECTION("a label of 10")
    {
        require_line2(csv_line(pixels, 10), "line 2, column 65: a label out of range; expected "
                                            "a label 0..9, got \"10\"");
    }
    SECTION("a label of 9.5")
    {
        std::string line = csv_line(pixels, 3);
        line.replace(line.size() - 2, 1, "9.5");
        require_line2(line, "line 2, column 65: not a whole number; expected a label 0..9");
    }
    SECTION("a long value is cut in the message")
    {
        std::string line = csv_line(pixels, 3);
        line.insert(0, std::string(40, 'x'));
        require_line2(line, "got \"" + std::string(32, 'x') + "...\"");
    }
}

TEST_CASE("digits: line numbers count blank lines", "[digits][errors]")
{
    temp_dir dir;
    write_text_gz(dir.file("digits.csv.gz"), csv_line(image0(), 7) + "\n" + csv_line(image0(), 12));
    REQUIRE_THROWS_WITH(xtnn::data::load_digits(dir.path()),
                        Contains("\"" + dir.file("digits.csv.gz") + "\": line 3, column 65"));
}

TEST_CASE("digits: an empty or corrupt file throws format_error", "[digits][errors]")
{
    temp_dir dir;
    const auto call = [&] { return xtnn::data::load_digits(dir.path()); };
    SECTION("empty")
    {
        write_text(dir.file("digits.csv"), "");
        REQUIRE_THROWS_AS(call(), xtnn::format_error);
        REQUIRE_THROWS_WITH(call(), Contains("\"" + dir.file("digits.csv") +
                                             "\": no data; "
                                             "expected lines of 65 comma-separated values") &&
                                        Contains("got an empty file"));
    }
    SECTION("blank lines only, gzipped")
    {
        write_text_gz(dir.file("digits.csv.gz"), "\n\r\n  \n");
        REQUIRE_THROWS_WITH(call(), Contains("no data;") && Contains("got only blank lines"));
    }
    SECTION("corrupt gzip")
    {
        write_text(dir.file("digits.csv.gz"), std::string("\x1f\x8b\x08\x00garbage", 11));
        REQUIRE_THROWS_AS(call(), xtnn::format_error);
        REQUIRE_THROWS_WITH(
            call(), Contains("xtnn::data::load_digits: \"" + dir.file("digits.csv.gz") + "\""));
    }
}

TEST_CASE("digits: a missing file throws data_not_found saying where and how to get it",
          "[digits][errors]")
{
    temp_dir dir;
    const auto call = [&] { return xtnn::data::load_digits(dir.path()); };
    REQUIRE_THROWS_AS(call(), xtnn::data::data_not_found);
    REQUIRE_THROWS_AS(call(), xtnn::io_error);
    REQUIRE_THROWS_WITH(call(), Contains("xtnn::data::load_digits: ") &&
                                    Contains("\"" + dir.file("digits.csv") + "\"") &&
                                    Contains("\"" + dir.file("digits.csv.gz") + "\"") &&
                                    Contains("\"" + dir.file("digits/digits.csv") + "\"") &&
                                    Contains("\"" + dir.file("digits/digits.csv.gz") + "\""));
    REQUIRE_THROWS_WITH(call(), Contains("sklearn/datasets/data/digits.csv.gz") &&
                                    Contains("python3-sklearn") &&
                                    Contains("Optical Recognition of Handwritten Digits") &&
                                    Contains("--data DIR") && Contains("XTNN_DATA_DIR"));
}

TEMPLATE_TEST_CASE("standardizer: (x - mean) / (std + 1e-7) with the population std",
                   "[digits][standardizer]", float, double)
{
    // Columns: [1, 2, 3] has mean 2 and std sqrt(2/3) = 0.8164966; [5, 5, 5] is constant;
    // [2, 0, 4] has mean 2 and std sqrt(8/3) = 1.6329932.
    const xt::xtensor<TestType, 2> x = {{1, 5, 2}, {2, 5, 0}, {3, 5, 4}};
    xtnn::data::standardizer<TestType> scaler;
    scaler.fit(x);
    xtnn_test::require_all_close(scaler.mean, xt::xtensor<double, 1>{2, 5, 2}, 1e-6);
    xtnn_test::require_all_close(scaler.std, xt::xtensor<double, 1>{0.8164965809, 0, 1.6329931619},
                                 1e-6);

    const double a = 1 / (0.8164965809 + 1e-7);
    const double b = 2 / (1.6329931619 + 1e-7);
    const xt::xtensor<double, 2> expected = {{-a, 0, 0}, {0, 0, -b}, {a, 0, b}};
    auto z = x;
    scaler.transform(z);
    xtnn_test::require_all_close(z, expected, 1e-6);
    CHECK(z(0, 0) == Approx(-1.2247447).epsilon(1e-6));
    for (std::size_t r = 0; r < 3; ++r)
    {
        CHECK(z(r, 1) == TestType(0));  // the constant column: 0, not NaN
    }

    const auto copy = xtnn::data::standardize(x);
    xtnn_test::require_all_close(copy, expected, 1e-6);
    CHECK(x(0, 0) == TestType(1));  // the input is left as it was

    // New rows are scaled with the fitted statistics.
    xt::xtensor<TestType, 2> later = {{4, 5, 2}};
    scaler.transform(later);
    xtnn_test::require_all_close(later, xt::xtensor<double, 2>{{2 * a, 0, 0}}, 1e-6);
}

TEST_CASE("standardizer: shape errors name the shapes", "[digits][standardizer][errors]")
{
    xtnn::data::standardizer<double> scaler;
    xt::xtensor<double, 2> x = {{1, 2}};
    REQUIRE_THROWS_AS(scaler.transform(x), xtnn::shape_error);  // not fitted
    REQUIRE_THROWS_WITH(scaler.fit(xt::xtensor<double, 2>::from_shape({0, 3})),
                        Contains("no samples; expected at least one row, got (0, 3)"));
    scaler.fit(xt::xtensor<double, 2>{{1, 2, 3}, {4, 5, 6}});
    REQUIRE_THROWS_AS(scaler.transform(x), xtnn::shape_error);
    REQUIRE_THROWS_WITH(scaler.transform(x),
                        Contains("xtnn::data::standardizer::transform: x has shape (1, 2); "
                                 "expected 3 columns"));
}

TEMPLATE_TEST_CASE("one_hot: row i has a single 1 at column labels(i)", "[digits][one_hot]", float,
                   double)
{
    const xt::xtensor<std::size_t, 1> labels = {2, 0, 9};
    const auto y = xtnn::data::one_hot<TestType>(labels, 10);
    REQUIRE(shape_of(y) == std::vector<std::size_t>{3, 10});
    const xt::xtensor<double, 2> expected = {{0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
                                             {1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                                             {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    xtnn_test::require_all_close(y, expected, 0);

    const auto three = xtnn::data::one_hot<TestType>(xt::xtensor<std::size_t, 1>{1, 2}, 3);
    xtnn_test::require_all_close(three, xt::xtensor<double, 2>{{0, 1, 0}, {0, 0, 1}}, 0);
    CHECK(shape_of(xtnn::data::one_hot<TestType>(xt::xtensor<std::size_t, 1>::from_shape({0}), 10)) ==
          std::vector<std::size_t>{0, 10});
}

TEST_CASE("one_hot: a label outside the classes is named with its index", "[digits][one_hot]")
{
    const xt::xtensor<std::size_t, 1> labels = {3, 10, 1};
    REQUIRE_THROWS_AS(xtnn::data::one_hot(labels, 10), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::data::one_hot(labels, 10),
                        Contains("xtnn::data::one_hot: label 10 at index 1; expected 0..9 for 10 "
                                 "classes"));
    REQUIRE_THROWS_WITH(xtnn::data::one_hot(labels, 3), Contains("label 3 at index 0"));
}

TEST_CASE("split_first_as_test: the first rows are the test set, the rest the training set",
          "[digits][split]")
{
    temp_dir dir;
    write_text(dir.file("digits.csv"), three_rows() + csv_line(std::vector<int>(64, 2), 4));
    const auto data = xtnn::data::load_digits<double>(dir.path());
    const auto split = xtnn::data::split_first_as_test(data, 1);
    REQUIRE(shape_of(split.x_test) == std::vector<std::size_t>{1, 64});
    REQUIRE(shape_of(split.y_test) == std::vector<std::size_t>{1});
    REQUIRE(shape_of(split.x_train) == std::vector<std::size_t>{3, 64});
    REQUIRE(shape_of(split.y_train) == std::vector<std::size_t>{3});
    CHECK(split.y_test(0) == 7);
    CHECK(split.y_train == xt::xtensor<std::size_t, 1>{0, 9, 4});
    CHECK(split.x_test(0, 20) == 3);  // 20 % 17
    CHECK(split.x_train(0, 20) == 16);
    CHECK(split.x_train(1, 63) == 5);
    CHECK(split.x_train(2, 0) == 2);

    CHECK(xtnn::data::split_first_as_test(data, 0).x_train.shape()[0] == 4);
    CHECK(xtnn::data::split_first_as_test(data, 4).x_test.shape()[0] == 4);
    CHECK(shape_of(xtnn::data::split_first_as_test(data, 4).x_train) ==
          std::vector<std::size_t>{0, 64});
    REQUIRE_THROWS_AS(xtnn::data::split_first_as_test(data, 5), xtnn::shape_error);
    REQUIRE_THROWS_WITH(xtnn::data::split_first_as_test(data, 5),
                        Contains("test_count 5 with images (4, 64) and labels (4,)"));
}

TEST_CASE("digits: parse_digits reads text held in memory, raw or gzip, and names <memory>")
{
    const std::string text = csv_line(image0(), 7) + csv_line(image2(), 9);
    const auto* data = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto raw = xtnn::data::parse_digits<float>(data, text.size());
    const auto gz = xtnn::detail::deflate_all(data, text.size(), xtnn::detail::zformat::gzip);
    const auto inflated = xtnn::data::parse_digits<float>(gz.data(), gz.size());
    for (const auto* set : {&raw, &inflated})
    {
        REQUIRE(shape_of(set->images) == std::vector<std::size_t>{2, 64});
        REQUIRE(set->images(0, 20) == 3);  // 20 % 17
        REQUIRE(set->images(1, 63) == 5);
        REQUIRE(set->labels(0) == 7);
        REQUIRE(set->labels(1) == 9);
    }
    const std::string bad = "1,2,3\n";
    REQUIRE_THROWS_WITH(
        xtnn::data::parse_digits<float>(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()),
        Contains("xtnn::data::parse_digits: \"<memory>\"") && Contains("line 1"));
}
