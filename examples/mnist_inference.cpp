// SPDX-License-Identifier: MIT
// The book's ch03 neuralnet_mnist.py and neuralnet_mnist_batch.py in C++: classifies the
// 10,000 MNIST test images with a pretrained network, one image at a time and in batches,
// and prints each mode's accuracy and speed. With the book's sample_weight.pkl it prints
// Accuracy: 0.9352 (0.9207 with --no-normalize). --misclassified draws the mistakes.
// --weights takes any model file xtnn reads (xtnn/io/interop.hpp): an xtnn model file, a
// PyTorch state_dict, safetensors, the book's W1, b1 ... files, Keras and ONNX files (when
// built with xtnn::keras and xtnn::onnx); --layers gives the layers of a
// file that holds none, --prepend the input scaling a model trained elsewhere expects.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/data_dir.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/data/datasets.hpp>
#include <xtnn/io/interop.hpp>
#include <xtnn/xtnn.hpp>

#include "cli.hpp"

namespace
{
const char* const usage =
    "usage: mnist_inference [--data DIR] [--dataset NAME] [--weights FILE] [--layers SPEC]\n"
    "                       [--prepend SPEC] [--batch N] [--no-normalize]\n"
    "                       [--hidden-activation KIND] [--misclassified FILE.png]\n"
    "Classifies the 10,000 MNIST test images with a pretrained network, one at a time and\n"
    "in batches, and prints the accuracy and speed of each.\n"
    "  --data DIR     folder holding mnist/ (and dlfs/); default $XTNN_DATA_DIR, else ./data\n"
    "  --dataset NAME the test images of another data set of the MNIST family, e.g.\n"
    "                 fashion-mnist, kmnist, emnist-letters (see mnist_train --help), read\n"
    "                 from DIR/NAME/; the network must have one output per class\n"
    "  --weights FILE any model file, told by its bytes (default DIR/dlfs/sample_weight.pkl,\n"
    "                 the book's):\n"
    "                 - an xtnn model file (mnist_train --save, .npz) or an xtnn safetensors\n"
    "                   file (xtnn_convert): the whole network comes from it\n"
    "                 - a PyTorch state_dict (torch.save(model.state_dict(), \"m.pt\")) or a\n"
    "                   safetensors file of one: give its layers with --layers\n"
    "                 - a weights-only .pkl or .npz with W1, b1 ... WN, bN: depth and widths\n"
    "                   come from it, activations from --hidden-activation (or --layers)\n"
    "                 - a Keras model.save file (.keras, .h5) or an ONNX file (.onnx): the\n"
    "                   network comes from it (save_weights's .h5: with --layers)\n"
    "  --layers SPEC  the layers of a file that holds only tensors, e.g.\n"
    "                 \"dense:32,batch_norm,relu,dropout:0.1,dense:10\" for\n"
    "                 nn.Sequential(Linear(784, 32), BatchNorm1d(32), ReLU(), Dropout(0.1),\n"
    "                 Linear(32, 10)) (tensor names 0.weight ... or fc1.weight ...)\n"
    "  --prepend SPEC layers put in front of the file's: the input scaling the model was\n"
    "                 trained with. rescale:SCALE:OFFSET computes x*SCALE + OFFSET; with\n"
    "                 --no-normalize (raw 0..255 pixels) torchvision's (x/255 - 0.1307)/0.3081\n"
    "                 is rescale:0.012728233130318015:-0.424212917883804\n"
    "  --batch N      images per batch in the batched run (default 100)\n"
    "  --no-normalize feed raw 0..255 pixels, as the book's normalize=False (default: /255;\n"
    "                 an xtnn model file always gets raw pixels: its first layers rescale)\n"
    "  --hidden-activation KIND  for a weights-only file without --layers, the activation\n"
    "                 after each hidden layer (default sigmoid): any activation layer item,\n"
    "                 e.g. relu, tanh, leaky_relu:0.1, gelu; the output layer is softmax\n"
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
                {"--data", "--dataset", "--weights", "--batch", "--hidden-activation", "--misclassified",
                 "--layers", "--prepend"},
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
            // preprocessing); a file of weights only (the book's pickle, a PyTorch state_dict)
            // does not, so the flags say which layers and which pixel scale to use.
            xtnn::io::import_options import;
            import.layers = args.text("--layers");
            import.prepend = args.text("--prepend");
            import.hidden = args.text("--hidden-activation", "sigmoid");
            import.inputs = 784;
            const auto imported = xtnn::io::import_model<float>(weights, import);
            const bool whole_model = imported.carries_architecture;
            // xtnn's own files (mnist_train --save) hold their preprocessing; the others
            // (Keras, ONNX, weights) get the book's x/255 unless --no-normalize says raw.
            const bool xtnn_file = whole_model &&
                                   (imported.format == xtnn::io::model_format::xtnn_model ||
                                    imported.format == xtnn::io::model_format::safetensors);
            const auto& net = imported.loaded.net;
            xtnn::data::mnist_options options;
            options.normalize = !xtnn_file && !args.has("--no-normalize");
            const std::string dataset = args.text("--dataset", "mnist");
            const auto set = xtnn::data::load_dataset_part<float>(
                dataset, data_dir, xtnn::data::mnist_part::test, options);
            const auto& test = set.test;
            xtnn_examples::print_notes(set);
            if (net.outputs() != set.classes())
            {
                throw xtnn::shape_error("the network has " + std::to_string(net.outputs()) +
                                        " outputs but " + set.info->title + " has " +
                                        std::to_string(set.classes()) + " classes");
            }
            const auto& file_classes = imported.loaded.info.classes;
            if (!file_classes.empty() && file_classes != set.class_names())
            {
                std::printf("note: the model's classes (%s, ...) are not %s's (%s, ...)\n",
                            file_classes.front().c_str(), dataset.c_str(),
                            set.class_names().front().c_str());
            }
            const std::vector<std::size_t> labels = xtnn::class_indices(test.labels);

            std::printf("network: %s from \"%s\" (%s)\n", net.describe().c_str(), weights.c_str(),
                        xtnn::io::model_format_name(imported.format));
            if (!whole_model && import.layers.empty())
            {
                std::printf("(a weights-only file: it carries no architecture; assumed %s after "
                            "each hidden layer, softmax at the output)\n",
                            std::string(hidden.kind()).c_str());
            }
            std::printf("test set: %zu images%s, pixels %s\n", labels.size(),
                        dataset == "mnist" ? "" : (" (" + dataset + ")").c_str(),
                        xtnn_file            ? "0..255 (the model rescales them itself)"
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
