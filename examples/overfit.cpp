// SPDX-License-Identifier: MIT
// The book's overfitting experiments, "Deep Learning from Scratch" ch06/overfit_weight_decay.py
// and ch06/overfit_dropout.py, in C++: a deep ReLU network trained on only 300 images, without
// regularisation, with weight decay and with dropout; train and test accuracy per epoch, and
// the three runs' curves (the book's figures 6-20, 6-21 and 6-23) as SVG or PNG.
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
#include <xtnn/xtnn.hpp>

#include "book.hpp"
#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "The book's chapter 6 overfitting experiments (ch06/overfit_weight_decay.py and\n"
    "overfit_dropout.py): MultiLayerNet 784-100-100-100-100-100-100-10 (six hidden layers\n"
    "of 100 ReLU units, softmax; He init, biases 0) on the first 300 MNIST training images,\n"
    "SGD lr 0.01, batches of 100 drawn at random (np.random.choice, with replacement), 3\n"
    "an epoch, 201 epochs, three times: without regularisation, with weight decay lambda 0.1\n"
    "(the gradient of 0.5 * lambda * sum W^2 added to every weight's, biases not decayed,\n"
    "as the book), and with dropout 0.2 after every hidden ReLU. After the first step of\n"
    "each epoch it scores the 300 training and the test images (dropout off) and prints\n"
    "\"epoch:10, train acc:0.8, test acc:0.6\" as the book, then each run's gap between train\n"
    "and test accuracy (the mean over its last 10 epochs) and whether weight decay and\n"
    "dropout make it smaller than the run without.\n"
    "Unlike the book, the three runs start from the same weights and see the same batches;\n"
    "dropout is inverted (kept units scaled by 1/0.8 in training, none at test time; the book\n"
    "scales by 0.8 at test time instead); the book's dropout script runs 301 epochs\n"
    "(--epochs 301); the arithmetic is float.\n";

using part = xtnn_book::image_set<float>;

/// One run's scores, an entry per epoch.
struct run_result
{
    std::string name;
    std::vector<double> train, test;

    /// mean(train - test) over the last `count` epochs.
    double gap(std::size_t count) const
    {
        return xtnn_book::mean_of_last(train, count) - xtnn_book::mean_of_last(test, count);
    }
};

/// The book's loop: for i = 0, 1, ...: a step on a batch drawn at random; when i is a
/// multiple of the iterations per epoch (3 for 300 images in batches of 100), score train
/// and test and count an epoch, until `epochs` have been scored.
run_result train_run(const std::string& name, xtnn::network<float> net,
                     const xtnn::optimizer_options& optimizer, const part& train, const part& test,
                     std::size_t epochs, std::size_t every, std::uint64_t seed)
{
    std::printf("=== %s ===\n", name.c_str());
    const std::size_t batch_size = 100;
    // iter_per_epoch = max(train_size / batch_size, 1)
    const std::size_t per_epoch = std::max<std::size_t>(train.size() / batch_size, 1);
    xtnn_book::batch_sampler<float> batch(train, batch_size);
    std::mt19937_64 batches(seed + 1);  // the same batches in every run
    xtnn::training_step<float> step(net, xtnn::loss_kind::softmax_cross_entropy, optimizer, seed);
    run_result result{name, {}, {}};
    for (std::size_t i = 0; result.train.size() < epochs; ++i)
    {
        batch.draw(batches);
        step.step(batch.x(), batch.rows(), batch.targets(), nullptr);
        if (i % per_epoch == 0)
        {
            const std::size_t epoch = result.train.size();
            result.train.push_back(xtnn_book::accuracy(net, train));
            result.test.push_back(xtnn_book::accuracy(net, test));
            if (epoch % every == 0 || epoch + 1 == epochs)
            {
                std::printf("epoch:%zu, train acc:%.4f, test acc:%.4f\n", epoch,
                            result.train.back(), result.test.back());
                std::fflush(stdout);
            }
        }
    }
    return result;
}

/// The book's figures 6-20, 6-21 and 6-23 side by side: per run, train accuracy solid and
/// test dashed over epochs 0 .. epochs-1, each with a dot every 10 epochs (markevery=10).
xtnn::plot::figure curves_figure(const std::vector<run_result>& runs)
{
    xtnn::plot::figure figure;
    figure.columns = 3;
    figure.panel_width = 380;
    figure.panel_height = 300;
    for (std::size_t r = 0; r < runs.size(); ++r)
    {
        xtnn::plot::panel panel;
        panel.title = runs[r].name;
        panel.x_label = "epochs";
        panel.y_label = r == 0 ? "accuracy" : "";
        panel.y_min = 0;
        panel.y_max = 1;
        panel.integer_x = true;
        panel.legend = r == 0;
        for (const bool is_train : {true, false})
        {
            const std::vector<double>& values = is_train ? runs[r].train : runs[r].test;
            xtnn::plot::series curve = xtnn::plot::by_index(is_train ? "train" : "test", values, 0);
            curve.color = xtnn_book::color(is_train ? 0 : 1);
            curve.line_style =
                is_train ? xtnn::plot::line_style::solid : xtnn::plot::line_style::dashed;
            curve.style = xtnn::plot::style::line_and_markers;
            curve.marker_every = 10;
            panel.series.push_back(curve);
        }
        figure.panels.push_back(panel);
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("overfit", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw train (solid) and test (dashed) accuracy per epoch, a panel per run, .svg or "
             ".png");
    std::size_t epochs = 201;
    cli.number("--epochs", epochs, "N", "epochs of each run", 1);
    std::size_t every = 1;
    cli.number("--every", every, "N", "print every N-th epoch's scores", 1);
    std::size_t test_size = 10000;
    cli.number("--test-size", test_size, "N", "score the first N test images (default {}, all)", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights, the batches and the dropout masks");

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

            // x_train = x_train[:300]: too few images for a network this deep, so it overfits
            const part train =
                xtnn_book::load_part<float>(data_dir, xtnn::data::mnist_part::train, 300);
            const part test =
                xtnn_book::load_part<float>(data_dir, xtnn::data::mnist_part::test, test_size);
            std::printf("784-%s10 ReLU networks on %zu MNIST training images, scored on %zu test "
                        "images: SGD lr 0.01, batch 100 drawn at random, %zu epochs, seed %llu\n",
                        xtnn_book::widths(6).c_str(), train.size(), test.size(), epochs,
                        static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            // MultiLayerNet(784, [100] * 6, 10), weight_init_std='relu' (He), the same
            // initial weights for all three runs (dropout layers have no parameters)
            xtnn::network<float> plain = xtnn_book::multi_layer_net<float>(xtnn_book::hundreds(6));
            xtnn::network<float> dropped =
                xtnn_book::multi_layer_net<float>(xtnn_book::hundreds(6), true, 0.2);
            std::mt19937_64 engine(seed);
            xtnn::initialize(plain, engine, xtnn::init_kind::he);
            std::mt19937_64 same(seed);
            xtnn::initialize(dropped, same, xtnn::init_kind::he);

            xtnn::optimizer_options sgd{xtnn::optimizer_kind::sgd, 0.01};
            xtnn::optimizer_options decayed = sgd;
            decayed.weight_decay = 0.1;  // weight_decay_lambda = 0.1
            const auto start = std::chrono::steady_clock::now();
            std::vector<run_result> runs;
            runs.push_back(
                train_run("without regularisation", plain, sgd, train, test, epochs, every, seed));
            runs.push_back(
                train_run("weight decay 0.1", plain, decayed, train, test, epochs, every, seed));
            runs.push_back(
                train_run("dropout 0.2", dropped, sgd, train, test, epochs, every, seed));
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            if (!plot_path.empty())
            {
                xtnn::plot::save(curves_figure(runs), plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s for 3 runs\n", elapsed.count());
            const std::size_t last = std::min<std::size_t>(10, epochs);
            std::string gaps;
            for (const auto& run : runs)
            {
                char item[128];
                std::snprintf(item, sizeof item, "%s%s %.3f (train %.3f, test %.3f)",
                              gaps.empty() ? "" : ", ", run.name.c_str(), run.gap(last),
                              xtnn_book::mean_of_last(run.train, last),
                              xtnn_book::mean_of_last(run.test, last));
                gaps += item;
            }
            const bool closes =
                runs[1].gap(last) < runs[0].gap(last) && runs[2].gap(last) < runs[0].gap(last);
            std::printf("result: train-test gap over the last %zu epochs: %s; weight decay and "
                        "dropout shrink it: %s\n",
                        last, gaps.c_str(), closes ? "yes" : "no");
            return 0;
        });
}
