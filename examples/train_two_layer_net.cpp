// SPDX-License-Identifier: MIT
// The book's first training loop, "Deep Learning from Scratch" ch04/train_neuralnet.py (and
// ch05's, with ReLU and backpropagation) in C++: TwoLayerNet 784-50-10 trained by SGD on
// mini-batches drawn at random, its train and test accuracy printed once per epoch, and
// optionally the accuracy curves of the book's figure 4-12 as SVG or PNG.
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
#include <xtnn/train/gradient_check.hpp>
#include <xtnn/xtnn.hpp>

#include "book.hpp"
#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 4 training loop (ch04/train_neuralnet.py): TwoLayerNet 784-50-10,\n"
    "sigmoid hidden units and softmax, weights 0.01 * N(0, 1), biases 0, SGD lr 0.1 on\n"
    "batches of 100 drawn as the book draws them (np.random.choice: 100 of the 60,000\n"
    "training images at random, with replacement, a fresh draw every iteration), 10,000\n"
    "iterations. Every 600 iterations (an epoch) it scores all training and test images and\n"
    "prints \"train acc, test acc | 0.9, 0.9\" as the book does (from iteration 0), then the\n"
    "scores after the last iteration. --activation relu is chapter 5's TwoLayerNet.\n"
    "The gradient comes from backpropagation (chapter 5) unless --numerical: then from\n"
    "central differences (f(w + h) - f(w - h)) / 2h, h = 1e-4, two forward passes per weight\n"
    "(79,520 a step), as chapter 4 does, which takes seconds an iteration: it then runs 3\n"
    "iterations unless --iterations says otherwise. The arithmetic is double, as numpy's.\n";

using net_type = xtnn::network<double>;
using part = xtnn_book::image_set<double>;

/// One numerical-gradient step: dL/dw for every w by central differences on the batch, put
/// into the registry's gradient buffers, then the optimizer's update w -= lr·dL/dw.
/// Returns the batch's loss before the update.
double numerical_step(net_type& net, xtnn::parameters<double>& params,
                      xtnn::optimizer<double>& optimizer,
                      const xtnn_book::batch_sampler<double>& batch, xtnn::workspace<double>& ws)
{
    const auto gradients = xtnn::numerical_gradients<double, xtnn::softmax_cross_entropy>(
        net, batch.x(), batch.rows(), batch.targets());
    for (std::size_t i = 0; i < params.size(); ++i)
    {
        const std::vector<double>& g = gradients[i].second;
        std::copy(g.begin(), g.end(), params.gradient(i));
    }
    const double* y = net.forward(batch.x(), batch.rows(), ws).data();
    const double loss =
        xtnn::softmax_cross_entropy::loss(y, batch.targets(), batch.rows(), net.outputs());
    optimizer.step(params);
    return loss;
}

/// Figure 4-12: accuracy per epoch, train solid and test dashed, 0 .. 1.
xtnn::plot::figure accuracy_figure(const std::vector<double>& train,
                                   const std::vector<double>& test, const std::string& title)
{
    xtnn::plot::panel panel;
    panel.title = title;
    panel.x_label = "epochs";
    panel.y_label = "accuracy";
    panel.y_min = 0;
    panel.y_max = 1;
    panel.integer_x = true;
    for (const bool is_train : {true, false})
    {
        const std::vector<double>& values = is_train ? train : test;
        // the book's x = np.arange(len)
        xtnn::plot::series curve =
            xtnn::plot::by_index(is_train ? "train acc" : "test acc", values, 0);
        curve.line_style =
            is_train ? xtnn::plot::line_style::solid : xtnn::plot::line_style::dashed;
        panel.series.push_back(curve);
    }
    xtnn::plot::figure figure;
    figure.panels.push_back(panel);
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("train_two_layer_net", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw train (solid) and test (dashed) accuracy per epoch, as the book's figure "
             "4-12, .svg or .png");
    std::string activation = "sigmoid";
    cli.choice("--activation", activation, {"sigmoid", "relu"},
               "sigmoid (chapter 4) or relu (chapter 5)");
    std::size_t iterations = 10000;
    cli.number("--iterations", iterations, "N", "SGD steps (default {}; 3 with --numerical)", 1);
    bool numerical = false;
    cli.flag("--numerical", numerical, "numerical gradients instead of backpropagation (slow)");
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
            if (numerical && !cli.given("--iterations"))
            {
                iterations = 3;
            }
            xtnn::use_default_blas_threads();

            const part train =
                xtnn_book::load_part<double>(data_dir, xtnn::data::mnist_part::train);
            const part test = xtnn_book::load_part<double>(data_dir, xtnn::data::mnist_part::test);

            // TwoLayerNet(input_size=784, hidden_size=50, output_size=10):
            // W1 = 0.01·randn(784, 50), b1 = 0, W2 = 0.01·randn(50, 10), b2 = 0
            net_type net = xtnn_book::multi_layer_net<double>({50}, activation == "relu");
            std::mt19937_64 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::normal, 0.01);

            const std::size_t batch_size = 100;
            // iter_per_epoch = max(train_size / batch_size, 1)
            const std::size_t per_epoch = std::max<std::size_t>(train.size() / batch_size, 1);
            const xtnn::optimizer_options sgd{xtnn::optimizer_kind::sgd, 0.1};
            std::printf("TwoLayerNet 784-50-10 (%s, softmax) on %zu MNIST training images: SGD "
                        "lr 0.1, batch %zu drawn at random, %zu iterations (%zu an epoch), %s "
                        "gradients, seed %llu\n",
                        activation.c_str(), train.size(), batch_size, iterations, per_epoch,
                        numerical ? "numerical" : "backpropagated",
                        static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            xtnn_book::batch_sampler<double> batch(train, batch_size);
            std::mt19937_64 batches(seed + 1);  // np.random.choice's stream, apart from init's
            xtnn::training_step<double> step(net, xtnn::loss_kind::softmax_cross_entropy, sgd);
            xtnn::parameters<double> params(net);  // numerical mode's gradient buffers
            xtnn::optimizer<double> optimizer(sgd);
            xtnn::workspace<double> ws;

            std::vector<double> train_acc, test_acc;
            const auto score = [&](const char* prefix)
            {
                train_acc.push_back(xtnn_book::accuracy(net, train));
                test_acc.push_back(xtnn_book::accuracy(net, test));
                std::printf("%strain acc, test acc | %.4f, %.4f\n", prefix, train_acc.back(),
                            test_acc.back());
                std::fflush(stdout);
            };
            const auto start = std::chrono::steady_clock::now();
            for (std::size_t i = 0; i < iterations; ++i)
            {
                batch.draw(batches);
                if (numerical)
                {
                    const auto begin = std::chrono::steady_clock::now();
                    const double loss = numerical_step(net, params, optimizer, batch, ws);
                    const std::chrono::duration<double> took =
                        std::chrono::steady_clock::now() - begin;
                    std::printf("iteration %zu: loss %.4f (%.1f s)\n", i, loss, took.count());
                }
                else
                {
                    step.step(batch.x(), batch.rows(), batch.targets(), nullptr);
                }
                if (i % per_epoch == 0)  // after the update, as the book
                {
                    score("");
                }
            }
            // The book's last score is at iteration 9600; score the network it ends with too.
            const double final_train = xtnn_book::accuracy(net, train);
            const double final_test = xtnn_book::accuracy(net, test);
            std::printf("after %zu iterations: train acc, test acc | %.4f, %.4f\n", iterations,
                        final_train, final_test);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            if (!plot_path.empty())
            {
                xtnn::plot::save(
                    accuracy_figure(train_acc, test_acc, "TwoLayerNet 784-50-10, " + activation),
                    plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s\n", elapsed.count());
            std::printf("result: train acc %.4f, test acc %.4f after %zu iterations (%s)\n",
                        final_train, final_test, iterations, activation.c_str());
            return 0;
        });
}
