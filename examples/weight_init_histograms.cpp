// SPDX-License-Identifier: MIT
// The activation histograms of "Deep Learning from Scratch" chapter 6
// (ch06/weight_init_activation_histogram.py) in C++: 1000 random inputs of 100 values through
// five layers of 100 units, for each weight initialisation and activation the book tries;
// prints how the activations spread per layer and draws the book's Figures 6-10 to 6-14, a
// row of five per-layer histograms for each.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 6 experiment on weight initialisation: x, 1000 x 100 values drawn\n"
    "from N(0, 1), goes through five layers of 100 units (a = x W, no bias, then the\n"
    "activation), W drawn from N(0, s^2). One run per case of the book's figures:\n"
    "  sigmoid with s = 1 (6-10), s = 0.01 (6-11) and Xavier s = 1/sqrt(100) (6-13);\n"
    "  tanh with Xavier (the book's note on 6-13); ReLU with s = 0.01, Xavier and He\n"
    "  s = sqrt(2/100) (6-14).\n"
    "Prints per case and layer the activations' standard deviation and, for sigmoid, the\n"
    "share near 0 or 1 (below 0.1 or above 0.9: saturated, where the gradient vanishes).\n"
    "The layers are xtnn's dense and activation layers; the draws are xtnn's normal sampler\n"
    "(the same numbers on every platform), not numpy's.\n";

constexpr std::size_t units = 100, layers = 5;

enum class activation
{
    sigmoid,
    tanh,
    relu
};

/// One of the book's cases: an activation and the std of its weights.
struct init_case
{
    std::string title;   ///< "sigmoid, std 1"
    std::string figure;  ///< the book's figure: "Figure 6-10"
    ::activation activation;
    xtnn::init_kind init;
    double stddev;  ///< for init_kind::normal
};

/// The activations of each of the five layers, (samples, 100) each.
std::vector<xt::xtensor<double, 2>> forward_layers(const init_case& c,
                                                   const xt::xtensor<double, 2>& x,
                                                   std::mt19937_64& engine)
{
    std::vector<xt::xtensor<double, 2>> out;
    xt::xtensor<double, 2> input = x;
    for (std::size_t l = 0; l < layers; ++l)
    {
        // One dense layer and its activation as a network of its own, so each layer's
        // output is at hand; the bias stays 0 as the book has none.
        xtnn::network<double> layer(units);
        layer.add(xtnn::dense(units));
        switch (c.activation)
        {
        case activation::sigmoid:
            layer.add(xtnn::sigmoid());
            break;
        case activation::tanh:
            layer.add(xtnn::tanh());
            break;
        case activation::relu:
            layer.add(xtnn::relu());
            break;
        }
        xtnn::initialize(layer, engine, c.init, c.stddev);
        out.push_back(layer.predict(input));
        input = out.back();
    }
    return out;
}

/// The standard deviation of all values of `a` (numpy's a.std(): the population one).
double standard_deviation(const xt::xtensor<double, 2>& a)
{
    double mean = 0, square = 0;
    for (const double v : a)
    {
        mean += v;
    }
    mean /= static_cast<double>(a.size());
    for (const double v : a)
    {
        square += (v - mean) * (v - mean);
    }
    return std::sqrt(square / static_cast<double>(a.size()));
}

/// The share of values below 0.1 or above 0.9: sigmoid outputs where its slope is < 0.09.
double saturated_share(const xt::xtensor<double, 2>& a)
{
    std::size_t n = 0;
    for (const double v : a)
    {
        n += v < 0.1 || v > 0.9;
    }
    return static_cast<double>(n) / static_cast<double>(a.size());
}

/// The grid of histograms: a row per case, a column per layer, counts 0 .. 7000 as the
/// book's plt.ylim(0, 7000) (ReLU's first bin, its zeros, runs off the top as there).
xtnn::plot::figure histogram_figure(const std::vector<init_case>& cases,
                                    const std::vector<std::vector<xt::xtensor<double, 2>>>& runs)
{
    xtnn::plot::figure figure;
    figure.columns = layers;
    figure.panel_width = 230;
    figure.panel_height = 170;
    for (std::size_t k = 0; k < cases.size(); ++k)
    {
        const bool tanh = cases[k].activation == activation::tanh;
        for (std::size_t l = 0; l < layers; ++l)
        {
            xtnn::plot::panel panel;
            panel.title = std::to_string(l + 1) + "-layer";
            if (l == 0)
            {
                panel.title = cases[k].title + ": " + panel.title;
            }
            panel.x_min = tanh ? -1 : 0;
            panel.x_max = 1;
            panel.y_min = 0;
            panel.y_max = 7000;
            panel.legend = false;
            panel.series.push_back(
                xtnn::plot::histogram("", runs[k][l], 30, tanh ? -1.0 : 0.0, 1.0));
            panel.series.back().color = xtnn::plot::detail::palette(k);
            figure.panels.push_back(panel);
        }
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("weight_init_histograms", description);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw the histograms, a row of 5 layers per case (30 bins over [0, 1], or [-1, 1] "
             "for tanh; counts up to 7000 as the book), .svg or .png");
    std::size_t samples = 1000;
    cli.number("--samples", samples, "N", "input rows", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the inputs and the weights");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }

            using xtnn::init_kind;
            const std::vector<init_case> cases = {
                {"sigmoid, std 1", "Figure 6-10", activation::sigmoid, init_kind::normal, 1.0},
                {"sigmoid, std 0.01", "Figure 6-11", activation::sigmoid, init_kind::normal, 0.01},
                {"sigmoid, Xavier", "Figure 6-13", activation::sigmoid, init_kind::xavier, 0},
                {"tanh, Xavier", "note on Figure 6-13", activation::tanh, init_kind::xavier, 0},
                {"ReLU, std 0.01", "Figure 6-14", activation::relu, init_kind::normal, 0.01},
                {"ReLU, Xavier", "Figure 6-14", activation::relu, init_kind::xavier, 0},
                {"ReLU, He", "Figure 6-14", activation::relu, init_kind::he, 0}};

            // input_data = np.random.randn(1000, 100), the same input for every case
            std::mt19937_64 engine(seed);
            xtnn::normal_sampler<std::mt19937_64> normal(engine);
            xt::xtensor<double, 2> x = xt::empty<double>({samples, units});
            for (double& v : x)
            {
                v = normal();
            }

            std::printf(
                "%zu x %zu inputs from N(0, 1) through %zu layers of %zu units, seed %llu\n",
                samples, units, layers, units, static_cast<unsigned long long>(seed));
            std::vector<std::vector<xt::xtensor<double, 2>>> runs;
            std::vector<double> relu_ratio;  // layer 5's std over layer 1's, per ReLU case
            double saturated_std1 = 0, saturated_xavier = 0;
            for (const auto& c : cases)
            {
                runs.push_back(forward_layers(c, x, engine));
                std::printf("%-18s %-22s std per layer:", (c.title + ":").c_str(),
                            ("(" + c.figure + ")").c_str());
                for (const auto& a : runs.back())
                {
                    std::printf(" %9.3g", standard_deviation(a));
                }
                if (c.activation == activation::sigmoid)
                {
                    const double share = saturated_share(runs.back().back());
                    std::printf("  saturated in layer 5: %4.1f%%", 100 * share);
                    saturated_std1 = c.stddev == 1.0 ? share : saturated_std1;
                    saturated_xavier = c.init == init_kind::xavier ? share : saturated_xavier;
                }
                if (c.activation == activation::relu)
                {
                    relu_ratio.push_back(standard_deviation(runs.back().back()) /
                                         standard_deviation(runs.back().front()));
                }
                std::printf("\n");
            }
            if (!plot_path.empty())
            {
                xtnn::plot::save(histogram_figure(cases, runs), plot_path);
                std::printf("saved the histograms to \"%s\"\n", plot_path.c_str());
            }
            // The book's lessons in numbers: sigmoid with std 1 saturates where Xavier does
            // not; ReLU's spread collapses with std 0.01, shrinks with Xavier, holds with He.
            std::printf("result: sigmoid saturated in layer 5: std 1 %.1f%%, Xavier %.1f%%; "
                        "ReLU layer-5 std / layer-1 std: std 0.01 %.2g, Xavier %.2f, He %.2f\n",
                        100 * saturated_std1, 100 * saturated_xavier, relu_ratio[0], relu_ratio[1],
                        relu_ratio[2]);
            return 0;
        });
}
