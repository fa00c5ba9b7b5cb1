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

#include "cli.hpp"

namespace
{
const char* const usage =
    "usage: mnist_train [--data DIR] [--dataset NAME] [--hidden 256[,128...]] [--activation KIND]\n"
    "                   [--batch-norm] [--dropout P] [--layers SPEC]\n"
    "                   [--optimizer sgd|momentum|nesterov|adagrad|rmsprop|adam|adamw] [--lr X]\n"
    "                   [--batch N] [--epochs N] [--weight-decay X] [--seed N]\n"
    "                   [--init normal|xavier|he|glorot_uniform] [--validation-split F]\n"
    "                   [--save FILE.npz] [--checkpoint FILE] [--resume FILE]\n"
    "                   [--history FILE.svg|FILE.png] [--quiet]\n"
    "Trains a network (softmax + cross-entropy) on the 60,000 MNIST training images and\n"
    "reports its accuracy on the 10,000 test images (or on another data set's parts).\n"
    "  --data DIR        folder holding mnist/ (one folder per data set); default\n"
    "                    $XTNN_DATA_DIR, else ./data\n"
    "  --dataset NAME    mnist (default), fashion-mnist, kmnist, emnist-digits, emnist-letters,\n"
    "                    emnist-balanced, emnist-mnist, emnist-byclass, emnist-bymerge or\n"
    "                    notmnist, read from DIR/NAME/ (emnist-*: DIR/emnist/); its class\n"
    "                    names go into the saved model\n"
    "  --hidden LIST     hidden layer widths (default 256)\n"
    "  --activation KIND activation after each hidden layer (default relu): identity, sigmoid,\n"
    "                    tanh, relu, leaky_relu[:alpha], elu[:alpha], gelu[:tanh], silu,\n"
    "                    softplus\n"
    "  --batch-norm      BatchNorm after every hidden dense layer, before its activation\n"
    "  --dropout P       dropout after every hidden activation (default 0)\n"
    "  --layers SPEC     the whole layer list instead of the four flags above, e.g.\n"
    "                    \"dense:256,batch_norm,relu,dropout:0.2,dense:10,softmax\" (the input\n"
    "                    width comes from the data; it must end in one output per class and\n"
    "                    a softmax)\n"
    "  --optimizer O     update rule (default adam)\n"
    "  --lr X            learning rate (default 0.001 for adam/adamw/rmsprop, 0.01 for adagrad\n"
    "                    and momentum/nesterov, 0.1 for sgd)\n"
    "  --batch N         mini-batch size; 1 = per-sample SGD (default 128)\n"
    "  --epochs N        passes over the training set (default 10)\n"
    "  --weight-decay X  L2 penalty on the kernels (AdamW: its decoupled decay) (default 0)\n"
    "  --seed N          seeds initialisation, shuffles and dropout (default 1)\n"
    "  --init I          weight initialisation (default he for the ReLU family, xavier\n"
    "                    otherwise)\n"
    "  --validation-split F  hold out the last fraction F of the training set and validate\n"
    "                    on it each epoch; without it the test set is scored each epoch, as\n"
    "                    the book does (for watching only: nothing is tuned on it)\n"
    "  --save FILE.npz   write the trained model: every layer (the first rescales raw 0..255\n"
    "                    pixels by 1/255), class names and a self-check; score it again with\n"
    "                    mnist_inference --weights FILE.npz\n"
    "  --checkpoint FILE write a checkpoint after every epoch (a model file that also holds\n"
    "                    where the run stands); a run killed at any moment loses at most the\n"
    "                    epoch in progress\n"
    "  --resume FILE     continue the run a checkpoint holds (its network, optimizer, order,\n"
    "                    engine, history) up to --epochs in all, bit for bit as if it had\n"
    "                    never stopped; give the same training flags as the first run\n"
    "  --history FILE    write the loss and accuracy curves, .svg or .png\n"
    "  --quiet           no progress lines\n";

/// The network the flags describe, for raw 0..255 pixels: a rescale by 1/255 (so the model
/// file it becomes takes the bytes of an image), then for each hidden width a dense layer,
/// BatchNorm if asked, the activation and dropout if asked; then a dense layer of one output per
/// class and softmax. Or the rescale and the --layers list.
xtnn::network<float> build_network(const xtnn_examples::arguments& args, std::size_t inputs,
                                   std::size_t classes)
{
    xtnn::network<float> net(inputs, {xtnn::rescale(1 / 255.0)});
    if (args.has("--layers"))
    {
        for (const char* flag : {"--hidden", "--activation", "--batch-norm", "--dropout"})
        {
            if (args.has(flag))
            {
                std::fprintf(stderr, "note: --layers gives the whole network; %s is ignored\n",
                             flag);
            }
        }
        const auto layers = xtnn_examples::parse_or_usage(
            [&](const std::string& spec)
            { return xtnn::layer_registry<float>::global().parse_list(spec); },
            args.text("--layers"));
        for (const auto& layer : layers)
        {
            net.add(layer);
        }
        return net;
    }
    const std::vector<std::size_t> hidden = args.list("--hidden", {256}, 1);
    const auto activation = xtnn_examples::parse_or_usage(
        [](const std::string& item) { return xtnn::make_layer<float>(item); },
        args.text("--activation", "relu"));
    const double dropout = args.real("--dropout", 0);
    if (dropout >= 1)
    {
        throw xtnn_examples::usage_error("--dropout expects a fraction below 1");
    }
    for (std::size_t width : hidden)
    {
        net.add(xtnn::dense(width));
        if (args.has("--batch-norm"))
        {
            net.add(xtnn::batch_norm());
        }
        net.add(activation);
        if (dropout > 0)
        {
            net.add(xtnn::dropout(dropout));
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
    info.description = "trained by xtnn's mnist_train on the " +
                       std::to_string(set.train.size()) + " " +
                       (mnist ? std::string("MNIST") : set.info->title) + " training images";
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
    return xtnn_examples::run(
        usage,
        [&]
        {
            const xtnn_examples::arguments args(
                argc, argv,
                {"--data", "--dataset", "--hidden", "--activation", "--dropout", "--layers", "--optimizer",
                 "--lr", "--batch", "--epochs", "--weight-decay", "--seed", "--init",
                 "--validation-split", "--save", "--checkpoint", "--resume", "--history"},
                {"--batch-norm", "--quiet"});
            if (args.help())
            {
                std::cout << usage;
                return 0;
            }
            const std::string history_path = args.plot_path("--history");  // .svg or .png
            const std::string data_dir = xtnn::data::resolve_data_dir(args.text("--data"));
            xtnn::fit_options<float> options;
            options.optimizer.kind =
                xtnn_examples::parse_or_usage(
                    [](const std::string& s) { return xtnn::parse_optimizer(s); },
                               args.text("--optimizer", "adam"));
            options.optimizer.learning_rate =
                args.real("--lr", default_learning_rate(options.optimizer.kind));
            options.optimizer.weight_decay = args.real("--weight-decay", 0);
            options.batch_size = args.number("--batch", 128, 1);
            options.epochs = args.number("--epochs", 10, 1);
            options.seed = args.number("--seed", 1);
            options.validation_split = args.real("--validation-split", 0);
            options.verbose = args.has("--quiet") ? xtnn::verbosity::silent : xtnn::verbosity::bar;
            if (options.validation_split >= 1)
            {
                throw xtnn_examples::usage_error("--validation-split expects a fraction below 1");
            }
            xtnn::use_default_blas_threads();

            // Raw 0..255 pixels: the network's first layer rescales them.
            xtnn::data::mnist_options raw;
            raw.normalize = false;
            const auto set = xtnn::data::load_dataset<float>(args.text("--dataset", "mnist"),
                                                             data_dir, raw);
            const auto& train = set.train;
            const auto& test = set.test;
            const std::size_t classes = set.classes();
            xtnn_examples::print_dataset(set);
            const xtnn::io::model_info info = describe_model(set);

            xtnn::network<float> net;
            xtnn::io::checkpoint<float> resumed;
            std::string init_name = "checkpoint's";
            if (args.has("--resume"))
            {
                // The network and where the run stood come from the checkpoint; the flags that
                // describe a network are not used.
                resumed = xtnn::io::load_checkpoint<float>(args.text("--resume"));
                net = resumed.model.net;
                options.resume = &resumed.progress;
                std::printf("resuming \"%s\" after epoch %zu of %zu\n",
                            args.text("--resume").c_str(), resumed.progress.history.size(),
                            options.epochs);
            }
            else
            {
                net = build_network(args, train.images.shape()[1], classes);
                const auto init = xtnn_examples::parse_or_usage(
                    [](const std::string& name) { return xtnn::parse_init(name); },
                    args.text("--init", default_init(net)));
                std::mt19937_64 engine(options.seed);
                xtnn::initialize(net, engine, init);
                init_name = std::string(xtnn::to_string(init));
            }
            if (net.layer(net.size() - 1).kind() != "softmax" || net.outputs() != classes)
            {
                throw xtnn_examples::usage_error("the network must end in " +
                                                 std::to_string(classes) +
                                                 " outputs (one per class) and a softmax; got " +
                                                 net.describe());
            }
            if (args.has("--checkpoint"))
            {
                options.on_epoch_end(
                    xtnn::io::save_checkpoints<float>(args.text("--checkpoint"), info));
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

            if (args.has("--save"))
            {
                xtnn::io::model_info saved = info;
                saved.training = {{"optimizer", std::string(xtnn::to_string(options.optimizer.kind))},
                                  {"learning_rate", options.optimizer.learning_rate},
                                  {"batch_size", options.batch_size},
                                  {"epochs", h.size()},
                                  {"seed", options.seed},
                                  {"final_loss", h.back().loss},
                                  {"test_accuracy", xtnn::accuracy(predicted, labels)}};
                xtnn::io::save_model(net, args.text("--save"), saved);
                std::printf("\nsaved the model to \"%s\" (it takes raw 0..255 pixels)\n",
                            args.text("--save").c_str());
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
