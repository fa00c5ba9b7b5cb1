// SPDX-License-Identifier: MIT
// The BatchNorm experiment of "Deep Learning from Scratch" chapter 6 (ch06/batch_norm_test.py)
// in C++: a 784-100x5-10 ReLU network with and without BatchNorm, trained from the same
// initial weights for 16 weight-init standard deviations from 1 down to 1e-4, and its training
// accuracy per epoch; optionally the 4x4 grid of curves as SVG or PNG.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 6 BatchNorm experiment: 784-100-100-100-100-100-10 networks (ReLU,\n"
    "softmax) with BatchNorm after each hidden dense layer and without, SGD lr 0.01, batch\n"
    "100, on the first MNIST training images; weights ~ N(0, std^2), biases 0, for stds\n"
    "log-spaced from 1 to 1e-4 (np.logspace(0, -4, 16)), both networks of a std from the\n"
    "same weights. After each epoch it scores the training images in inference mode, as\n"
    "the book's accuracy(); it prints both last scores per std (a run that diverges keeps\n"
    "its last score, or 0.1 if none), then at how many stds BatchNorm is ahead.\n"
    "Unlike the book, an epoch is one shuffled pass over the images (the book draws each\n"
    "batch with replacement), both networks see the same batches, scores are taken after\n"
    "whole epochs (the book's first after one step), and the arithmetic is float.\n";

/// The i-th of n stds log-spaced from 10^0 to 10^-4, as np.logspace(0, -4, n):
/// std_i = 10^(-4 i / (n - 1)); one scale is just 1.
double log_spaced_std(std::size_t i, std::size_t n)
{
    return n == 1 ? 1.0
                  : std::pow(10.0, -4.0 * static_cast<double>(i) / static_cast<double>(n - 1));
}

/// The book's MultiLayerNetExtend(784, [100] * 5, 10): dense → [BatchNorm →] ReLU per hidden
/// layer, then dense → softmax. BatchNorm as the book's layer: momentum 0.9, ε = 1e-6 (its
/// 10e-7), the biased batch variance in the running variance, and running statistics that
/// start at 0 (xtnn's variance starts at 1, as PyTorch's: training is the same, but the first
/// epochs' inference scores at small stds would stay near chance while it decays, 0.9^steps).
xtnn::network<float> book_network(bool use_batch_norm)
{
    xtnn::network<float> net(784);
    for (int hidden = 0; hidden < 5; ++hidden)
    {
        net.add(xtnn::dense(100));
        if (use_batch_norm)
        {
            net.add(xtnn::batch_norm(0.9, 1e-6, false));
        }
        net.add(xtnn::relu());
    }
    net.add(xtnn::dense(10)).add(xtnn::softmax());
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        if (net.layer(l).kind() == xtnn::batch_norm<float>::kind)
        {
            net.mutable_layer(l).get<xtnn::batch_norm<float>>().running_variance().fill(0);
        }
    }
    return net;
}

/// One network's run: the training accuracy after each epoch, and whether it diverged.
struct run_result
{
    std::vector<double> accuracy;  ///< one per epoch completed (all of them unless diverged)
    bool diverged = false;

    /// The accuracy the comparison counts: the last one measured, 0.1 (chance) if none.
    double final_accuracy() const { return accuracy.empty() ? 0.1 : accuracy.back(); }
};

/// Initialises `net` with N(0, stddev²) kernels from a fresh engine seeded `seed` (so two
/// networks of the same dense layers get the same weights), trains it and scores x after
/// every epoch. A divergence stops the run and is reported in the result, not thrown.
run_result train(xtnn::network<float>& net, double stddev, const xt::xtensor<float, 2>& x,
                 const xt::xtensor<float, 1>& y, xtnn::fit_options<float> options,
                 std::uint64_t seed)
{
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine, xtnn::init_kind::normal, static_cast<float>(stddev));
    run_result result;
    // fit's own accuracy is a running figure in training mode; the book's accuracy() scores
    // all the training images again in inference mode, so do that.
    options.on_epoch_end([&](const xtnn::epoch_record&, xtnn::network<float>& n)
                         { result.accuracy.push_back(xtnn::evaluate(n, x, y).accuracy); });
    try
    {
        xtnn::fit(net, x, y, options);
    }
    catch (const xtnn::training_diverged&)
    {
        result.diverged = true;
    }
    return result;
}

/// "std 1.0e-02"
std::string std_title(double stddev)
{
    char text[32];
    std::snprintf(text, sizeof text, "std %.1e", stddev);
    return text;
}

/// The grid of curves, a panel per std: BatchNorm solid, without dashed, accuracy 0 .. 1; a
/// run that diverged ends in a cross at the accuracy it counts as. Axis labels on the outer
/// panels only, the legend in the first.
xtnn::plot::figure curves_figure(const std::vector<double>& stds,
                                 const std::vector<run_result>& with_bn,
                                 const std::vector<run_result>& without, std::size_t epochs)
{
    xtnn::plot::figure figure;
    figure.columns = 4;
    figure.panel_width = 320;
    figure.panel_height = 240;
    const std::size_t rows = (stds.size() + figure.columns - 1) / figure.columns;
    bool any_diverged = false;
    for (std::size_t i = 0; i < stds.size(); ++i)
    {
        xtnn::plot::panel panel;
        panel.title = std_title(stds[i]);
        panel.x_label = i / figure.columns + 1 == rows ? "epoch" : "";
        panel.y_label = i % figure.columns == 0 ? "training accuracy" : "";
        panel.x_min = 0;
        panel.x_max = static_cast<double>(epochs);
        panel.y_min = 0;
        panel.y_max = 1;
        panel.integer_x = true;
        panel.legend = i == 0;
        for (const bool bn : {true, false})
        {
            const run_result& run = bn ? with_bn[i] : without[i];
            xtnn::plot::series curve =
                xtnn::plot::by_index(bn ? "with BatchNorm" : "without BatchNorm", run.accuracy);
            curve.color = bn ? "#1f77b4" : "#ff7f0e";
            curve.line_style = bn ? xtnn::plot::line_style::solid : xtnn::plot::line_style::dashed;
            panel.series.push_back(curve);
            if (run.diverged)  // at (the epoch it diverged in, the accuracy it counts as)
            {
                xtnn::plot::series end;
                end.x = {static_cast<double>(run.accuracy.size() + 1)};
                end.y = {run.final_accuracy()};
                end.style = xtnn::plot::style::markers;
                end.marker = xtnn::plot::marker::cross;
                end.marker_radius = 5;
                end.color = curve.color;
                panel.series.push_back(end);
                any_diverged = true;
            }
        }
        figure.panels.push_back(panel);
    }
    if (any_diverged)  // a grey cross in the legend explains the crosses
    {
        xtnn::plot::series key;
        key.name = "diverged";
        key.style = xtnn::plot::style::markers;
        key.marker = xtnn::plot::marker::cross;
        key.marker_radius = 5;
        key.color = "#555555";
        figure.panels.front().series.push_back(key);
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("batch_norm_compare", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw the scores per epoch, a panel per std (BatchNorm solid, without dashed, a "
             "cross where a run diverged), .svg or .png");
    std::size_t epochs = 20;
    cli.number("--epochs", epochs, "N", "passes over the training images", 1);
    std::size_t scales = 16;
    cli.number("--scales", scales, "N", "how many stds, log-spaced from 1 to 1e-4", 1);
    std::size_t train_size = 1000;
    cli.number("--train-size", train_size, "N", "the first N training images", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights and the shuffles");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);

            // The book's loop: batch_mask = np.random.choice(train_size, batch_size), each batch
            // drawn with replacement, and both networks updated on it. fit instead shuffles
            // a permutation of the images every epoch (10 steps of 100 at the default size);
            // the same seed gives both networks the same batches, as the book's shared mask.
            xtnn::fit_options<float> options;
            options.epochs = epochs;
            options.batch_size = 100;
            options.optimizer = {xtnn::optimizer_kind::sgd, 0.01};
            options.loss = xtnn::loss_kind::softmax_cross_entropy;
            options.seed = seed;
            options.verbose = xtnn::verbosity::silent;
            xtnn::use_default_blas_threads();

            const auto mnist =
                xtnn::data::load_mnist_part<float>(data_dir, xtnn::data::mnist_part::train);
            if (train_size > mnist.size())
            {
                throw xtnn_examples::usage_error(
                    "--train-size " + std::to_string(train_size) + " is more than the " +
                    std::to_string(mnist.size()) + " MNIST training images");
            }
            // x_train[:train_size], t_train[:train_size]
            const xt::xtensor<float, 2> x =
                xt::view(mnist.images, xt::range(0, train_size), xt::all());
            const xt::xtensor<float, 1> y = xt::view(mnist.labels, xt::range(0, train_size));

            std::printf("784-100x5-10 ReLU networks with and without BatchNorm on %zu MNIST "
                        "training images: SGD lr 0.01, batch 100, %zu epochs, %zu stds, "
                        "seed %llu\n",
                        train_size, options.epochs, scales, static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            const auto start = std::chrono::steady_clock::now();
            std::vector<double> stds;
            std::vector<run_result> with_bn, without;
            std::size_t ahead = 0;
            for (std::size_t i = 0; i < scales; ++i)
            {
                const double stddev = log_spaced_std(i, scales);
                xtnn::network<float> bn_net = book_network(true);
                xtnn::network<float> net = book_network(false);
                stds.push_back(stddev);
                with_bn.push_back(train(bn_net, stddev, x, y, options, seed));
                without.push_back(train(net, stddev, x, y, options, seed));
                const double a = with_bn.back().final_accuracy();
                const double b = without.back().final_accuracy();
                ahead += a > b;
                const auto note = [&](const run_result& r)
                {
                    return r.diverged ? " (diverged in epoch " +
                                            std::to_string(r.accuracy.size() + 1) + ")"
                                      : std::string();
                };
                std::printf("%s: with BN %.3f%s, without %.3f%s\n", std_title(stddev).c_str(), a,
                            note(with_bn.back()).c_str(), b, note(without.back()).c_str());
                std::fflush(stdout);
            }
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            if (!plot_path.empty())
            {
                xtnn::plot::save(curves_figure(stds, with_bn, without, options.epochs), plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s for %zu networks\n", elapsed.count(), 2 * scales);
            std::printf("result: BatchNorm ahead at %zu of %zu scales\n", ahead, scales);
            return 0;
        });
}
