// SPDX-License-Identifier: MIT
// Tests for xtnn/detail/parse.hpp: parse_real reads from_chars's syntax on every standard
// library (libc++ 14 has no floating-point from_chars) and ignores the program's locale.
#include <clocale>
#include <cmath>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include <xtnn/detail/parse.hpp>

namespace
{
using xtnn::detail::parse_real;
using xtnn::detail::parse_status;

double parsed(const std::string& text)
{
    double value = -7;
    const parse_status status = parse_real(text, value);
    REQUIRE(status == parse_status::ok);
    return value;
}
}  // namespace

TEST_CASE("parse_real: reads decimals and exponents like from_chars", "[parse]")
{
    CHECK(parsed("5") == 5);
    CHECK(parsed("5.0") == 5);
    CHECK(parsed("-1") == -1);
    CHECK(parsed("3.50") == 3.5);
    CHECK(parsed(".5") == 0.5);
    CHECK(parsed("5.") == 5);
    CHECK(parsed("1e3") == 1000);
    CHECK(parsed("1E+3") == 1000);
    CHECK(parsed("2.5e-3") == 0.0025);
    CHECK(parsed("0.1") == 0.1);   // correctly rounded, the same double as the literal
    CHECK(parsed("1e-999") == 0);  // underflow: 0, as from strtod
    CHECK(std::isinf(parsed("inf")));
    CHECK(parsed("-Infinity") == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(parsed("NaN")));
}

TEST_CASE("parse_real: refuses what is not a number, and says when one overflows", "[parse]")
{
    for (const char* text : {"", "-", ".", "e5", "1e", "1e+", "+1", " 1", "1 ", "0x10", "1,5",
                             "four", "1.5.2", "--1", "infinite"})
    {
        double value = -7;
        INFO('"' << text << '"');
        CHECK(parse_real(text, value) == parse_status::invalid);
        CHECK(value == -7);
    }
    double value = 0;
    CHECK(parse_real("1e999", value) == parse_status::out_of_range);
    CHECK(value == std::numeric_limits<double>::infinity());
    CHECK(parse_real("-1e999", value) == parse_status::out_of_range);
    CHECK(value == -std::numeric_limits<double>::infinity());
}

TEST_CASE("parse_real: a '.' is the decimal point whatever locale the program set", "[parse]")
{
    // A locale with a decimal comma, where the machine has one (else the classic locale: the
    // test still passes, and proves nothing more than the cases above).
    std::string previous = std::setlocale(LC_ALL, nullptr);
    for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"})
    {
        if (std::setlocale(LC_ALL, name) != nullptr)
        {
            break;
        }
    }
    double value = 0;
    const parse_status dot = parse_real("0.5", value);
    const double dot_value = value;
    const parse_status comma = parse_real("0,5", value);
    std::setlocale(LC_ALL, previous.c_str());
    CHECK(dot == parse_status::ok);
    CHECK(dot_value == 0.5);
    CHECK(comma == parse_status::invalid);
}
