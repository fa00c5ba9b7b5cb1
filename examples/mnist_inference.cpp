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
#include <xtnn/data/datasets.hpp>
#include <xtnn/io/image.hpp>
#include <xtnn/io/interop.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Classifies the 10,000 MNIST test images with a pretrained network, one at a time and\n"
    "in batches, and prints the accuracy and speed of each.\n";

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
    xtnn_examples::command_line cli("mnist_inference", description);
    std::string data;
    cli.data_dir(data, "mnist/ (and dlfs/)");
    std::string dataset = "mnist";
    cli.text("--dataset", dataset, "NAME",
             "the test images of another data set of the MNIST family, e.g. fashion-mnist, "
             "kmnist, emnist-letters (see mnist_train --help), read from DIR/NAME/; the network "
             "must have one output per class")
        ->default_str("");
    std::string weights_flag;
    cli.text("--weights", weights_flag, "FILE",
             "any model file, told by its bytes (default DIR/dlfs/sample_weight.pkl, the "
             "book's):\n"
             "- an xtnn model file (mnist_train --save, .npz) or an xtnn safetensors file "
             "(xtnn_convert): the whole network comes from it\n"
             "- a PyTorch state_dict (torch.save(model.state_dict(), \"m.pt\")) or a safetensors "
             "file of one: give its layers with --layers\n"
             "- a weights-only .pkl or .npz with W1, b1 ... WN, bN: depth and widths come from "
             "it, activations from --hidden-activation (or --layers)\n"
             "- a Keras model.save file (.keras, .h5) or an ONNX file (.onnx): the network comes "
             "from it (save_weights's .h5: with --layers)");
    std::string layers;
    cli.text("--layers", layers, "SPEC",
             "the layers of a file that holds only tensors, e.g. "
             "\"dense:32,batch_norm,relu,dropout:0.1,dense:10\" for nn.Sequential(Linear(784, "
             "32), BatchNorm1d(32), ReLU(), Dropout(0.1), Linear(32, 10)) (tensor names 0.weight "
             "... or fc1.weight ...)");
    std::string prepend;
    cli.text("--prepend", prepend, "SPEC",
             "layers put in front of the file's: the input scaling the model was trained with. "
             "rescale:SCALE:OFFSET computes x*SCALE + OFFSET; with --no-normalize (raw 0..255 "
             "pixels) torchvision's (x/255 - 0.1307)/0.3081 is "
             "rescale:0.012728233130318015:-0.424212917883804");
    std::size_t batch = 100;
    cli.number("--batch", batch, "N", "images per batch in the batched run", 1);
    bool no_normalize = false;
    cli.flag("--no-normalize", no_normalize,
             "feed raw 0..255 pixels, as the book's normalize=False (default: /255; an xtnn "
             "model file always gets raw pixels: its first layers rescale)");
    std::string hidden_activation = "sigmoid";
    cli.text("--hidden-activation", hidden_activation, "KIND",
             "for a weights-only file without --layers, the activation after each hidden layer "
             "(default {}): any activation layer item, e.g. relu, tanh, leaky_relu:0.1, gelu; "
             "the output layer is softmax");
    std::string misclassified;
    cli.text("--misclassified", misclassified, "FILE.png",
             "save a grid of the test digits the network got wrong, each captioned with the "
             "predicted and the true label (the book's ch08)");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            const std::string weights =
                cli.given("--weights") ? weights_flag : data_dir + "/dlfs/sample_weight.pkl";
            const xtnn::any_layer<float> hidden = xtnn_examples::parse_or_usage(
                [](const std::string& item) { return xtnn::make_layer<float>(item); },
                hidden_activation);
            xtnn::use_default_blas_threads();
            if (!cli.given("--weights") && !std::filesystem::exists(weights))
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
            import.layers = layers;
            import.prepend = prepend;
            import.hidden = hidden_activation;
            import.inputs = 784;
            const auto imported = xtnn::io::import_model<float>(weights, import);
            const bool whole_model = imported.carries_architecture;
            // xtnn's own files (mnist_train --save) hold their preprocessing; the others
            // (Keras, ONNX, weights) get the book's x/255 unless --no-normalize says raw.
            const bool xtnn_file =
                whole_model && (imported.format == xtnn::io::model_format::xtnn_model ||
                                imported.format == xtnn::io::model_format::safetensors);
            const auto& net = imported.loaded.net;
            xtnn::data::mnist_options options;
            options.normalize = !xtnn_file && !no_normalize;
            const auto set = xtnn::data::load_dataset_part<float>(
                dataset, data_dir, xtnn::data::mnist_part::test, options);
            const auto& test = set.test;
            xtnn_examples::print_notes(set);
            if (net.inputs() != set.test.images.shape(1))
            {
                throw xtnn::shape_error("the network in \"" + weights + "\" takes " +
                                        std::to_string(net.inputs()) + " inputs but " +
                                        set.info->title + "'s images have " +
                                        std::to_string(set.test.images.shape(1)) + " pixels");
            }
            if (net.outputs() != set.classes())
            {
                throw xtnn::shape_error("the network in \"" + weights + "\" has " +
                                        std::to_string(net.outputs()) + " outputs but " +
                                        set.info->title + " has " +
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
                        xtnn_file           ? "0..255 (the model rescales them itself)"
                        : options.normalize ? "/ 255 (normalize)"
                                            : "0..255 (no normalize)");
            report("per sample", classify(net, test.images, labels, 1), labels.size());
            const run_result batched = classify(net, test.images, labels, batch);
            report("batch of " + std::to_string(batch), batched, labels.size());
            if (cli.given("--misclassified"))
            {
                save_misclassified(misclassified, test.images, options.normalize ? 1.0f : 255.0f,
                                   batched.predicted, labels, 100);
            }
            return 0;
        });
}
