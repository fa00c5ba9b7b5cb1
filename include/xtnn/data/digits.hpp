// SPDX-License-Identifier: MIT
// The 8x8 handwritten digits (scikit-learn's load_digits: 1797 images, pixels 0..16) read
// from digits.csv(.gz), and the preprocessing the from-scratch tutorial applies to them:
// per-feature standardization, one-hot labels and "the first N samples are the test set".
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/detail/file.hpp>
#include <xtnn/detail/parse.hpp>
#include <xtnn/detail/zlib.hpp>
#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// Pixels per image (8 x 8, row-major) and the number of classes.
inline constexpr std::size_t digits_pixels = 64;
inline constexpr std::size_t digits_classes = 10;

/// The digits data set: images (N, 64) with pixel values 0..16, labels (N,) in 0..9.
template <class T = float>
struct digits_set
{
    using value_type = T;
    xt::xtensor<T, 2> images;
    xt::xtensor<std::size_t, 1> labels;

    /// N, the number of samples.
    std::size_t size() const { return labels.size(); }
};
}  // namespace xtnn::data

namespace xtnn::detail
{
/// Where the file comes from, for the data_not_found message.
inline std::string digits_download_help()
{
    return "The file is scikit-learn's sklearn/datasets/data/digits.csv.gz (Debian package "
           "python3-sklearn installs it under /usr/lib/python3/dist-packages/), the test set of "
           "the UCI \"Optical Recognition of Handwritten Digits\" data: 1797 lines of 64 pixels "
           "0..16 and a label 0..9.\n"
           "Programs take the data directory from --data DIR, else $XTNN_DATA_DIR, else ./data; "
           "the file may sit in it or in its digits/ subdirectory.";
}

/// The first existing file of DIR/digits.csv, DIR/digits.csv.gz, DIR/digits/digits.csv,
/// DIR/digits/digits.csv.gz. @throws data::data_not_found listing them all.
inline std::string digits_locate(const std::string& dir, const char* where)
{
    const std::filesystem::path base(dir);
    const std::array<std::filesystem::path, 4> candidates = {
        base / "digits.csv", base / "digits.csv.gz", base / "digits" / "digits.csv",
        base / "digits" / "digits.csv.gz"};
    std::string tried;
    for (const auto& path : candidates)
    {
        std::error_code ignored;
        if (std::filesystem::is_regular_file(path, ignored))
        {
            return path.string();
        }
        tried += (tried.empty() ? "" : ", ") + quoted(path.string());
    }
    throw data::data_not_found(std::string(where) + ": the 8x8 digits file was not found; tried " +
                               tried + "\n" + digits_download_help());
}

/// A field's text for a message: quoted, cut after 32 characters.
inline std::string digits_field_text(const char* first, const char* last)
{
    const std::size_t size = static_cast<std::size_t>(last - first);
    return "\"" + std::string(first, std::min<std::size_t>(size, 32)) +
           (size > 32 ? "...\"" : "\"");
}

enum class digits_field
{
    ok,
    not_number,
    not_whole,
    out_of_range
};

/// Parses one field (spaces around it allowed) as a whole number in [0, max]: "5", or an
/// integer-valued decimal like "5.0" (some copies of the file write the pixels that way).
inline digits_field digits_parse_field(const char*& first, const char*& last, int max, int& value)
{
    while (first < last && (*first == ' ' || *first == '\t'))
    {
        ++first;
    }
    while (last > first && (last[-1] == ' ' || last[-1] == '\t'))
    {
        --last;
    }
    long whole = 0;
    const auto as_int = std::from_chars(first, last, whole);
    if (as_int.ec == std::errc() && as_int.ptr == last)
    {
        if (whole < 0 || whole > max)
        {
            return digits_field::out_of_range;
        }
        value = static_cast<int>(whole);
        return digits_field::ok;
    }
    double number = 0;
    const auto as_real =
        detail::parse_real(std::string_view(first, static_cast<std::size_t>(last - first)), number);
    if (as_real == detail::parse_status::invalid || std::isnan(number))
    {
        return digits_field::not_number;
    }
    if (as_real == detail::parse_status::ok && std::isfinite(number) &&
        number != std::floor(number))
    {
        return digits_field::not_whole;
    }
    if (as_real == detail::parse_status::out_of_range || !(number >= 0 && number <= max))
    {
        return digits_field::out_of_range;
    }
    value = static_cast<int>(number);
    return digits_field::ok;
}

/// "<what>; expected <kind> 0..<max>, got \"<text>\"" for a field that failed to parse.
inline std::string digits_field_problem(digits_field status, const char* kind, int max,
                                        const char* first, const char* last)
{
    const std::string what = status == digits_field::not_number ? std::string("not a number")
                             : status == digits_field::not_whole
                                 ? std::string("not a whole number")
                                 : std::string(kind) + " out of range";
    return what + "; expected " + kind + " 0.." + std::to_string(max) + ", got " +
           digits_field_text(first, last);
}

/// The most text a gzip digits file may inflate to: 256 MiB bounds a hostile file; the real
/// one inflates to about 300 KB.
inline constexpr std::size_t digits_max_text = std::size_t(1) << 28;

/// Parses the CSV text; `context` is "<where>: \"<path>\"". See data::load_digits.
template <class T>
data::digits_set<T> digits_parse(const char* text, std::size_t size, const std::string& context)
{
    constexpr std::size_t columns = data::digits_pixels + 1;
    const char* pos = text;
    const char* const end = text + size;
    if (size >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
    {
        pos += 3;  // a UTF-8 byte-order mark
    }
    // Rows are parsed straight into flat buffers and copied into the tensors once at the end.
    std::vector<T> pixels;
    std::vector<std::size_t> labels;
    pixels.reserve(1797 * data::digits_pixels);
    labels.reserve(1797);
    for (std::size_t line = 1; pos < end; ++line)
    {
        const char* line_end = std::find(pos, end, '\n');
        const char* next = line_end == end ? end : line_end + 1;
        if (line_end > pos && line_end[-1] == '\r')
        {
            --line_end;
        }
        if (std::all_of(pos, line_end, [](char c) { return c == ' ' || c == '\t'; }))
        {
            pos = next;  // blank lines are skipped, as numpy.loadtxt does
            continue;
        }
        const std::size_t found = static_cast<std::size_t>(std::count(pos, line_end, ',')) + 1;
        if (found != columns)
        {
            throw format_error(context + ": line " + std::to_string(line) +
                               ": wrong number of values; expected 65 (64 pixels, then the "
                               "label), got " +
                               std::to_string(found));
        }
        for (std::size_t column = 0; column < columns; ++column)
        {
            const char* const field_end = std::find(pos, line_end, ',');
            const bool is_label = column == data::digits_pixels;
            const int max = is_label ? 9 : 16;
            const char* first = pos;
            const char* last = field_end;
            int value = 0;
            const digits_field status = digits_parse_field(first, last, max, value);
            if (status != digits_field::ok)
            {
                throw format_error(context + ": line " + std::to_string(line) + ", column " +
                                   std::to_string(column + 1) + ": " +
                                   digits_field_problem(status, is_label ? "a label" : "a pixel",
                                                        max, first, last));
            }
            if (is_label)
            {
                labels.push_back(static_cast<std::size_t>(value));
            }
            else
            {
                pixels.push_back(static_cast<T>(value));
            }
            pos = field_end == line_end ? line_end : field_end + 1;
        }
        pos = next;
    }
    if (labels.empty())
    {
        throw format_error(context +
                           ": no data; expected lines of 65 comma-separated values "
                           "(64 pixels 0..16, then the label 0..9), got " +
                           (size == 0 ? std::string("an empty file") : "only blank lines"));
    }
    data::digits_set<T> set;
    set.images = xt::xtensor<T, 2>::from_shape({labels.size(), data::digits_pixels});
    std::copy(pixels.begin(), pixels.end(), set.images.data());
    set.labels = xt::xtensor<std::size_t, 1>::from_shape({labels.size()});
    std::copy(labels.begin(), labels.end(), set.labels.data());
    return set;
}

/// Reads and parses the digits file at `path` (raw, or gzip told by its magic bytes); see
/// data::load_digits.
template <class T>
data::digits_set<T> digits_read(const std::string& path, const char* where)
{
    static_assert(std::is_arithmetic_v<T>, "load_digits loads into an arithmetic type");
    const std::string context = std::string(where) + ": " + quoted(path);
    std::vector<std::uint8_t> bytes = read_file(path, where);
    if (is_gzip(bytes.data(), bytes.size()))
    {
        bytes = inflate_all(bytes.data(), bytes.size(), zformat::gzip, context, digits_max_text);
    }
    return digits_parse<T>(reinterpret_cast<const char*>(bytes.data()), bytes.size(), context);
}
}  // namespace xtnn::detail

namespace xtnn::data
{
/// Parses the digits file held in memory (raw, or gzip told by its magic bytes), laid out as
/// load_digits reads it; `name` names it in messages.
/// @throws format_error as load_digits, and for gzip data inflating beyond 256 MiB.
template <class T = float>
digits_set<T> parse_digits(const std::uint8_t* data, std::size_t size,
                           const std::string& name = "<memory>")
{
    static_assert(std::is_arithmetic_v<T>, "parse_digits parses into an arithmetic type");
    const std::string context = "xtnn::data::parse_digits: " + xtnn::detail::quoted(name);
    if (xtnn::detail::is_gzip(data, size))
    {
        const auto text = xtnn::detail::inflate_all(data, size, xtnn::detail::zformat::gzip,
                                                    context, xtnn::detail::digits_max_text);
        return xtnn::detail::digits_parse<T>(reinterpret_cast<const char*>(text.data()),
                                             text.size(), context);
    }
    return xtnn::detail::digits_parse<T>(reinterpret_cast<const char*>(data), size, context);
}

/// Loads the 8x8 digits from `dir`/digits.csv or `dir`/digits/digits.csv, each raw or
/// ".gz" (gzip is recognised by its magic bytes, whatever the name). The file has no
/// header; each line is 64 pixels 0..16 (the 8x8 image, row-major) then the label 0..9,
/// comma separated; integer-valued decimals such as "5.0" are accepted, blank lines skipped.
/// Returns images (N, 64) as T and labels (N,); N is 1797 for scikit-learn's file.
/// @throws data_not_found when none of the four files exists (the message says where it
/// looked and where the file comes from).
/// @throws format_error naming the file, line and column of the first bad value, a line
/// without 65 values, or a file without data; io_error when the file cannot be read.
template <class T = float>
digits_set<T> load_digits(const std::string& dir)
{
    constexpr const char* where = "xtnn::data::load_digits";
    return xtnn::detail::digits_read<T>(xtnn::detail::digits_locate(dir, where), where);
}

}  // namespace xtnn::data
