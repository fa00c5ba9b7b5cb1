// SPDX-License-Identifier: MIT
// The book's gradient check, "Deep Learning from Scratch" ch05/gradient_check_neuralnet.py,
// in C++: chapter 5's TwoLayerNet (784-50-10, ReLU) on three training images, its
// backpropagated gradients against numerical ones from central differences, the mean
// absolute difference per parameter as the book prints it ("W1:2.6e-13").
#include <cmath>
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
    "The book's chapter 5 gradient check (ch05/gradient_check_neuralnet.py): TwoLayerNet\n"
    "784-50-10 (ReLU, softmax with cross-entropy), weights 0.01 * N(0, 1), biases 0, in\n"
    "double; on the first 3 MNIST training images it computes every parameter's gradient\n"
    "by backpropagation and by central differences (f(w + h) - f(w - h)) / 2h, h = 1e-4\n"
    "(xtnn::gradient_check), and prints the mean absolute difference per parameter as the\n"
    "book does (\"W1:2.6e-13\"), then whether all are below 1e-9.\n"
    "The loss differentiated is the exact cross-entropy -log y: its gradient is the (y - t)\n"
    "the backward pass computes. The book's cross_entropy_error takes -log(y + 1e-7), whose\n"
    "gradient is (y - t) only up to a relative 1e-7 / y (y is about 0.1 here): numerical\n"
    "gradients of it differ by about 1e-6 of each gradient, 1e-7 in b2. The book's printed\n"
    "figures are those of the exact loss; the second block shows the ones with its epsilon.\n"
    "A hidden unit whose input lies within h of 0 (ReLU's kink) is not differentiable\n"
    "there: its weights' differences jump to about 1e-5 (--seed 3 shows one).\n";

/// The exact softmax cross-entropy, loss = -Σ log y[r, label_r] / rows, whose gradient
/// dL/dZ = (y - t) / rows is the one xtnn::softmax_cross_entropy (the book's SoftmaxWithLoss)
/// backpropagates; that loss takes log(y + 1e-7), as the book's cross_entropy_error, whose
/// exact gradient is off by a factor y / (y + 1e-7).
struct exact_cross_entropy : xtnn::softmax_cross_entropy
{
    template <class T>
    static T loss(const T* y, xtnn::targets_ref<T> t, std::size_t rows, std::size_t cols)
    {
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r)
        {
            sum -= std::log(static_cast<double>(y[r * cols + t.indices[r]]));  // -log y
        }
        return static_cast<T>(sum / static_cast<double>(rows));
    }
};

/// The book's name of a parameter: dense layer k's kernel is Wk, its bias bk.
std::string book_name(std::size_t dense_index, bool kernel)
{
    return (kernel ? "W" : "b") + std::to_string(dense_index);
}

/// A panel per parameter: each value's (numerical, backprop) gradient as a dot.
xtnn::plot::figure gradients_figure(const std::vector<std::string>& names,
                                    const std::vector<std::vector<double>>& numerical,
                                    const std::vector<std::vector<double>>& backprop)
{
    xtnn::plot::figure figure;
    figure.columns = 2;
    figure.panel_width = 360;
    figure.panel_height = 300;
    for (std::size_t i = 0; i < names.size(); ++i)
    {
        xtnn::plot::panel panel;
        panel.title = names[i];
        panel.x_label = i >= 2 ? "numerical gradient" : "";
        panel.y_label = i % 2 == 0 ? "backprop gradient" : "";
        panel.legend = false;
        xtnn::plot::series dots;
        dots.x = numerical[i];
        dots.y = backprop[i];
        dots.style = xtnn::plot::style::markers;
        dots.marker_radius = 2;
        panel.series.push_back(dots);
        figure.panels.push_back(panel);
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("gradient_check", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw backprop against numerical gradient, a panel per parameter (the points lie "
             "on the diagonal), .svg or .png");
    std::size_t images = 3;
    cli.number("--images", images, "N", "the first N training images", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            xtnn::use_default_blas_threads();

            // x_batch = x_train[:3], t_batch = t_train[:3]
            const auto train =
                xtnn_book::load_part<double>(data_dir, xtnn::data::mnist_part::train, images);
            xtnn::network<double> net = xtnn_book::multi_layer_net<double>({50}, true);
            std::mt19937_64 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::normal, 0.01);
            const xtnn::targets_ref<double> t{nullptr, train.indices.data()};
            std::printf("TwoLayerNet 784-50-10 (ReLU, softmax) in double on %zu MNIST training "
                        "images, seed %llu: mean |backprop - numerical| per parameter\n",
                        train.size(), static_cast<unsigned long long>(seed));

            // The registry lists dense_1/kernel, dense_1/bias, dense_2/kernel, dense_2/bias.
            std::vector<std::string> names;
            std::size_t dense_index = 0;
            for (std::size_t l = 0; l < net.size(); ++l)
            {
                if (net.layer(l).parameter_count() == 2)
                {
                    ++dense_index;
                    names.push_back(book_name(dense_index, true));
                    names.push_back(book_name(dense_index, false));
                }
            }
            // Prints the book's lines for one check; returns the largest mean difference and
            // "W1 2.6e-13, b1 ..." for the result line.
            const auto report = [&](const xtnn::gradient_check_result& check, std::string& summary)
            {
                double largest = 0;
                for (std::size_t i = 0; i < check.parameters.size(); ++i)
                {
                    const double d = check.parameters[i].mean_absolute_difference;
                    std::printf("%s:%.1e\n", names[i].c_str(), d);
                    char item[48];
                    std::snprintf(item, sizeof item, "%s%s %.1e", summary.empty() ? "" : ", ",
                                  names[i].c_str(), d);
                    summary += item;
                    largest = std::max(largest, d);
                }
                std::printf("largest relative error %.1e (%s[%zu]: backprop %.6e, numerical "
                            "%.6e)\n",
                            check.max_relative_error, check.worst_parameter.c_str(),
                            check.worst_index, check.analytic, check.numerical);
                return largest;
            };

            std::string summary, with_epsilon;
            // h = 1e-4, the book's numerical_gradient step
            const double largest = report(
                xtnn::gradient_check<double, exact_cross_entropy>(
                    net, train.images.data(), train.size(), t, xtnn::mode::inference, seed, 1e-4),
                summary);
            std::printf("the same with the book's -log(y + 1e-7):\n");
            report(
                xtnn::gradient_check<double, xtnn::softmax_cross_entropy>(
                    net, train.images.data(), train.size(), t, xtnn::mode::inference, seed, 1e-4),
                with_epsilon);

            if (!plot_path.empty())
            {
                // The same two gradients gradient_check compared, kept for drawing.
                const auto numerical = xtnn::numerical_gradients<double, exact_cross_entropy>(
                    net, train.images.data(), train.size(), t);
                xtnn::network<double> copy = net;
                xtnn::backprop<double> pass(copy);
                std::mt19937_64 unused(seed);
                pass.run<exact_cross_entropy>(train.images.data(), train.size(), t,
                                              xtnn::mode::inference, unused);
                std::vector<std::vector<double>> n, b;
                for (std::size_t i = 0; i < numerical.size(); ++i)
                {
                    n.push_back(numerical[i].second);
                    const double* g = pass.parameters().gradient(i);
                    b.emplace_back(g, g + numerical[i].second.size());
                }
                xtnn::plot::save(gradients_figure(names, n, b), plot_path);
                std::printf("saved the gradients to \"%s\"\n", plot_path.c_str());
            }
            std::printf("result: mean |backprop - numerical| %s; all below 1e-9: %s\n",
                        summary.c_str(), largest < 1e-9 ? "yes" : "no");
            return 0;
        });
}
