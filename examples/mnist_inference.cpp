// SPDX-License-Identifier: MIT
// The book's ch03 neuralnet_mnist.py and neuralnet_mnist_batch.py in C++: classifies the
// 10,000 MNIST test images with a pretrained network, one image at a time and in batches,
// and prints each mode's accuracy and speed. With the book's sample_weight.pkl it prints
// Accuracy: 0.9352 (0.9207 with --no-normalize). --misclassified draws the mistakes.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/data_dir.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "cli.hpp"

namespace
{
const char* const usage =
    "usage: mnist_inference [--data DIR] [--weights FILE] [--batch N] [--no-normalize]\n"
    "                       [--hidden-activation KIND] [--misclassified FILE.png]\n"
    "Classifies the 10,000 MNIST test images with a pretrained network, one at a time and\n"
    "in batches, and prints the accuracy and speed of each.\n"
    "  --data DIR     folder holding mnist/ (and dlfs/); default $XTNN_DATA_DIR, else ./data\n"
    "  --weights FILE a model file (mnist_train --save): the whole network comes from it;\n"
    "                 or a weights-only .pkl or .npz with W1, b1 ... WN, bN, whose depth and\n"
    "                 widths come from it (default DIR/dlfs/sample_weight.pkl, the book's)\n"
    "  --batch N      images per batch in the batched run (default 100)\n"
    "  --no-normalize feed raw 0..255 pixels, as the book's normalize=False (a model file\n"
    "                 always gets raw pixels)\n"
    "  --hidden-activation KIND  for a weights-only file, the activation after each hidden\n"
    "                 layer (default sigmoid): any\n"
    "                 activation layer item, e.g. relu, tanh, leaky_relu:0.1, gelu; the output\n"
    "                 layer is softmax\n"
    "  --misclassified FILE.png  save a grid of the test digits the network got wrong, each\n"
    "                 captioned with the predicted and the true label (the book's ch08)\n";

struct run_result
{
    double accuracy;
    double seconds;
    std::vector<std::size_t> predicted;
};

// Classifies rows [0, N) of `images` `batch` rows at a time with one workspace, as a
// program embedding the network would: after the first batch nothing is allocated.
run_result classify(const xtnn::network<float>& net, const xt::xarray<float>& images,
                    const std::vector<std::size_t>& labels, std::size_t batch)
{
    const std::size_t count = images.shape()[0];
    std::vector<std::size_t> predicted(count);
    xtnn::workspace<float> ws(net, batch);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t first = 0; first < count; first += batch)
    {
        const std::size_t rows = std::min(batch, count - first);
        const auto scores = net.forward_rows(images, first, rows, ws);
        xtnn::argmax_rows(scores.data(), rows, net.outputs(), predicted.data() + first);
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    return {xtnn::accuracy(predicted, labels), elapsed.count(), std::move(predicted)};
}

void report(const std::string& mode, const run_result& result, std::size_t count)
{
    std::printf("%-14s Accuracy: %.4f   time: %.4f s   %.0f images/s\n", mode.c_str(),
                result.accuracy, result.seconds, static_cast<double>(count) / result.seconds);
}

// A captioned grid of every test digit whose prediction is wrong, at most `limit` of them.
void save_misclassified(const std::string& path, const xt::xarray<float>& images, float max_value,
                        const std::vector<std::size_t>& predicted,
                        const std::vector<std::size_t>& labels, std::size_t limit)
{
    std::vector<xtnn::io::gray_image> digits;
    std::vector<std::string> captions;
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < labels.size(); ++i)
    {
        if (predicted[i] == labels[i])
        {
            continue;
        }
        if (++wrong <= limit)
        {
            digits.push_back(xtnn::io::to_gray_image(xt::view(images, i, xt::all()),
                                                     xtnn::io::gray_options{28, max_value}));
            captions.push_back("pred " + std::to_string(predicted[i]) + " true " +
                               std::to_string(labels[i]));
        }
    }
    if (digits.empty())
    {
        std::printf("no misclassified digits: nothing written to %s\n", path.c_str());
        return;
    }
    xtnn::io::save_png(xtnn::io::digit_grid(digits, captions, 10, 3), path);
    std::printf("wrote %s: %zu of the %zu misclassified digits\n", path.c_str(), digits.size(),
                wrong);
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
                {"--data", "--weights", "--batch", "--hidden-activation", "--misclassified"},
                {"--no-normalize"});
            if (args.help())
            {
                std::cout << usage;
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(args.text("--data"));
            const std::string weights =
                args.text("--weights", data_dir + "/dlfs/sample_weight.pkl");
            const std::size_t batch = args.number("--batch", 100, 1);
            const xtnn::any_layer<float> hidden = xtnn_examples::parse_or_usage(
                [](const std::string& item) { return xtnn::make_layer<float>(item); },
                args.text("--hidden-activation", "sigmoid"));
            xtnn::use_default_blas_threads();
            if (!args.has("--weights") && !std::filesystem::exists(weights))
            {
                throw xtnn::data::data_not_found(
                    "mnist_inference: the book's pretrained network is not at \"" + weights +
                    "\".\nIt is ch03/sample_weight.pkl of Deep Learning from Scratch's repository "
                    "(oreilly-japan/deep-learning-from-scratch, MIT), 181853 bytes, md5 "
                    "6aaf4fbaa5b675aae4fc669115b10e4f: put it in " +
                    data_dir +
                    "/dlfs/, or give a model file (mnist_train --save FILE) with "
                    "--weights FILE.");
            }

            // A model file says what it is and takes raw pixels (its first layers do the
            // preprocessing); a weights-only file (the book's pickle, an old .npz) does not,
            // so the flags say which activation and which pixel scale to use.
            const bool whole_model = xtnn::io::is_model_file(weights);
            xtnn::data::mnist_options options;
            options.normalize = !whole_model && !args.has("--no-normalize");
            const auto test =
                xtnn::data::load_mnist_part<float>(data_dir, xtnn::data::mnist_part::test, options);
            const std::vector<std::size_t> labels = xtnn::class_indices(test.labels);
            const auto net = whole_model
                                 ? xtnn::io::load_model<float>(weights).net
                                 : xtnn::io::load_network<float>(weights, hidden, xtnn::softmax());

            std::printf("network: %s from \"%s\"\n", net.describe().c_str(), weights.c_str());
            if (!whole_model)
            {
                std::printf("(a weights-only file: it carries no architecture; assumed %s after "
                            "each hidden layer, softmax at the output)\n",
                            std::string(hidden.kind()).c_str());
            }
            std::printf("test set: %zu images, pixels %s\n", labels.size(),
                        whole_model          ? "0..255 (the model rescales them itself)"
                        : options.normalize ? "/ 255 (normalize)"
                                            : "0..255 (no normalize)");
            report("per sample", classify(net, test.images, labels, 1), labels.size());
            const run_result batched = classify(net, test.images, labels, batch);
            report("batch of " + std::to_string(batch), batched, labels.size());
            if (args.has("--misclassified"))
            {
                save_misclassified(args.text("--misclassified"), test.images,
                                   options.normalize ? 1.0f : 255.0f, batched.predicted, labels,
                                   100);
            }
            return 0;
        });
}
