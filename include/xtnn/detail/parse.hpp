// SPDX-License-Identifier: MIT
// Reading a real number from text the same way on every standard library and in every
// locale: std::from_chars for floating point is missing from libc++ before 17 (Debian 12's
// libc++-14, Apple's), and std::stod/strtod read "0,5" instead of "0.5" once a program has
// called setlocale. parse_real checks the syntax itself and converts in the classic locale.
#pragma once

#include <cctype>
#include <cstddef>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>

namespace xtnn::detail
{
/// What parse_real made of its text.
enum class parse_status
{
    ok,
    invalid,      ///< not a number in the syntax below (nothing is written to `value`)
    out_of_range  ///< a number, but beyond what a double holds (`value` is +-infinity)
};

/// Case-insensitive comparison of `text` with a lower-case `word`.
inline bool equals_lower(std::string_view text, std::string_view word)
{
    if (text.size() != word.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        if (std::tolower(static_cast<unsigned char>(text[i])) != word[i])
        {
            return false;
        }
    }
    return true;
}

/// Parses all of `text` as a real number with std::from_chars's syntax (general format):
/// an optional '-', digits with an optional '.' and fraction (at least one digit), an
/// optional exponent [eE][+-]digits; or inf, infinity, nan (any case). No spaces, no '+'.
/// A value too small for a double becomes 0 or a subnormal, as from strtod.
inline parse_status parse_real(std::string_view text, double& value)
{
    std::size_t i = 0;
    const bool negative = i < text.size() && text[i] == '-';
    i += negative ? 1 : 0;
    const std::string_view word = text.substr(i);
    if (equals_lower(word, "inf") || equals_lower(word, "infinity"))
    {
        value = negative ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
        return parse_status::ok;
    }
    if (equals_lower(word, "nan"))
    {
        value = std::numeric_limits<double>::quiet_NaN();
        return parse_status::ok;
    }
    const auto digits = [&]
    {
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        {
            ++i;
        }
        return i - start;
    };
    std::size_t mantissa = digits();
    if (i < text.size() && text[i] == '.')
    {
        ++i;
        mantissa += digits();
    }
    if (mantissa == 0)
    {
        return parse_status::invalid;
    }
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E'))
    {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-'))
        {
            ++i;
        }
        if (digits() == 0)
        {
            return parse_status::invalid;
        }
    }
    if (i != text.size())
    {
        return parse_status::invalid;
    }
    // The syntax is valid, so the stream fails only on a number out of range. Overflow
    // leaves a huge value (libstdc++: the largest double, libc++: infinity); underflow
    // (libc++ fails on it too) leaves 0 or a subnormal, which is the answer.
    std::istringstream in{std::string(text)};
    in.imbue(std::locale::classic());
    double number = 0;
    in >> number;
    if (in.fail() && !(number > -1 && number < 1))
    {
        value = negative ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
        return parse_status::out_of_range;
    }
    value = number;
    return parse_status::ok;
}
}  // namespace xtnn::detail
