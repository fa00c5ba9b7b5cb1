// SPDX-License-Identifier: MIT
// Trains an MLP on MNIST from scratch, as the book's ch04-06 train_neuralnet.py and a Keras
// model.fit do: progress lines per epoch, then the test accuracy and confusion matrix.
// Optionally saves the weights (.npz, loadable by mnist_inference) and the loss/accuracy
// curves (.svg).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/confusion.hpp>
#include <xtnn/init.hpp>
#include <xtnn/io/mnist.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/trainer.hpp>
#include <xtnn/xtnn.hpp>

#include "cli.hpp"

namespace
{
const char* const usage =
    "usage: mnist_train [--data DIR] [--hidden 256[,128...]] [--activation sigmoid|relu|tanh]\n"
    "                   [--optimizer sgd|momentum|nesterov|adagrad|rmsprop|adam] [--lr X]\n"
    "                   [--batch N] [--epochs N] [--dropout P] [--weight-decay X] [--seed N]\n"
    "                   [--init normal|xavier|he|glorot_uniform] [--validation-split F] [--save "
    "FILE.npz]\n"
    "                   [--history FILE] [--quiet]\n"
    "Trains a 784-...-10 network (softmax + cross-entropy) on the 60,000 MNIST training\n"
    "images and reports its accuracy on the 10,000 test images.\n"
    "  --data DIR        folder holding mnist/; default $XTNN_DATA_DIR, else ./data\n"
    "  --hidden LIST     hidden layer widths (default 256)\n"
    "  --activation A    hidden activation (default relu)\n"
    "  --optimizer O     update rule (default adam)\n"
    "  --lr X            learning rate (default 0.001 for adam/rmsprop, 0.01 for adagrad\n"
    "                    and momentum/nesterov, 0.1 for sgd)\n"
    "  --batch N         mini-batch size; 1 = per-sample SGD (default 128)\n"
    "  --epochs N        passes over the training set (default 10)\n"
    "  --dropout P       drop rate after every hidden layer (default 0)\n"
    "  --weight-decay X  L2 penalty on the weights (default 0)\n"
    "  --seed N          seeds initialisation, shuffles and dropout (default 1)\n"
    "  --init I          weight initialisation (default he for relu, xavier otherwise)\n"
    "  --validation-split F  hold out the last fraction F of the training set and validate\n"
    "                    on it each epoch; without it the test set is scored each epoch, as\n"
    "                    the book does (for watching only: nothing is tuned on it)\n"
    "  --save FILE.npz   write the trained weights (W1, b1 ... WN, bN); score them again with\n"
    "                    mnist_inference --weights FILE.npz --hidden-activation A\n"
    "  --history FILE    write the loss and accuracy curves, .svg or .png\n"
    "  --quiet           no progress lines\n";

template <class Parse>
auto parse_or_usage(Parse parse, const std::string& value)
{
    try
    {
        return parse(value);
    }
    catch (const xtnn::error& e)
    {
        throw xtnn_examples::usage_error(e.what());
    }
}

double default_learning_rate(xtnn::optimizer_kind kind)
{
    switch (kind)
    {
    case xtnn::optimizer_kind::sgd:
        return 0.1;
    case xtnn::optimizer_kind::momentum:
    case xtnn::optimizer_kind::nesterov:
    case xtnn::optimizer_kind::adagrad:
        return 0.01;
    default:
        return 0.001;
    }
}
}  // namespace

int main(int argc, char** argv)
{
    return xtnn_examples::run(
        usage,
        [&]
        {
            const xtnn_examples::arguments args(argc, argv,
                                                {"--data", "--hidden", "--activation",
                                                 "--optimizer", "--lr", "--batch", "--epochs",
                                                 "--dropout", "--weight-decay", "--seed", "--init",
                                                 "--validation-split", "--save", "--history"},
                                                {"--quiet"});
            if (args.help())
            {
                std::cout << usage;
                return 0;
            }
            const std::string history_path = args.plot_path("--history");  // .svg or .png
            const std::string data_dir = xtnn::io::resolve_data_dir(args.text("--data"));
            const std::vector<std::size_t> hidden = args.list("--hidden", {256}, 1);
            const auto activation =
                parse_or_usage([](const std::string& s) { return xtnn::parse_activation(s); },
                               args.text("--activation", "relu"));
            const auto init = parse_or_usage(
                [](const std::string& s) { return xtnn::parse_init(s); },
                args.text("--init", activation == xtnn::activation_kind::relu ? "he" : "xavier"));

            xtnn::fit_options<float> options;
            options.optimizer.kind =
                parse_or_usage([](const std::string& s) { return xtnn::parse_optimizer(s); },
                               args.text("--optimizer", "adam"));
            options.optimizer.learning_rate =
                args.real("--lr", default_learning_rate(options.optimizer.kind));
            options.optimizer.weight_decay = args.real("--weight-decay", 0);
            options.batch_size = args.number("--batch", 128, 1);
            options.epochs = args.number("--epochs", 10, 1);
            options.dropout = args.real("--dropout", 0);
            options.seed = args.number("--seed", 1);
            options.validation_split = args.real("--validation-split", 0);
            options.verbose = args.has("--quiet") ? xtnn::verbosity::silent : xtnn::verbosity::bar;
            if (options.dropout >= 1 || options.validation_split >= 1)
            {
                throw xtnn_examples::usage_error("--dropout and --validation-split expect a "
                                                 "fraction below 1");
            }
            xtnn::use_default_blas_threads();

            const auto train =
                xtnn::io::load_mnist_part<float>(data_dir, xtnn::io::mnist_part::train);
            const auto test =
                xtnn::io::load_mnist_part<float>(data_dir, xtnn::io::mnist_part::test);

            std::vector<std::size_t> widths{train.images.shape()[1]};
            widths.insert(widths.end(), hidden.begin(), hidden.end());
            widths.push_back(10);
            xtnn::network<float> net(widths, activation, xtnn::activation_kind::softmax);
            std::mt19937_64 engine(options.seed);
            xtnn::initialize(net, engine, init);

            std::string shape;
            for (std::size_t width : widths)
            {
                shape += (shape.empty() ? "" : "-") + std::to_string(width);
            }
            std::printf("network %s (%s, softmax), %s init; %s lr %g, batch %zu, %zu epochs, "
                        "dropout %g, weight decay %g, seed %llu\n",
                        shape.c_str(), std::string(xtnn::to_string(activation)).c_str(),
                        std::string(xtnn::to_string(init)).c_str(),
                        std::string(xtnn::to_string(options.optimizer.kind)).c_str(),
                        options.optimizer.learning_rate, options.batch_size, options.epochs,
                        options.dropout, options.optimizer.weight_decay,
                        static_cast<unsigned long long>(options.seed));
            std::fflush(stdout);

            const auto start = std::chrono::steady_clock::now();
            const xtnn::history h =
                options.validation_split > 0
                    ? xtnn::fit(net, train.images, train.labels, options)
                    : xtnn::fit(net, train.images, train.labels, test.images, test.labels, options);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            const std::vector<std::size_t> labels = xtnn::class_indices(test.labels);
            const std::vector<std::size_t> predicted = xtnn::predict_labels(net, test.images);
            std::printf("Training time: %.1f s\n", elapsed.count());
            std::printf("Test accuracy: %.4f\n\n", xtnn::accuracy(predicted, labels));
            std::cout << xtnn::confusion_matrix(predicted, labels, 10) << std::flush;

            if (args.has("--save"))
            {
                xtnn::io::save_weights(net, args.text("--save"));
                std::printf("\nsaved weights to \"%s\"\n", args.text("--save").c_str());
            }
            if (!history_path.empty())
            {
                xtnn::plot::figure figure = xtnn::plot::history_figure(h, "MNIST " + shape);
                if (options.validation_split == 0)
                {
                    for (auto& panel : figure.panels)
                    {
                        if (panel.series.size() > 1)
                        {
                            panel.series[1].name = "test";
                        }
                    }
                }
                xtnn::plot::save(figure, history_path);
                std::printf("saved curves to \"%s\"\n", history_path.c_str());
            }
            return 0;
        });
}
