// SPDX-License-Identifier: MIT
// The examples' command lines, declared with CLI11 (Debian's libcli11-dev): each option is
// one declaration (its flag, its value's name, its help, its default, its check) from which
// CLI11 parses and xtnn_examples::help_formatter writes --help in the examples' form:
//
//   usage: NAME [--flag VALUE] [--switch] REQUIRED VALUE POSITIONAL...
//   The description paragraph.
//     --flag VALUE        help, with " (default X)" from the declared default
//
// Defaults come from the variables the options write to: a declaration's help gets
// " (default X)" appended, or X in place of "{}" where the help says it itself; an option
// without a default shown has default_str(""). Checks that fail are usage errors (exit 2,
// see xtnn_examples::run). The examples are not installed: only they see this dependency.
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtnn/detail/parse.hpp>

#include "cli.hpp"

namespace xtnn_examples
{
namespace detail
{
/// Reads a whole number >= minimum (decimal digits only) into `result`; "" if it is one, else
/// what is wrong with it.
template <class Unsigned>
std::string read_number(const std::string& value, Unsigned minimum, Unsigned& result)
{
    Unsigned number = 0;
    const auto [end, status] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (value.empty() || status != std::errc() || end != value.data() + value.size() ||
        number < minimum)
    {
        return "expects a whole number of at least " + std::to_string(minimum) + "; got \"" +
               value + "\"";
    }
    result = number;
    return "";
}

/// A number as --help shows it: 0.001, 0.2, 1e-07.
inline std::string show_real(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
}

/// Reads a finite number >= minimum and below `below` into `result`; "" if it is one, else
/// what is wrong with it. Not std::stod: it would read "0,5" in a German locale, and not
/// from_chars: libc++ before 17 has none for double.
inline std::string read_real(const std::string& value, double minimum, double below, double& result)
{
    double number = 0;
    if (xtnn::detail::parse_real(value, number) != xtnn::detail::parse_status::ok ||
        !std::isfinite(number) || number < minimum || !(number < below))
    {
        return "expects a number of at least " + show_real(minimum) +
               (std::isfinite(below) ? " and below " + show_real(below) : std::string()) +
               "; got \"" + value + "\"";
    }
    result = number;
    return "";
}

/// Reads comma-separated whole numbers >= minimum ("100,50") into `result`; "" if they are,
/// else what is wrong.
inline std::string read_list(const std::string& value, std::size_t minimum,
                             std::vector<std::size_t>& result)
{
    std::vector<std::size_t> numbers;
    std::size_t start = 0;
    while (start <= value.size())
    {
        const std::size_t comma = std::min(value.find(',', start), value.size());
        std::size_t number = 0;
        if (!read_number<std::size_t>(value.substr(start, comma - start), minimum, number).empty())
        {
            return "expects comma-separated whole numbers of at least " + std::to_string(minimum) +
                   "; got \"" + value + "\"";
        }
        numbers.push_back(number);
        start = comma + 1;
    }
    result = std::move(numbers);
    return "";
}

/// "" if `path` ends in .svg or .png (the formats xtnn::plot::save writes), else what is wrong.
inline std::string check_plot_path(const std::string& path)
{
    for (const char* suffix : {".svg", ".png", ".SVG", ".PNG"})
    {
        const std::string s(suffix);
        if (path.size() > s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0)
        {
            return "";
        }
    }
    return "expects a file name ending in .svg or .png; got \"" + path + "\"";
}

/// `text` broken into lines of at most `width` characters, the first after `first` (already
/// written, `first_width` wide), the others indented by `indent` spaces. A '\n' in `text`
/// starts a new line; the leading spaces of a line indent its continuations too, and a line
/// starting "- " (an item of a list) indents them two more.
inline std::string wrap(const std::string& text, std::size_t indent, std::size_t width,
                        std::size_t first_width)
{
    std::string out;
    std::size_t column = first_width;
    std::istringstream lines(text);
    std::string line;
    bool first_line = true;
    while (std::getline(lines, line))
    {
        if (!first_line)
        {
            out += '\n' + std::string(indent, ' ');
            column = indent;
        }
        first_line = false;
        const std::size_t lead = line.find_first_not_of(' ');
        if (lead == std::string::npos)
        {
            continue;
        }
        out += line.substr(0, lead);
        column += lead;
        const std::size_t hang =
            indent + lead + (line.compare(lead, 2, "- ") == 0 ? std::size_t{2} : 0);
        std::istringstream words(line.substr(lead));
        std::string word;
        bool line_start = true;
        while (words >> word)
        {
            if (!line_start && column + 1 + word.size() > width)
            {
                out += '\n' + std::string(hang, ' ');
                column = hang;
                line_start = true;
            }
            if (!line_start)
            {
                out += ' ';
                ++column;
            }
            out += word;
            column += word.size();
            line_start = false;
        }
    }
    return out;
}
}  // namespace detail

/// --help in the examples' form (see the top of this file) from an App's declarations: the
/// synopsis in declaration order (optional options bracketed, positionals last), the
/// description, one line per option and positional, then the footer.
class help_formatter : public CLI::Formatter
{
public:
    static constexpr std::size_t width = 92;   ///< lines are at most this wide
    static constexpr std::size_t column = 22;  ///< where the options' help starts

    std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override
    {
        std::vector<const CLI::Option*> options;
        std::vector<const CLI::Option*> positionals;
        for (const CLI::Option* option : app->get_options())
        {
            if (option != app->get_help_ptr())
            {
                (option->get_positional() ? positionals : options).push_back(option);
            }
        }

        // The synopsis: a new line only before a bracketed item, so that every line after the
        // first starts with "[" (check_readme_usage.cmake reads it so).
        const std::string head = "usage: " + app->get_name();
        std::string out = head;
        std::size_t line_width = head.size();
        const auto add_item = [&](const std::string& item)
        {
            if (line_width + 1 + item.size() > width && item[0] == '[')
            {
                out += '\n' + std::string(head.size(), ' ');
                line_width = head.size();
            }
            out += ' ' + item;
            line_width += 1 + item.size();
        };
        for (const CLI::Option* option : options)
        {
            add_item(bracket(option, label(option)));
        }
        for (const CLI::Option* option : positionals)
        {
            add_item(bracket(option, label(option)));
        }
        out += '\n';

        out += app->get_description();
        if (!out.empty() && out.back() != '\n')
        {
            out += '\n';
        }
        for (const CLI::Option* option : options)
        {
            out += option_line(option);
        }
        for (const CLI::Option* option : positionals)
        {
            out += option_line(option);
        }
        out += app->get_footer();
        if (!out.empty() && out.back() != '\n')
        {
            out += '\n';
        }
        return out;
    }

private:
    /// "--flag VALUE", "--switch", "IMAGE" or "IMAGE..." (more than one allowed).
    static std::string label(const CLI::Option* option)
    {
        if (option->get_positional())
        {
            return option->get_name(true) + (option->get_items_expected_max() > 1 ? "..." : "");
        }
        const std::string value = option->get_type_size() == 0 ? "" : option->get_type_name();
        return option->get_name() + (value.empty() ? "" : " " + value);
    }

    static std::string bracket(const CLI::Option* option, const std::string& item)
    {
        return option->get_required() ? item : "[" + item + "]";
    }

    /// The help with its default: in place of "{}", else appended as " (default X)".
    static std::string help(const CLI::Option* option)
    {
        std::string text = option->get_description();
        const std::string fallback = option->get_default_str();
        const std::size_t slot = text.find("{}");
        if (slot != std::string::npos)
        {
            text.replace(slot, 2, fallback);
        }
        else if (!fallback.empty())
        {
            text += " (default " + fallback + ")";
        }
        return text;
    }

    static std::string option_line(const CLI::Option* option)
    {
        std::string line = "  " + label(option);
        if (line.size() + 2 > column)
        {
            line += '\n';
            line += std::string(column, ' ');
        }
        else
        {
            line += std::string(column - line.size(), ' ');
        }
        return line + detail::wrap(help(option), column, width, column) + '\n';
    }
};

/// An example's command line: its options declared one per call (each returns the CLI11
/// option, for ->required() and the like), then parse(). A check that fails, an unknown
/// flag, a missing value are usage errors.
class command_line
{
public:
    /// `description` and `footer` are printed as given (their own line breaks), before and
    /// after the options.
    command_line(std::string name, std::string description, std::string footer = "")
      : m_app(std::move(description), std::move(name))
    {
        m_app.formatter(std::make_shared<help_formatter>());
        m_app.footer(std::move(footer));
        // As before CLI11: a flag given twice takes its last value.
        m_app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }

    /// The text after the options, printed as given.
    void footer(std::string text) { m_app.footer(std::move(text)); }

    command_line(const command_line&) = delete;
    command_line& operator=(const command_line&) = delete;

    /// `--flag VALUE`, any text; its default (shown in --help) is `value`'s, if not empty.
    CLI::Option* text(const std::string& flag, std::string& value, const std::string& value_name,
                      const std::string& help)
    {
        return m_app.add_option(flag, value, help)->type_name(value_name)->default_str(value);
    }

    /// `--data DIR`, said the same way in every program: "folder holding <holding>; default
    /// $XTNN_DATA_DIR, else ./data" (xtnn::data::resolve_data_dir's order).
    CLI::Option* data_dir(std::string& value, const std::string& holding = "mnist/")
    {
        return text("--data", value, "DIR",
                    "folder holding " + holding + "; default $XTNN_DATA_DIR, else ./data");
    }

    /// `--flag VALUE`, text from `choices` ("train|test" in --help unless `value_name` says
    /// otherwise).
    CLI::Option* choice(const std::string& flag, std::string& value,
                        const std::vector<std::string>& choices, const std::string& help)
    {
        std::string names;
        std::string listed;
        for (std::size_t i = 0; i < choices.size(); ++i)
        {
            names += (i ? "|" : "") + choices[i];
            listed += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
        }
        const auto check = [choices, listed](std::string& given) -> std::string
        {
            return std::find(choices.begin(), choices.end(), given) != choices.end()
                       ? ""
                       : "expects " + listed + "; got \"" + given + "\"";
        };
        return text(flag, value, names, help)->check(CLI::Validator(check, ""));
    }

    /// `--flag N`, a whole number >= minimum.
    template <class Unsigned>
    CLI::Option* number(const std::string& flag, Unsigned& value, const std::string& value_name,
                        const std::string& help, std::common_type_t<Unsigned> minimum = 0)
    {
        static_assert(std::is_unsigned<Unsigned>::value, "number() reads unsigned integers");
        const auto read = [&value, minimum](const CLI::results_t& given)
        { return detail::read_number(given.back(), minimum, value).empty(); };
        const auto check = [minimum](std::string& given)
        {
            Unsigned unused = 0;
            return detail::read_number(given, minimum, unused);
        };
        return typed(flag, read, value_name, help, std::to_string(value), check);
    }

    /// `--flag X`, a finite number >= minimum and below `below`.
    CLI::Option* real(const std::string& flag, double& value, const std::string& value_name,
                      const std::string& help, double minimum = 0,
                      double below = std::numeric_limits<double>::infinity())
    {
        const auto read = [&value, minimum, below](const CLI::results_t& given)
        { return detail::read_real(given.back(), minimum, below, value).empty(); };
        const auto check = [minimum, below](std::string& given)
        {
            double unused = 0;
            return detail::read_real(given, minimum, below, unused);
        };
        return typed(flag, read, value_name, help, detail::show_real(value), check);
    }

    /// `--flag LIST`, comma-separated whole numbers >= minimum ("256,128").
    CLI::Option* list(const std::string& flag, std::vector<std::size_t>& value,
                      const std::string& value_name, const std::string& help,
                      std::size_t minimum = 0)
    {
        const auto read = [&value, minimum](const CLI::results_t& given)
        { return detail::read_list(given.back(), minimum, value).empty(); };
        const auto check = [minimum](std::string& given)
        {
            std::vector<std::size_t> unused;
            return detail::read_list(given, minimum, unused);
        };
        std::string shown;
        for (std::size_t item : value)
        {
            shown += (shown.empty() ? "" : ",") + std::to_string(item);
        }
        return typed(flag, read, value_name, help, shown, check);
    }

    /// `--flag FILE`, a file name ending in .svg or .png, checked before any work is done (so
    /// a typo fails before training, not after).
    CLI::Option* plot(const std::string& flag, std::string& path, const std::string& help,
                      const std::string& value_name = "FILE")
    {
        return text(flag, path, value_name, help)
            ->check(CLI::Validator(
                [](std::string& given) { return detail::check_plot_path(given); }, ""));
    }

    /// `--switch`.
    CLI::Option* flag(const std::string& flag, bool& value, const std::string& help)
    {
        return m_app.add_flag(flag, value, help);
    }

    /// Positional arguments (after the flags in --help; after "--" every word is one).
    CLI::Option* positionals(const std::string& name, std::vector<std::string>& values,
                             const std::string& help)
    {
        return m_app.add_option(name, values, help);
    }

    /// Whether `flag` was on the command line.
    bool given(const std::string& flag) const { return m_app.count(flag) > 0; }

    /// The text --help prints.
    std::string help() const { return m_app.help(); }

    /// Parses the command line into the declared variables. Returns false after printing the
    /// help for -h or --help. @throws usage_error for anything CLI11 or a check refuses.
    bool parse(int argc, char** argv)
    {
        // --help wins over a bad value elsewhere (CLI11 would check the values first).
        for (int i = 1; i < argc && std::string(argv[i]) != "--"; ++i)
        {
            if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h")
            {
                std::cout << help();
                return false;
            }
        }
        try
        {
            m_app.parse(argc, argv);
            return true;
        }
        catch (const CLI::CallForHelp&)
        {
            std::cout << help();
            return false;
        }
        catch (const CLI::RequiredError& e)
        {
            // "--model FILE is required", "no image given (IMAGE...)": the first required
            // option left out, with its value's name.
            for (const CLI::Option* option : m_app.get_options())
            {
                if (option->get_required() && option->count() == 0)
                {
                    if (!option->get_positional())
                    {
                        throw usage_error(option->get_name() + " " + option->get_type_name() +
                                          " is required");
                    }
                    std::string name = option->get_name(true);
                    std::transform(name.begin(), name.end(), name.begin(),
                                   [](char c) { return static_cast<char>(std::tolower(c)); });
                    throw usage_error("no " + name + " given (" + option->get_name(true) +
                                      (option->get_items_expected_max() > 1 ? "..." : "") + ")");
                }
            }
            throw usage_error(e.what());
        }
        catch (const CLI::ArgumentMismatch& e)
        {
            // CLI11 says "--epochs: 1 required N missing" for a flag at the end without its
            // value; say it as the examples always have.
            const std::string what = e.what();
            const std::size_t colon = what.find(": ");
            const std::string suffix = " missing";
            if (colon != std::string::npos && what.size() > suffix.size() &&
                what.compare(what.size() - suffix.size(), suffix.size(), suffix) == 0)
            {
                throw usage_error(what.substr(0, colon) + " needs a value");
            }
            throw usage_error(what);
        }
        catch (const CLI::ParseError& e)
        {
            throw usage_error(e.what());
        }
    }

private:
    template <class Read, class Check>
    CLI::Option* typed(const std::string& flag, Read read, const std::string& value_name,
                       const std::string& help, const std::string& shown, Check check)
    {
        return m_app.add_option(flag, CLI::callback_t(read), help)
            ->type_name(value_name)
            ->type_size(1)
            ->expected(1)
            ->default_str(shown)
            ->check(CLI::Validator(check, ""));
    }

    CLI::App m_app;
};

/// xtnn_examples::run with the usage text --help prints.
template <class Body>
int run(const command_line& cli, Body&& body)
{
    return run_with_usage([&] { return cli.help(); }, std::forward<Body>(body));
}
}  // namespace xtnn_examples
