// SPDX-License-Identifier: MIT
// Looks at MNIST digits, like the book's ch03/mnist_show.py: prints sample N's label and
// the digit as text, and with --png saves it enlarged (or a captioned grid of K digits).
// --dataset shows another data set of the MNIST family (Fashion-MNIST, EMNIST, ...).
//   mnist_show [--data DIR] [--dataset NAME] [--set train|test] [--index N] [--count K]
//              [--png FILE]
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include <xtnn/data/data_dir.hpp>
#include <xtnn/data/datasets.hpp>
#include <xtnn/io/image.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Prints MNIST digits N .. N+K-1 of a set with their labels, drawn as text.\n";

}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("mnist_show", description);
    std::string data;
    cli.text("--data", data, "DIR",
             "data directory holding mnist/ (default: $XTNN_DATA_DIR, else ./data)");
    std::string dataset = "mnist";
    cli.text("--dataset", dataset, "NAME",
             "{} (default) or another of the family: fashion-mnist, kmnist, emnist-letters, ... "
             "(see mnist_train --help), from DIR/NAME/");
    std::string set = "train";
    cli.choice("--set", set, {"train", "test"}, "train (60000 digits) or test (10000)");
    std::size_t index = 0;
    cli.number("--index", index, "N",
               "first digit to show (default {}: the training set's first digit is a 5)");
    std::size_t count = 1;
    cli.number("--count", count, "K", "how many digits to show", 1);
    std::string png;
    cli.text("--png", png, "FILE",
             "also save a PNG: one digit enlarged 4x, or a grid of K captioned digits");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const bool train = set == "train";

            // The loader looks in the data directory itself and in its mnist/ subdirectory.
            const std::string dir = xtnn::data::resolve_data_dir(data);
            const auto loaded = xtnn::data::load_dataset_part<float>(
                dataset, dir, train ? xtnn::data::mnist_part::train : xtnn::data::mnist_part::test,
                {true, true, false});
            xtnn_examples::print_notes(loaded);
            const auto& split = train ? loaded.train : loaded.test;
            const auto& names = loaded.class_names();
            const std::string set_name = train ? "x_train" : "x_test";
            if (index >= split.size() || count > split.size() - index)
            {
                throw xtnn_examples::usage_error("--index " + std::to_string(index) + " --count " +
                                                 std::to_string(count) + " goes past the " +
                                                 std::to_string(split.size()) + " digits of the " +
                                                 set + " set");
            }

            std::vector<xtnn::io::gray_image> digits;
            std::vector<std::string> captions;
            for (std::size_t i = index; i < index + count; ++i)
            {
                // images (N, 784) in [0, 1]: one row is a flat 28 x 28 digit, white on black
                digits.push_back(xtnn::io::to_gray_image(xt::view(split.images, i, xt::all())));
                const auto label = static_cast<std::size_t>(split.labels(i));
                // The caption font has digits and capitals: short names ("7", "A", "ki") as
                // they are, longer ones ("T-shirt/top") as their label number.
                const bool short_name = names[label].size() <= 3;
                captions.push_back(short_name ? names[label] : std::to_string(label));
                std::cout << set_name << '[' << i << "]: label " << label
                          << (names[label] == std::to_string(label) ? ""
                                                                    : " (" + names[label] + ")")
                          << '\n'
                          << xtnn::io::digit_to_text(digits.back());
            }

            if (!png.empty())
            {
                // One digit 4x (112 x 112); a grid of up to 10 a row at 3x with readable captions.
                const xtnn::io::gray_image picture =
                    digits.size() == 1 ? xtnn::io::enlarge(digits.front(), 4)
                                       : xtnn::io::digit_grid(digits, captions, 10, 3);
                xtnn::io::save_png(picture, png);
                std::cout << "wrote " << png << " (" << picture.width << " x " << picture.height
                          << ")\n";
            }
            return 0;
        });
}
