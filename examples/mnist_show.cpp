// SPDX-License-Identifier: MIT
// Looks at MNIST digits, like the book's ch03/mnist_show.py: prints sample N's label and
// the digit as text, and with --png saves it enlarged (or a captioned grid of K digits).
//   mnist_show [--data DIR] [--set train|test] [--index N] [--count K] [--png FILE]
#include <charconv>
#include <cstddef>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtnn/io/data_dir.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/mnist.hpp>

namespace
{
const char* const usage =
    "usage: mnist_show [--data DIR] [--set train|test] [--index N] [--count K] [--png FILE]\n"
    "Prints MNIST digits N .. N+K-1 of a set with their labels, drawn as text.\n"
    "  --data DIR   data directory holding mnist/ (default: $XTNN_DATA_DIR, else ./data)\n"
    "  --set S      train (60000 digits, default) or test (10000)\n"
    "  --index N    first digit to show (default 0: the training set's first digit is a 5)\n"
    "  --count K    how many digits to show (default 1)\n"
    "  --png FILE   also save a PNG: one digit enlarged 4x, or a grid of K captioned digits\n"
    "  --help       print this and exit\n";

// A mistake on the command line: reported with the usage text, exit code 2.
struct usage_error : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

struct options
{
    std::string data;
    xtnn::io::mnist_part part = xtnn::io::mnist_part::train;
    std::size_t index = 0;
    std::size_t count = 1;
    std::string png;
    bool help = false;
};

std::size_t parse_number(const std::string& flag, const std::string& text)
{
    std::size_t value = 0;
    const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || status != std::errc() || end != text.data() + text.size())
    {
        throw usage_error(flag + " expects a whole number 0 or more; got \"" + text + "\"");
    }
    return value;
}

options parse_args(int argc, char** argv)
{
    options opts;
    for (int i = 1; i < argc; ++i)
    {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h")
        {
            opts.help = true;
            continue;
        }
        if (flag != "--data" && flag != "--set" && flag != "--index" && flag != "--count" &&
            flag != "--png")
        {
            throw usage_error("unknown argument \"" + flag + "\"");
        }
        if (i + 1 == argc)
        {
            throw usage_error(flag + " needs a value");
        }
        const std::string value = argv[++i];
        if (flag == "--data")
        {
            opts.data = value;
        }
        else if (flag == "--set")
        {
            if (value != "train" && value != "test")
            {
                throw usage_error("--set expects train or test; got \"" + value + "\"");
            }
            opts.part = value == "train" ? xtnn::io::mnist_part::train : xtnn::io::mnist_part::test;
        }
        else if (flag == "--index")
        {
            opts.index = parse_number(flag, value);
        }
        else if (flag == "--count")
        {
            opts.count = parse_number(flag, value);
            if (opts.count == 0)
            {
                throw usage_error("--count expects at least 1; got 0");
            }
        }
        else
        {
            opts.png = value;
        }
    }
    return opts;
}
}  // namespace

int main(int argc, char** argv)
try
{
    const options opts = parse_args(argc, argv);
    if (opts.help)
    {
        std::cout << usage;
        return 0;
    }

    // The loader looks in the data directory itself and in its mnist/ subdirectory.
    const std::string dir = xtnn::io::resolve_data_dir(opts.data);
    const bool train = opts.part == xtnn::io::mnist_part::train;
    const auto split = xtnn::io::load_mnist_part<float>(dir, opts.part, {true, true, false});
    const std::string set_name = train ? "x_train" : "x_test";
    if (opts.index >= split.size() || opts.count > split.size() - opts.index)
    {
        throw usage_error("--index " + std::to_string(opts.index) + " --count " +
                          std::to_string(opts.count) + " goes past the " +
                          std::to_string(split.size()) + " digits of the " +
                          (train ? "train" : "test") + " set");
    }

    std::vector<xtnn::io::gray_image> digits;
    std::vector<std::string> captions;
    for (std::size_t i = opts.index; i < opts.index + opts.count; ++i)
    {
        // images (N, 784) in [0, 1]: one row is a flat 28 x 28 digit, white on black
        digits.push_back(xtnn::io::to_gray_image(xt::view(split.images, i, xt::all())));
        captions.push_back(std::to_string(static_cast<int>(split.labels(i))));
        std::cout << set_name << '[' << i << "]: label " << captions.back() << '\n'
                  << xtnn::io::digit_to_text(digits.back());
    }

    if (!opts.png.empty())
    {
        // One digit 4x (112 x 112); a grid of up to 10 a row at 3x with readable captions.
        const xtnn::io::gray_image picture =
            digits.size() == 1 ? xtnn::io::enlarge(digits.front(), 4)
                               : xtnn::io::digit_grid(digits, captions, 10, 3);
        xtnn::io::save_png(opts.png, picture);
        std::cout << "wrote " << opts.png << " (" << picture.width << " x " << picture.height
                  << ")\n";
    }
    return 0;
}
catch (const usage_error& e)
{
    std::cerr << "mnist_show: " << e.what() << '\n' << usage;
    return 2;
}
catch (const xtnn::io::data_not_found& e)
{
    std::cerr << e.what() << '\n';
    return 2;
}
catch (const std::exception& e)
{
    std::cerr << "error: " << e.what() << '\n';
    return 1;
}
