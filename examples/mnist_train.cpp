// SPDX-License-Identifier: MIT
// Trains an MLP on MNIST (or another data set of the MNIST family) from scratch, as the
// book's ch04-06 train_neuralnet.py and a Keras model.fit do: progress lines per epoch, then
// the test accuracy and confusion matrix.
// Optionally saves the model (a model file taking raw pixels, loadable by mnist_inference and
// mnist_predict) and the loss/accuracy curves (.svg or .png).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/datasets.hpp>
#include <xtnn/io/checkpoint.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Trains a network (softmax + cross-entropy) on the 60,000 MNIST training images and\n"
    "reports its accuracy on the 10,000 test images (or on another data set's parts).\n";

/// The flags that describe the network (--layers or the four others).
struct network_flags
{
    std::vector<std::size_t> hidden{256};
    std::string activation = "relu";
    bool batch_norm = false;
    double dropout = 0;
    std::string layers;
};

/// The network the flags describe, for raw 0..255 pixels: a rescale by 1/255 (so the model
/// file it becomes takes the bytes of an image), then for each hidden width a dense layer,
/// BatchNorm if asked, the activation and dropout if asked; then a dense layer of one output per
/// class and softmax. Or the rescale and the --layers list.
xtnn::network<float> build_network(const xtnn_examples::command_line& cli,
                                   const network_flags& flags, std::size_t inputs,
                                   std::size_t classes)
{
    xtnn::network<float> net(inputs, {xtnn::rescale(1 / 255.0)});
    if (cli.given("--layers"))
    {
        for (const char* flag : {"--hidden", "--activation", "--batch-norm", "--dropout"})
        {
            if (cli.given(flag))
            {
                std::fprintf(stderr, "note: --layers gives the whole network; %s is ignored\n",
                             flag);
            }
        }
        const auto layers = xtnn_examples::parse_or_usage(
            [&](const std::string& spec)
            { return xtnn::layer_registry<float>::global().parse_list(spec); },
            flags.layers);
        for (const auto& layer : layers)
        {
            net.add(layer);
        }
        return net;
    }
    const auto activation = xtnn_examples::parse_or_usage(
        [](const std::string& item) { return xtnn::make_layer<float>(item); }, flags.activation);
    for (std::size_t width : flags.hidden)
    {
        net.add(xtnn::dense(width));
        if (flags.batch_norm)
        {
            net.add(xtnn::batch_norm());
        }
        net.add(activation);
        if (flags.dropout > 0)
        {
            net.add(xtnn::dropout(flags.dropout));
        }
    }
    net.add(xtnn::dense(classes)).add(xtnn::softmax());
    return net;
}

/// What the model file says besides its layers: the data set's class names ("0".."9" for
/// MNIST), the raw-pixel input, the first test images as its golden check.
xtnn::io::model_info describe_model(const xtnn::data::dataset<float>& set)
{
    xtnn::io::model_info info;
    info.classes = set.class_names();
    info.input_shape = {28, 28};
    const bool mnist = set.info->name == "mnist";
    info.input_description = std::string("raw pixels 0..255, a 28x28 ") +
                             (mnist ? "MNIST-style digit" : set.info->title + " image") +
                             " row by row";
    info.description = "trained by xtnn's mnist_train on the " + std::to_string(set.train.size()) +
                       " " + (mnist ? std::string("MNIST") : set.info->title) + " training images";
    for (std::size_t r = 0; r < std::min<std::size_t>(4, set.test.size()); ++r)
    {
        const float* row = set.test.images.data() + r * 784;
        info.check_inputs.emplace_back(row, row + 784);
    }
    return info;
}

/// For sets of many classes (EMNIST's 26 to 62), where a confusion matrix would be too wide:
/// the `count` classes with the lowest test accuracy, e.g. "hardest classes: g 61.2% (400),
/// q 66.0% (400), ...", with each class's number of test samples.
void print_hardest_classes(const xtnn::confusion_matrix& matrix,
                           const std::vector<std::string>& names, std::size_t count)
{
    // A class without test samples has nothing to be hard at: it counts as 100%, last.
    const auto accuracy = [&](std::size_t c)
    { return matrix.true_total(c) == 0 ? 1.0 : matrix.recall(c); };
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return accuracy(a) < accuracy(b); });
    std::printf("hardest classes:");
    for (std::size_t k = 0; k < std::min(count, order.size()); ++k)
    {
        const std::size_t c = order[k];
        std::printf("%s %s %.1f%% (%zu)", k == 0 ? "" : ",", names[c].c_str(), 100 * accuracy(c),
                    matrix.true_total(c));
    }
    std::printf("\n");
}

/// He for the ReLU family (the book's advice for ReLU, and for its smooth cousins), Xavier
/// for the saturating activations.
std::string default_init(const xtnn::network<float>& net)
{
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        const std::string_view kind = net.layer(i).kind();
        if (kind == "relu" || kind == "leaky_relu" || kind == "elu" || kind == "gelu" ||
            kind == "silu")
        {
            return "he";
        }
    }
    return "xavier";
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
    xtnn_examples::command_line cli("mnist_train", description);
    std::string data;
    cli.text("--data", data, "DIR",
             "folder holding mnist/ (one folder per data set); default $XTNN_DATA_DIR, else "
             "./data");
    std::string dataset = "mnist";
    cli.text("--dataset", dataset, "NAME",
             "{} (default), fashion-mnist, kmnist, emnist-digits, emnist-letters, "
             "emnist-balanced, emnist-mnist, emnist-byclass, emnist-bymerge or notmnist, read "
             "from DIR/NAME/ (emnist-*: DIR/emnist/); its class names go into the saved model");
    network_flags flags;
    cli.list("--hidden", flags.hidden, "256[,128...]", "hidden layer widths", 1);
    cli.text("--activation", flags.activation, "KIND",
             "activation after each hidden layer (default {}): identity, sigmoid, tanh, relu, "
             "leaky_relu[:alpha], elu[:alpha], gelu[:tanh], silu, softplus");
    cli.flag("--batch-norm", flags.batch_norm,
             "BatchNorm after every hidden dense layer, before its activation");
    cli.real("--dropout", flags.dropout, "P", "dropout after every hidden activation", 0, 1);
    cli.text("--layers", flags.layers, "SPEC",
             "the whole layer list instead of the four flags above, e.g. "
             "\"dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax\" (the input width comes "
             "from the data; it must end in one output per class and a softmax)");
    std::string optimizer = "adam";
    cli.text("--optimizer", optimizer, "sgd|momentum|nesterov|adagrad|rmsprop|adam|adamw",
             "update rule");
    double lr = 0;
    cli.real("--lr", lr, "X",
             "learning rate (default 0.001 for adam/adamw/rmsprop, 0.01 for adagrad and "
             "momentum/nesterov, 0.1 for sgd)")
        ->default_str("");
    std::size_t batch = 128;
    cli.number("--batch", batch, "N", "mini-batch size; 1 = per-sample SGD", 1);
    std::size_t epochs = 10;
    cli.number("--epochs", epochs, "N", "passes over the training set", 1);
    double weight_decay = 0;
    cli.real("--weight-decay", weight_decay, "X",
             "L2 penalty on the kernels (AdamW: its decoupled decay)");
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds initialisation, shuffles and dropout");
    std::string init_flag;
    cli.text("--init", init_flag, "normal|xavier|he|glorot_uniform",
             "weight initialisation (default he for the ReLU family, xavier otherwise)");
    double validation_split = 0;
    cli.real("--validation-split", validation_split, "F",
             "hold out the last fraction F of the training set and validate on it each epoch; "
             "without it the test set is scored each epoch, as the book does (for watching "
             "only: nothing is tuned on it)",
             0, 1)
        ->default_str("");
    std::string save;
    cli.text("--save", save, "FILE.npz",
             "write the trained model: every layer (the first rescales raw 0..255 pixels by "
             "1/255), class names and a self-check; score it again with mnist_inference "
             "--weights FILE.npz");
    std::string checkpoint;
    cli.text("--checkpoint", checkpoint, "FILE",
             "write a checkpoint after every epoch (a model file that also holds where the run "
             "stands); a run killed at any moment loses at most the epoch in progress");
    std::string resume;
    cli.text("--resume", resume, "FILE",
             "continue the run a checkpoint holds (its network, optimizer, order, engine, "
             "history) up to --epochs in all, bit for bit as if it had never stopped; give the "
             "same training flags as the first run");
    std::string history_path;
    cli.plot("--history", history_path, "write the loss and accuracy curves, .svg or .png",
             "FILE.svg|FILE.png");
    bool quiet = false;
    cli.flag("--quiet", quiet, "no progress lines");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            xtnn::fit_options<float> options;
            options.optimizer.kind = xtnn_examples::parse_or_usage(
                [](const std::string& name) { return xtnn::parse_optimizer(name); }, optimizer);
            options.optimizer.learning_rate =
                cli.given("--lr") ? lr : default_learning_rate(options.optimizer.kind);
            options.optimizer.weight_decay = weight_decay;
            options.batch_size = batch;
            options.epochs = epochs;
            options.seed = seed;
            options.validation_split = validation_split;
            options.verbose = quiet ? xtnn::verbosity::silent : xtnn::verbosity::bar;
            xtnn::use_default_blas_threads();

            // Raw 0..255 pixels: the network's first layer rescales them.
            xtnn::data::mnist_options raw;
            raw.normalize = false;
            const auto set = xtnn::data::load_dataset<float>(dataset, data_dir, raw);
            const auto& train = set.train;
            const auto& test = set.test;
            const std::size_t classes = set.classes();
            xtnn_examples::print_dataset(set);
            const xtnn::io::model_info info = describe_model(set);

            xtnn::network<float> net;
            xtnn::io::checkpoint<float> resumed;
            std::string init_name = "checkpoint's";
            if (cli.given("--resume"))
            {
                // The network and where the run stood come from the checkpoint; the flags that
                // describe a network are not used.
                resumed = xtnn::io::load_checkpoint<float>(resume);
                net = resumed.model.net;
                options.resume = &resumed.progress;
                std::printf("resuming \"%s\" after epoch %zu of %zu\n", resume.c_str(),
                            resumed.progress.history.size(), options.epochs);
            }
            else
            {
                net = build_network(cli, flags, train.images.shape()[1], classes);
                const auto init = xtnn_examples::parse_or_usage(
                    [](const std::string& name) { return xtnn::parse_init(name); },
                    cli.given("--init") ? init_flag : default_init(net));
                std::mt19937_64 engine(options.seed);
                xtnn::initialize(net, engine, init);
                init_name = std::string(xtnn::to_string(init));
            }
            if (net.layer(net.size() - 1).kind() != "softmax" || net.outputs() != classes)
            {
                throw xtnn_examples::usage_error(
                    "the network must end in " + std::to_string(classes) +
                    " outputs (one per class) and a softmax; got " + net.describe());
            }
            if (cli.given("--checkpoint"))
            {
                options.on_epoch_end(xtnn::io::save_checkpoints<float>(checkpoint, info));
            }

            std::printf("network %s, %s init; %s lr %g, batch %zu, %zu epochs, weight decay %g, "
                        "seed %llu\n",
                        net.describe().c_str(), init_name.c_str(),
                        std::string(xtnn::to_string(options.optimizer.kind)).c_str(),
                        options.optimizer.learning_rate, options.batch_size, options.epochs,
                        options.optimizer.weight_decay,
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
            const xtnn::confusion_matrix matrix(predicted, labels, classes);
            if (classes <= 10)
            {
                std::cout << matrix << std::flush;
            }
            else
            {
                print_hardest_classes(matrix, set.class_names(), 5);
            }

            if (cli.given("--save"))
            {
                xtnn::io::model_info saved = info;
                saved.training = {
                    {"optimizer", std::string(xtnn::to_string(options.optimizer.kind))},
                    {"learning_rate", options.optimizer.learning_rate},
                    {"batch_size", options.batch_size},
                    {"epochs", h.size()},
                    {"seed", options.seed},
                    {"final_loss", h.back().loss},
                    {"test_accuracy", xtnn::accuracy(predicted, labels)}};
                xtnn::io::save_model(net, save, saved);
                std::printf("\nsaved the model to \"%s\" (it takes raw 0..255 pixels)\n",
                            save.c_str());
            }
            if (!history_path.empty())
            {
                const std::string shape = net.describe().substr(0, net.describe().find(' '));
                xtnn::plot::figure figure = xtnn::plot::history_figure(
                    h, (set.info->name == "mnist" ? "MNIST" : set.info->name) + " " + shape);
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
