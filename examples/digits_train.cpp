// SPDX-License-Identifier: MIT
// The from-scratch tutorial on scikit-learn's 8x8 digits in C++: standardised pixels, the
// first 300 samples as test set, sigmoid hidden layers and a softmax output trained with
// per-sample SGD (lr 0.2, 100 epochs), train and test accuracy printed every epoch.
// With --hidden 20,20,2 --scatter it draws the 2-unit bottleneck layer's values per class.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data.hpp>
#include <xtnn/data/digits_embedded.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Trains a 64-...-10 network (sigmoid hidden layers, softmax output, cross-entropy) on\n"
    "the 8x8 digits with per-sample SGD: the first 300 samples are the test set, the other\n"
    "1497 the training set. Prints the train and test accuracy after every epoch.\n";

std::string join(const std::vector<std::size_t>& widths, const char* separator)
{
    std::string text;
    for (std::size_t width : widths)
    {
        // appended piece by piece: GCC 12 in C++20 at -O3 warns falsely (-Wrestrict) on a
        // literal added to a temporary string
        if (!text.empty())
        {
            text += separator;
        }
        text += std::to_string(width);
    }
    return text;
}

/// Runs every row of x (N, 64) through `net` and returns the two output columns of layer
/// `layer` (a dense layer: its values before the sigmoid that follows) as (z1, z2) lists.
std::pair<std::vector<double>, std::vector<double>> bottleneck(const xtnn::network<float>& net,
                                                               const xt::xtensor<float, 2>& x,
                                                               std::size_t layer)
{
    xtnn::workspace<float> ws;
    net.forward_rows(x, 0, x.shape()[0], ws);
    const auto z = ws.output(layer);  // (N, 2)
    std::vector<double> z1, z2;
    for (std::size_t r = 0; r < z.shape()[0]; ++r)
    {
        z1.push_back(z(r, 0));
        z2.push_back(z(r, 1));
    }
    return {z1, z2};
}

/// matplotlib's tab10, one colour per digit (plot.hpp's default palette, named here so the
/// training dots and test crosses of a digit share a colour by construction).
const char* const digit_colors[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/// The scatter plot of the 2-unit layer: a colour per digit, training samples as dots and
/// test samples as crosses of the same colour.
xtnn::plot::figure bottleneck_figure(const xtnn::network<float>& net, std::size_t layer,
                                     const xtnn::data::train_test_split<float>& split,
                                     const std::string& shape)
{
    xtnn::plot::panel panel;
    panel.title = "Layer " + std::to_string(layer / 2 + 1) + " pre-activations, network " + shape;
    panel.x_label = "z1 (unit 1)";
    panel.y_label = "z2 (unit 2)";
    const auto add =
        [&](const xt::xtensor<float, 2>& x, const xt::xtensor<std::size_t, 1>& y, bool test)
    {
        const auto [z1, z2] = bottleneck(net, x, layer);
        for (std::size_t digit = 0; digit < 10; ++digit)
        {
            xtnn::plot::series s;
            s.name = test ? "" : std::to_string(digit);  // one legend row per digit
            s.style = xtnn::plot::style::markers;
            s.marker = test ? xtnn::plot::marker::cross : xtnn::plot::marker::dot;
            s.marker_radius = test ? 3.5 : 2.5;
            s.color = digit_colors[digit];
            for (std::size_t i = 0; i < z1.size(); ++i)
            {
                if (y(i) == digit)
                {
                    s.x.push_back(z1[i]);
                    s.y.push_back(z2[i]);
                }
            }
            panel.series.push_back(std::move(s));
        }
    };
    add(split.x_train, split.y_train, false);
    add(split.x_test, split.y_test, true);
    // Two grey, empty series explain the marker shapes in the legend.
    for (const bool test : {false, true})
    {
        xtnn::plot::series key;
        key.name = test ? "test" : "training";
        key.style = xtnn::plot::style::markers;
        key.marker = test ? xtnn::plot::marker::cross : xtnn::plot::marker::dot;
        key.marker_radius = test ? 3.5 : 2.5;
        key.color = "#555555";
        panel.series.push_back(std::move(key));
    }
    xtnn::plot::figure figure;
    figure.panel_width = 720;
    figure.panel_height = 620;
    figure.panels.push_back(std::move(panel));
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("digits_train", description);
    std::string data;
    cli.text("--data", data, "DIR",
             "folder holding digits/digits.csv.gz; default $XTNN_DATA_DIR, else ./data; "
             "without the file, the copy built into xtnn");
    std::vector<std::size_t> hidden = {20};
    cli.list("--hidden", hidden, "20[,10...]", "hidden layer widths", 1);
    std::size_t epochs = 100;
    cli.number("--epochs", epochs, "N", "passes over the training set", 1);
    double lr = 0.2;
    cli.real("--lr", lr, "X", "SGD learning rate");
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights and the shuffles");
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "write the loss and accuracy curves (training and test) as .svg or .png");
    std::string scatter_path;
    cli.plot("--scatter", scatter_path,
             "draw (.svg or .png) the pre-activations of the last 2-unit hidden layer for every "
             "sample, e.g. with --hidden 20,20,2");
    std::string save;
    cli.text("--save", save, "FILE.npz",
             "write the trained model, its first layer standardising raw pixels 0..16 as the "
             "tutorial did, and the class names");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            std::vector<std::size_t> widths{xtnn::data::digits_pixels};
            widths.insert(widths.end(), hidden.begin(), hidden.end());
            widths.push_back(xtnn::data::digits_classes);
            // The scatter plot needs a 2-unit hidden layer; find it before training.
            std::size_t scatter_layer = hidden.size();
            for (std::size_t i = 0; i < hidden.size(); ++i)
            {
                scatter_layer = hidden[i] == 2 ? i : scatter_layer;
            }
            if (!scatter_path.empty() && scatter_layer == hidden.size())
            {
                throw xtnn_examples::usage_error(
                    "--scatter needs a hidden layer of 2 units, but the network's widths are " +
                    join(widths, "-") + "; try --hidden 20,20,2");
            }

            xtnn::fit_options<float> options;
            options.epochs = epochs;
            options.batch_size = 1;  // per-sample SGD, as the tutorial
            options.optimizer = {xtnn::optimizer_kind::sgd, lr};
            options.loss = xtnn::loss_kind::softmax_cross_entropy;
            options.seed = seed;
            options.shuffle = true;
            options.verbose = xtnn::verbosity::silent;
            xtnn::use_default_blas_threads();

            // The tutorial standardises all 1797 samples, then takes the first 300 as test set.
            std::string source;
            xtnn::data::digits_set<float> digits =
                xtnn::data::load_digits_or_embedded<float>(data_dir, &source);
            std::printf("data: %zu digits from %s\n", digits.size(), source.c_str());
            xtnn::standardize<float> standardize;  // the same statistics, for a saved model
            standardize.adapt(digits.images);
            digits.images = xtnn::data::standardize(digits.images);
            const auto split = xtnn::data::split_first_as_test(digits, 300);
            const auto y_train = xtnn::data::one_hot<float>(split.y_train, 10);
            const auto y_test = xtnn::data::one_hot<float>(split.y_test, 10);

            xtnn::network<float> net(widths, xtnn::sigmoid(), xtnn::softmax());
            std::mt19937_64 engine(options.seed);
            xtnn::initialize(net, engine, xtnn::init_kind::xavier);  // W ~ N(0, 1/n_in)
            std::printf("network %s (sigmoid, softmax), N(0, 1/sqrt(n_in)) init; per-sample SGD "
                        "lr %g, %zu epochs, seed %llu; %zu training, %zu test samples\n",
                        join(widths, "-").c_str(), options.optimizer.learning_rate, options.epochs,
                        static_cast<unsigned long long>(options.seed), split.x_train.shape()[0],
                        split.x_test.shape()[0]);
            std::fflush(stdout);

            // fit's per-epoch accuracy is a running figure taken while the weights move; the
            // tutorial scores the training set again after each epoch, so do that here.
            xtnn::history scored;
            options.on_epoch_end(
                [&](const xtnn::epoch_record& r, xtnn::network<float>& n)
                {
                    const auto train = xtnn::evaluate(n, split.x_train, y_train);
                    xtnn::epoch_record record = r;
                    record.loss = train.loss;
                    record.accuracy = train.accuracy;
                    scored.epochs.push_back(record);
                    std::printf("epoch %3zu/%zu  train loss %.4f  accuracy %.4f  test loss %.4f  "
                                "accuracy %.4f\n",
                                r.epoch, r.epochs, train.loss, train.accuracy, r.val_loss,
                                r.val_accuracy);
                });
            const auto start = std::chrono::steady_clock::now();
            xtnn::fit(net, split.x_train, y_train, split.x_test, y_test, options);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            std::printf("final: train accuracy %.4f, test accuracy %.4f; training time %.2f s\n",
                        scored.back().accuracy, scored.back().val_accuracy, elapsed.count());

            if (!plot_path.empty())
            {
                xtnn::plot::figure figure =
                    xtnn::plot::history_figure(scored, "digits " + join(widths, "-"));
                for (auto& panel : figure.panels)
                {
                    panel.series.at(1).name = "test";  // validation data = the test set
                }
                xtnn::plot::save(figure, plot_path);
                std::printf("saved curves to \"%s\"\n", plot_path.c_str());
            }
            if (cli.given("--save"))
            {
                // The model takes raw pixels 0..16: its first layer standardises them with the
                // statistics the tutorial used.
                xtnn::network<float> model(xtnn::data::digits_pixels, {standardize});
                for (std::size_t i = 0; i < net.size(); ++i)
                {
                    model.add(net.layer(i), net.name(i));
                }
                xtnn::io::model_info info;
                for (int digit = 0; digit < 10; ++digit)
                {
                    info.classes.push_back(std::to_string(digit));
                }
                info.input_shape = {8, 8};
                info.input_description = "an 8x8 digit as scikit-learn's load_digits gives it, "
                                         "pixel values 0..16, row by row";
                info.description = "trained by xtnn's digits_train";
                xtnn::io::save_model(model, save, info);
                std::printf("saved the model to \"%s\" (it takes raw pixels 0..16)\n",
                            save.c_str());
            }
            if (!scatter_path.empty())
            {
                // dense layer k is the network's layer 2k: each is followed by its sigmoid
                xtnn::plot::save(
                    bottleneck_figure(net, 2 * scatter_layer, split, join(widths, "-")),
                    scatter_path);
                std::printf("saved the layer %zu scatter plot to \"%s\"\n", scatter_layer + 1,
                            scatter_path.c_str());
            }
            return 0;
        });
}
