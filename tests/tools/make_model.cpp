// SPDX-License-Identifier: MIT
// Trains a small network holding every layer kind tools/xtnn_model.py knows (standardize,
// rescale, dense with and without bias, BatchNorm, LayerNorm, dropout, every activation,
// softmax) on a
// synthetic problem, and saves it as a model file — for the ctest that has numpy replay the
// model's golden check. Also writes a copy with one weight changed, which the tool must
// refuse. Usage: make_model OUT_DIR
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include <xtnn/io/model.hpp>
#include <xtnn/io/zip.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::cerr << "usage: make_model OUT_DIR\n";
        return 2;
    }
    const std::string dir = argv[1];
    xtnn::network<float> net{
        xtnn::standardize(),      xtnn::rescale(0.5),   xtnn::dense(4, 16),   xtnn::batch_norm(),   xtnn::relu(),
        xtnn::dropout(0.1),       xtnn::dense(12, xtnn::no_bias), xtnn::layer_norm(),
        xtnn::gelu(),             xtnn::dense(10),      xtnn::gelu("tanh"),   xtnn::leaky_relu(0.1),
        xtnn::elu(0.7),           xtnn::silu(),         xtnn::softplus(),     xtnn::tanh(),
        xtnn::sigmoid(),          xtnn::identity(),     xtnn::dense(3),       xtnn::softmax()};
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    // Three classes by the sign of x0 - x1 and of x2 + x3, in raw 0..255 units.
    xtnn::matrix<float> x = xt::zeros<float>({300, 4});
    xtnn::vector<float> y = xt::zeros<float>({300});
    for (std::size_t i = 0; i < 300; ++i)
    {
        for (std::size_t j = 0; j < 4; ++j)
        {
            x(i, j) = static_cast<float>(engine() % 256);
        }
        y(i) = x(i, 0) > x(i, 1) ? 0.0f : (x(i, 2) + x(i, 3) > 255 ? 1.0f : 2.0f);
    }
    net.layer<xtnn::standardize<float>>(0).adapt(x);
    xtnn::fit_options<float> options;
    options.epochs = 20;
    options.verbose = xtnn::verbosity::silent;
    xtnn::fit(net, x, y, options);
    xtnn::io::model_info info;
    info.classes = {"left", "up", "down"};
    info.input_description = "four raw values 0..255";
    for (std::size_t i = 0; i < 5; ++i)
    {
        info.check_inputs.emplace_back(x.data() + 4 * i, x.data() + 4 * (i + 1));
    }
    xtnn::io::save_model(net, dir + "/trained_model.npz", info);

    // The same file with one byte of dense_1's kernel flipped.
    const auto bytes = xtnn::detail::read_file(dir + "/trained_model.npz", "make_model");
    auto members = xtnn::io::parse_zip(bytes.data(), bytes.size(), "trained_model.npz");
    for (auto& member : members)
    {
        if (member.name == "dense_1/kernel.npy")
        {
            member.data.back() ^= 0x01;
        }
    }
    xtnn::detail::write_file_atomically(dir + "/changed_model.npz",
                                        xtnn::io::detail::format_zip(members, true, "make_model"),
                                        "make_model");
    std::cout << "wrote " << dir << "/trained_model.npz and changed_model.npz: " << net.describe()
              << ", training accuracy " << xtnn::evaluate(net, x, y).accuracy << '\n';
    return 0;
}
