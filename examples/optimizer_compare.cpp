// SPDX-License-Identifier: MIT
// The book's optimizer comparison on MNIST, "Deep Learning from Scratch"
// ch06/optimizer_compare_mnist.py, in C++: the same ReLU network trained by SGD, Momentum,
// AdaGrad and Adam on the same batches, the loss of each every 100 iterations, and the
// smoothed loss curves of the book's figure 6-9 as SVG or PNG.
#include <algorithm>
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
    "The book's chapter 6 optimizer comparison (ch06/optimizer_compare_mnist.py): its\n"
    "five-layer MultiLayerNet 784-100-100-100-100-10 (four hidden layers of 100 ReLU units,\n"
    "softmax; He init, N(0, 2/n_in), biases 0) trained by each optimizer on the same batches\n"
    "of 128 drawn at random from the 60,000 training images (np.random.choice, with\n"
    "replacement), 2,000 iterations, the book's hyper-parameters: SGD lr 0.01; Momentum lr\n"
    "0.01, momentum 0.9; AdaGrad lr 0.01; Adam lr 0.001, beta1 0.9, beta2 0.999 (epsilon\n"
    "1e-7 for all, as the book). Every 100 iterations it prints each one's loss on the\n"
    "batch after its update, as the book (\"SGD:2.29...\"); the figure smooths each curve with\n"
    "the book's smooth_curve (a Kaiser window of 11). The result line gives each loss as\n"
    "the mean over the last 100 iterations.\n"
    "Unlike the book, all networks start from the same weights (the book draws each its\n"
    "own), and the arithmetic is float.\n";

/// The book's name and hyper-parameters of an optimizer (common/optimizer.py's defaults).
xtnn_book::contender book_optimizer(xtnn::optimizer_kind kind)
{
    xtnn::optimizer_options o;
    o.kind = kind;
    o.learning_rate = 0.01;
    o.epsilon = 1e-7;
    std::string name;
    switch (kind)
    {
    case xtnn::optimizer_kind::sgd:
        name = "SGD";
        break;
    case xtnn::optimizer_kind::momentum:
        name = "Momentum";
        o.momentum = 0.9;
        break;
    case xtnn::optimizer_kind::nesterov:
        name = "Nesterov";
        o.momentum = 0.9;
        break;
    case xtnn::optimizer_kind::adagrad:
        name = "AdaGrad";
        break;
    case xtnn::optimizer_kind::rmsprop:
        name = "RMSprop";
        o.rho = 0.99;  // the book's decay_rate
        break;
    case xtnn::optimizer_kind::adam:
        name = "Adam";
        o.learning_rate = 0.001;
        o.beta1 = 0.9;
        o.beta2 = 0.999;
        break;
    case xtnn::optimizer_kind::adamw:
        name = "AdamW";
        o.learning_rate = 0.001;
        o.weight_decay = 0.004;
        break;
    }
    return {name, {}, o, {}};
}

/// "sgd,adam" as optimizer kinds, each once.
std::vector<xtnn::optimizer_kind> parse_list(const std::string& list)
{
    std::vector<xtnn::optimizer_kind> kinds;
    std::size_t start = 0;
    while (start <= list.size())
    {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        const xtnn::optimizer_kind kind = xtnn_examples::parse_or_usage(
            [](const std::string& name) { return xtnn::parse_optimizer(name); },
            list.substr(start, comma - start));
        if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end())
        {
            throw xtnn_examples::usage_error("--optimizers names " +
                                             std::string(xtnn::to_string(kind)) + " twice");
        }
        kinds.push_back(kind);
        start = comma + 1;
    }
    return kinds;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("optimizer_compare", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path, "draw the smoothed loss curves in one panel, .svg or .png");
    std::string optimizers = "sgd,momentum,adagrad,adam";
    cli.text("--optimizers", optimizers, "LIST",
             "comma-separated, of sgd, momentum, adagrad, adam (the default {}), rmsprop (the "
             "book's: lr 0.01, decay 0.99), nesterov (the book's: lr 0.01, momentum 0.9) and "
             "adamw (lr 0.001, decoupled decay 0.004, Keras's default)");
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
            const std::vector<xtnn::optimizer_kind> kinds = parse_list(optimizers);
            xtnn::use_default_blas_threads();

            const auto train = xtnn_book::load_part<float>(data_dir, xtnn::data::mnist_part::train);

            // MultiLayerNet(784, [100] * hidden, 10), weight_init_std='relu': He
            xtnn::network<float> net =
                xtnn_book::multi_layer_net<float>(xtnn_book::hundreds(hidden));
            std::mt19937_64 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::he);
            std::vector<xtnn_book::contender> contenders;
            for (const auto kind : kinds)
            {
                contenders.push_back(book_optimizer(kind));
                contenders.back().net = net;
            }
            std::printf("784-%s10 ReLU network (He init) on %zu MNIST training images: batch 128 "
                        "drawn at random, %zu iterations, %zu optimizers, seed %llu\n",
                        xtnn_book::widths(hidden).c_str(), train.size(), iterations,
                        contenders.size(), static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            const auto start = std::chrono::steady_clock::now();
            xtnn_book::train_in_lockstep(contenders, train, 128, iterations, 100, seed + 1);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            if (!plot_path.empty())
            {
                xtnn::plot::save(
                    xtnn_book::loss_figure(contenders, "optimizers on MNIST (smoothed loss)", 1),
                    plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s for %zu networks\n", elapsed.count(), contenders.size());
            // The headline: each optimizer's loss at the end, and the book's finding that
            // AdaGrad and Adam learn faster than SGD (when all three are in the run).
            std::string finals;
            double sgd = -1, adagrad = -1, adam = -1;
            for (const auto& c : contenders)
            {
                const double last = xtnn_book::mean_of_last(c.losses, 100);
                char item[64];
                std::snprintf(item, sizeof item, "%s%s %.3f", finals.empty() ? "" : ", ",
                              c.name.c_str(), last);
                finals += item;
                if (c.name == "SGD")
                {
                    sgd = last;
                }
                else if (c.name == "AdaGrad")
                {
                    adagrad = last;
                }
                else if (c.name == "Adam")
                {
                    adam = last;
                }
            }
            std::string verdict;
            if (sgd >= 0 && adagrad >= 0 && adam >= 0)
            {
                verdict = std::string("; AdaGrad and Adam below SGD: ") +
                          (adagrad < sgd && adam < sgd ? "yes" : "no");
            }
            std::printf("result: final %s (mean loss of the last 100 iterations)%s\n",
                        finals.c_str(), verdict.c_str());
            return 0;
        });
}
