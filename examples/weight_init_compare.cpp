// SPDX-License-Identifier: MIT
// The book's weight-initialisation comparison on MNIST, "Deep Learning from Scratch"
// ch06/weight_init_compare.py, in C++: the same ReLU network initialised with std 0.01,
// Xavier and He, trained by SGD on the same batches, the loss of each every 100 iterations,
// and the smoothed loss curves of the book's figure 6-15 as SVG or PNG.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "book.hpp"
#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 6 weight-init comparison (ch06/weight_init_compare.py): its\n"
    "five-layer MultiLayerNet 784-100-100-100-100-10 (four hidden layers of 100 ReLU units,\n"
    "softmax, biases 0) with weights drawn from N(0, 0.01^2) (\"std=0.01\"), from\n"
    "N(0, 1/n_in) (\"Xavier\") and from N(0, 2/n_in) (\"He\"), each trained by SGD lr 0.01 on\n"
    "the same batches of 128 drawn at random from the 60,000 training images\n"
    "(np.random.choice, with replacement), 2,000 iterations. Every 100 iterations it prints\n"
    "each one's loss on the batch after its update, as the book (\"std=0.01:2.30...\"); the\n"
    "figure smooths each curve with the book's smooth_curve (a Kaiser window of 11). The\n"
    "result line gives each loss as the mean over the last 100 iterations.\n"
    "Unlike the book, the three networks' weights come from one engine seeded --seed, one\n"
    "after the other, and the arithmetic is float.\n";
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("weight_init_compare", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path, "draw the smoothed loss curves in one panel, .svg or .png");
    std::size_t iterations = 2000;
    cli.number("--iterations", iterations, "N", "steps of each network", 1);
    std::size_t hidden = 4;
    cli.number("--hidden", hidden, "N", "hidden layers of 100 units (default {}, the book's)", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights and the batches");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            xtnn::use_default_blas_threads();

            const auto train = xtnn_book::load_part<float>(data_dir, xtnn::data::mnist_part::train);

            // weight_init_types = {'std=0.01': 0.01, 'Xavier': 'sigmoid', 'He': 'relu'}:
            // MultiLayerNet's scale is the number given, sqrt(1/n_in) for 'sigmoid' and
            // sqrt(2/n_in) for 'relu', n_in the width of the layer before
            const xtnn::optimizer_options sgd{xtnn::optimizer_kind::sgd, 0.01};
            const xtnn::network<float> net =
                xtnn_book::multi_layer_net<float>(xtnn_book::hundreds(hidden));
            std::vector<xtnn_book::contender> contenders = {
                {"std=0.01", net, sgd, {}}, {"Xavier", net, sgd, {}}, {"He", net, sgd, {}}};
            std::mt19937_64 engine(seed);
            xtnn::initialize(contenders[0].net, engine, xtnn::init_kind::normal, 0.01);
            xtnn::initialize(contenders[1].net, engine, xtnn::init_kind::xavier);
            xtnn::initialize(contenders[2].net, engine, xtnn::init_kind::he);
            std::printf("784-%s10 ReLU networks on %zu MNIST training images: SGD lr 0.01, batch "
                        "128 drawn at random, %zu iterations, seed %llu\n",
                        xtnn_book::widths(hidden).c_str(), train.size(), iterations,
                        static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            const auto start = std::chrono::steady_clock::now();
            xtnn_book::train_in_lockstep(contenders, train, 128, iterations, 100, seed + 1);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            if (!plot_path.empty())
            {
                xtnn::plot::save(
                    xtnn_book::loss_figure(contenders, "weight init on MNIST (smoothed loss)", 2.5),
                    plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s for 3 networks\n", elapsed.count());
            const double small = xtnn_book::mean_of_last(contenders[0].losses, 100);
            const double xavier = xtnn_book::mean_of_last(contenders[1].losses, 100);
            const double he = xtnn_book::mean_of_last(contenders[2].losses, 100);
            // The book's finding: std 0.01 does not learn at all (its activations vanish
            // layer by layer, and so do the gradients), Xavier and He do, He fastest.
            std::printf("result: final std=0.01 %.3f, Xavier %.3f, He %.3f (mean loss of the last "
                        "100 iterations); Xavier and He below std=0.01: %s\n",
                        small, xavier, he, xavier < small && he < small ? "yes" : "no");
            return 0;
        });
}
