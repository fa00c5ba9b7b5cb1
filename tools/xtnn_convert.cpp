// SPDX-License-Identifier: MIT
// xtnn_convert IN OUT: a model from any format xtnn reads into any it writes, told by IN's
// bytes and OUT's name (xtnn/io/interop.hpp), then read back and checked against the network
// it came from on the golden-check rows. Keras and ONNX files need the optional components
// xtnn::keras and xtnn::onnx, which this tool links when they are built.
#include <cstdio>
#include <iostream>
#include <string>

#include <xtnn/io/interop.hpp>

#include "cli.hpp"

namespace
{
const char* const usage =
    "usage: xtnn_convert IN OUT [--layers SPEC] [--prepend SPEC] [--inputs N] [--double]\n"
    "Converts a model between formats, then reads OUT back and checks that it computes what\n"
    "the converted network computes (the golden check).\n"
    "  IN   an xtnn model file (.npz), safetensors (xtnn's, or any with --layers), a PyTorch\n"
    "       state_dict (torch.save(model.state_dict(), \"m.pt\"): .pt, .pth), a\n"
    "       weights-only W1, b1 ... file (.npz, .pkl), a Keras model.save file (.keras, .h5;\n"
    "       save_weights's .h5 with --layers and --inputs) or an ONNX file (.onnx); the\n"
    "       format comes from its bytes\n"
    "  OUT  by its ending: .npz (an xtnn model file: layers, weights, self-check),\n"
    "       .safetensors (the same arrays, model.json in its metadata; PyTorch reads it by\n"
    "       name), .weights.npz (W1, b1 ... WN, bN: dense layers only), .onnx (opset 17)\n"
    "  --layers SPEC   the layers, for an IN that holds tensors but no architecture, e.g.\n"
    "                  \"dense:128,batch_norm,relu,dropout:0.2,dense:10,softmax\" for\n"
    "                  nn.Sequential(Linear(784, 128), BatchNorm1d(128), ReLU(), Dropout(0.2),\n"
    "                  Linear(128, 10), Softmax(1)); for a W1, b1 ... file, instead of sigmoid\n"
    "                  hidden layers and a softmax output\n"
    "  --prepend SPEC  layers put in front of IN's, e.g. the input scaling it was trained\n"
    "                  with, baked into OUT: rescale:SCALE:OFFSET computes x*SCALE + OFFSET\n"
    "                  (torchvision's MNIST (x/255 - 0.1307)/0.3081 on raw pixels is\n"
    "                  rescale:0.012728233130318015:-0.424212917883804)\n"
    "  --inputs N      the input width for --layers (default: from the first weight)\n"
    "  --double        convert in double precision (default float)\n";

template <class T>
int convert(const xtnn_examples::arguments& args, const std::string& in, const std::string& out)
{
    xtnn::io::import_options options;
    options.layers = args.text("--layers");
    options.prepend = args.text("--prepend");
    options.inputs = args.number("--inputs", 0, 1);
    xtnn::io::export_format(out);  // an OUT xtnn cannot write fails before IN is read
    const auto imported = xtnn::io::import_model<T>(in, options);
    const auto& net = imported.loaded.net;
    std::printf("read \"%s\": %s%s\n", in.c_str(), xtnn::io::model_format_name(imported.format),
                imported.carries_architecture ? " (with its layers)" : "");
    std::printf("network: %s\n", net.describe().c_str());
    if (!imported.modules.empty())
    {
        std::string mapped;
        for (const auto& [layer, module] : imported.modules)
        {
            mapped += (mapped.empty() ? "" : ", ") + (module.empty() ? "(top level)" : module) +
                      " -> " + layer;
        }
        std::printf("modules: %s\n", mapped.c_str());
    }
    const auto format = xtnn::io::export_model(net, out, imported.loaded.info);
    std::printf("wrote \"%s\": %s\n", out.c_str(), xtnn::io::model_format_name(format));
    const auto check = xtnn::io::verify_export(net, out);
    std::printf("golden check: \"%s\" read back computes the network's outputs on %zu rows x %zu "
                "columns (largest difference %.3g)\n",
                out.c_str(), check.rows, check.columns, check.largest_difference);
    return 0;
}
}  // namespace

int main(int argc, char** argv)
{
    return xtnn_examples::run(
        usage,
        [&]
        {
            const xtnn_examples::arguments args(argc, argv, {"--layers", "--prepend", "--inputs"},
                                                {"--double"}, xtnn_examples::positionals::accepted);
            if (args.help())
            {
                std::cout << usage;
                return 0;
            }
            if (args.positional().size() != 2)
            {
                throw xtnn_examples::usage_error("expected IN and OUT; got " +
                                                 std::to_string(args.positional().size()) +
                                                 " file names");
            }
            const std::string in = args.positional()[0];
            const std::string out = args.positional()[1];
            return args.has("--double") ? convert<double>(args, in, out)
                                        : convert<float>(args, in, out);
        });
}
