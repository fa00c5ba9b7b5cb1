// SPDX-License-Identifier: MIT
// What every example program shares: the exit-code convention (0 ok, 1 error, 2 usage error
// or missing data) and the data sets' messages. The examples declare their command lines with
// command_line.hpp (CLI11); the small parser here, `arguments`, is tools/xtnn_convert's.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <exception>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/detail/parse.hpp>
#include <xtnn/error.hpp>

// The source tree the program was built from (examples/CMakeLists.txt defines it), for the
// path of cmake/fetch-data.cmake in messages; else a path relative to that tree.
#ifndef XTNN_SOURCE_DIR
#define XTNN_SOURCE_DIR "."
#endif

namespace xtnn_examples
{
/// A mistake on the command line: reported with the usage text, exit code 2.
struct usage_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// Whether a program takes positional arguments (file names) besides its flags.
enum class positionals
{
    rejected,  ///< every argument is a flag or a flag's value
    accepted,  ///< words not starting with '-', and every word after "--", are positional
};

/// Flags of the form `--name VALUE` (value flags) and `--name` (switches), and, when the
/// program accepts them, positional arguments in their order.
class arguments
{
public:
    /// @throws usage_error for an unknown flag, a value flag without its value, or a
    /// positional argument when `accept` is positionals::rejected.
    arguments(int argc, char** argv, std::set<std::string> value_flags,
              std::set<std::string> switches, positionals accept = positionals::rejected)
    {
        bool only_positional = false;
        for (int i = 1; i < argc; ++i)
        {
            const std::string flag = argv[i];
            const bool is_flag = !only_positional && !flag.empty() && flag[0] == '-';
            if (accept == positionals::accepted && !is_flag)
            {
                m_positional.push_back(flag);
            }
            else if (accept == positionals::accepted && flag == "--")
            {
                only_positional = true;
            }
            else if (flag == "--help" || flag == "-h")
            {
                m_help = true;
            }
            else if (switches.count(flag))
            {
                m_values[flag] = "";
            }
            else if (value_flags.count(flag))
            {
                if (i + 1 == argc)
                {
                    throw usage_error(flag + " needs a value");
                }
                m_values[flag] = argv[++i];
            }
            else
            {
                throw usage_error("unknown argument \"" + flag + "\"");
            }
        }
    }

    bool help() const { return m_help; }
    bool has(const std::string& flag) const { return m_values.count(flag) != 0; }
    /// The positional arguments, in the order given.
    const std::vector<std::string>& positional() const { return m_positional; }

    std::string text(const std::string& flag, const std::string& fallback = "") const
    {
        const auto found = m_values.find(flag);
        return found == m_values.end() ? fallback : found->second;
    }

    /// A whole number >= minimum. @throws usage_error otherwise.
    std::size_t number(const std::string& flag, std::size_t fallback, std::size_t minimum = 0) const
    {
        if (!has(flag))
        {
            return fallback;
        }
        const std::string value = text(flag);
        std::size_t result = 0;
        const auto [end, status] =
            std::from_chars(value.data(), value.data() + value.size(), result);
        if (value.empty() || status != std::errc() || end != value.data() + value.size() ||
            result < minimum)
        {
            throw usage_error(flag + " expects a whole number of at least " +
                              std::to_string(minimum) + "; got \"" + value + "\"");
        }
        return result;
    }

    /// A finite floating-point number >= minimum. @throws usage_error otherwise.
    double real(const std::string& flag, double fallback, double minimum = 0) const
    {
        if (!has(flag))
        {
            return fallback;
        }
        const std::string value = text(flag);
        double result = 0;
        // Not std::stod: it would read "0,5" in a German locale, and not from_chars: libc++
        // before 17 has none for double.
        if (xtnn::detail::parse_real(value, result) != xtnn::detail::parse_status::ok ||
            !std::isfinite(result) || result < minimum)
        {
            throw usage_error(flag + " expects a number of at least " + std::to_string(minimum) +
                              "; got \"" + value + "\"");
        }
        return result;
    }

    /// A comma-separated list of whole numbers >= minimum ("100,50"); `fallback` when the
    /// flag is absent. @throws usage_error for an empty item or a bad number.
    std::vector<std::size_t> list(const std::string& flag, std::vector<std::size_t> fallback,
                                  std::size_t minimum = 0) const
    {
        if (!has(flag))
        {
            return fallback;
        }
        const std::string value = text(flag);
        std::vector<std::size_t> result;
        std::size_t start = 0;
        while (start <= value.size())
        {
            const std::size_t comma = std::min(value.find(',', start), value.size());
            const std::string item = value.substr(start, comma - start);
            std::size_t number = 0;
            const auto [end, status] =
                std::from_chars(item.data(), item.data() + item.size(), number);
            if (item.empty() || status != std::errc() || end != item.data() + item.size() ||
                number < minimum)
            {
                throw usage_error(flag + " expects comma-separated whole numbers of at least " +
                                  std::to_string(minimum) + "; got \"" + value + "\"");
            }
            result.push_back(number);
            start = comma + 1;
        }
        return result;
    }

    /// The path given to `flag` ("" if absent), checked up front to end in .svg or .png,
    /// the formats xtnn::plot::save writes, so a typo fails before training, not after.
    /// @throws usage_error for any other ending.
    std::string plot_path(const std::string& flag) const
    {
        const std::string path = text(flag);
        const auto ends_with = [&](const char* suffix)
        {
            const std::string s(suffix);
            return path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
        };
        if (!path.empty() && !ends_with(".svg") && !ends_with(".png") && !ends_with(".SVG") &&
            !ends_with(".PNG"))
        {
            throw usage_error(flag + " expects a file name ending in .svg or .png; got \"" + path +
                              "\"");
        }
        return path;
    }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
    bool m_help = false;
};

/// parse(value), with an xtnn::error (an unknown name, a bad layer item) reported as a usage
/// error.
template <class Parse>
auto parse_or_usage(Parse parse, const std::string& value)
{
    try
    {
        return parse(value);
    }
    catch (const xtnn::error& e)
    {
        throw usage_error(e.what());
    }
}

/// Prints what the loader changed on the way (EMNIST's transposed images, letters' labels),
/// one "(note)" line each after `indent`. `Set` is an xtnn::data::dataset.
template <class Set>
void print_notes(const Set& set, const char* indent = "")
{
    for (const auto& note : set.notes)
    {
        std::cout << indent << '(' << note << ")\n";
    }
}

/// Prints which data set a program reads, from where, and what the loader changed:
///   data: MNIST (LeCun, Cortes, Burges), 60000 training and 10000 test images, from ...
/// `Set` is an xtnn::data::dataset (a template, so that this header need not include it).
template <class Set>
void print_dataset(const Set& set)
{
    std::string parts;
    if (set.train.size() > 0)
    {
        parts = std::to_string(set.train.size()) + " training";
    }
    if (set.test.size() > 0)
    {
        parts += (parts.empty() ? "" : " and ") + std::to_string(set.test.size()) + " test";
    }
    std::cout << "data: " << set.info->title << ", " << parts << " images, " << set.classes()
              << " classes, from " << set.source << '\n';
    print_notes(set, "  ");
}

/// The command that downloads and verifies `dataset` into `dir`: this source tree's
/// cmake/fetch-data.cmake (the examples are built from it, so its path is known).
inline std::string fetch_command(const std::string& dataset, const std::string& dir)
{
    const auto quote_if_needed = [](const std::string& word)
    { return word.find_first_of(" \t'\"$\\") == std::string::npos ? word : "'" + word + "'"; };
    // The script takes a bare word for a data set's name, so a directory gets a "./".
    const std::string path = dir.find('/') == std::string::npos ? "./" + dir : dir;
    return "cmake -P " + quote_if_needed(XTNN_SOURCE_DIR "/cmake/fetch-data.cmake") + " " +
           dataset + " " + quote_if_needed(path);
}

/// Runs an example's body with the shared conventions: usage errors print the usage (what
/// `usage()` returns) and return 2, missing data prints where it looked and how to get it and
/// returns 2, any other exception prints "error: ..." and returns 1.
template <class Usage, class Body>
int run_with_usage(Usage usage, Body&& body)
{
    try
    {
        return body();
    }
    catch (const usage_error& e)
    {
        std::cerr << "error: " << e.what() << "\n\n" << usage();
        return 2;
    }
    catch (const xtnn::data::data_not_found& e)
    {
        std::cerr << e.what() << '\n';
        if (!e.dataset().empty())
        {
            std::cerr << "\nTo fetch and verify it:\n  "
                      << fetch_command(e.dataset(), e.directory()) << '\n';
        }
        return 2;
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
/// run_with_usage with a fixed usage text (tools/xtnn_convert's).
template <class Body>
int run(const char* usage, Body&& body)
{
    return run_with_usage([usage] { return usage; }, std::forward<Body>(body));
}
}  // namespace xtnn_examples
