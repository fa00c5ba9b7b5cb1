// SPDX-License-Identifier: MIT
// The book's random hyper-parameter search, "Deep Learning from Scratch"
// ch06/hyperparameter_optimization.py, in C++: 100 trials of a learning rate and a weight
// decay drawn log-uniformly, each a deep ReLU network trained on 400 images and validated on
// 100; every trial's validation accuracy, the best 20, and the book's 5x4 grid of their
// curves (figure 6-24) as SVG or PNG. The trials run on two threads.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <thread>
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
    "The book's chapter 6 hyper-parameter search (ch06/hyperparameter_optimization.py): the\n"
    "first 500 MNIST training images, shuffled, the first 20% of them (100) held out for\n"
    "validation; 100 trials, each with weight decay 10^U(-8, -4) and learning rate\n"
    "10^U(-6, -2) drawn at random, of MultiLayerNet 784-100-100-100-100-100-100-10 (six\n"
    "hidden layers of 100 ReLU units, He init, biases 0) trained by SGD with them on\n"
    "batches of 100 drawn at random from the 400 (np.random.choice, with replacement) for\n"
    "50 epochs (4 steps each), its train and validation accuracy scored after the first\n"
    "step of each epoch, as the book's Trainer. It prints each trial as the book (\"val\n"
    "acc:0.83 | lr:0.00923, weight decay:3.87e-07\", in trial order), then the best 20\n"
    "(\"Best-1(val acc:0.83) | lr:...\"), then how far the best trial is above the median.\n"
    "Trials run on --workers threads with one BLAS thread each; each trial's weights and\n"
    "batches come from its own seed, drawn with its hyper-parameters from --seed, so the\n"
    "results do not depend on the number of workers. The arithmetic is float.\n";

using part = xtnn_book::image_set<float>;

/// One trial: its hyper-parameters and seed, and, once run, its scores per epoch.
struct trial
{
    double learning_rate = 0;
    double weight_decay = 0;
    std::uint64_t seed = 0;
    std::vector<double> val, train;

    double final_val() const { return val.empty() ? 0 : val.back(); }
};

/// The rows `first` .. `first + count - 1` of `order` gathered from `all`.
part gather(const part& all, const std::vector<std::size_t>& order, std::size_t first,
            std::size_t count)
{
    part result;
    result.images = xt::xtensor<float, 2>::from_shape({count, all.images.shape()[1]});
    result.labels = xt::xtensor<float, 1>::from_shape({count});
    result.indices.resize(count);
    for (std::size_t i = 0; i < count; ++i)
    {
        const std::size_t row = order[first + i];
        xt::view(result.images, i, xt::all()) = xt::view(all.images, row, xt::all());
        result.labels(i) = all.labels(row);
        result.indices[i] = all.indices[row];
    }
    return result;
}

/// The book's __train(lr, weight_decay, epocs=50) through its Trainer: a fresh
/// MultiLayerNet(784, [100] * 6, 10, weight_decay_lambda), SGD(lr), batches of 100 drawn
/// at random; after step i, when i is a multiple of the steps per epoch, it scores train and
/// validation. epochs·(steps per epoch) steps in all.
void run_trial(trial& t, const part& train, const part& val, std::size_t epochs)
{
    xtnn::network<float> net = xtnn_book::multi_layer_net<float>(xtnn_book::hundreds(6));
    std::mt19937_64 engine(t.seed);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    xtnn::optimizer_options sgd{xtnn::optimizer_kind::sgd, t.learning_rate};
    sgd.weight_decay = t.weight_decay;
    xtnn::training_step<float> step(net, xtnn::loss_kind::softmax_cross_entropy, sgd, t.seed);
    const std::size_t batch_size = 100;
    // iter_per_epoch = max(train_size / mini_batch_size, 1); max_iter = epochs * iter_per_epoch
    const std::size_t per_epoch = std::max<std::size_t>(train.size() / batch_size, 1);
    xtnn_book::batch_sampler<float> batch(train, std::min(batch_size, train.size()));
    for (std::size_t i = 0; i < epochs * per_epoch; ++i)
    {
        batch.draw(engine);
        step.step(batch.x(), batch.rows(), batch.targets(), nullptr);
        if (i % per_epoch == 0)
        {
            t.train.push_back(xtnn_book::accuracy(net, train));
            t.val.push_back(xtnn_book::accuracy(net, val));
        }
    }
}

/// "val acc:0.83 | lr:0.00923, weight decay:3.87e-07"
std::string describe(const trial& t)
{
    char text[128];
    std::snprintf(text, sizeof text, "lr:%.3g, weight decay:%.3g", t.learning_rate, t.weight_decay);
    return text;
}

/// The book's figure 6-24: the best trials in a grid of 5 columns, titled Best-1, Best-2 ...,
/// validation accuracy solid and train dashed, 0 .. 1; y ticks on the first column only, no
/// x labels (the book's plt.xticks([])).
xtnn::plot::figure best_figure(const std::vector<const trial*>& best)
{
    xtnn::plot::figure figure;
    figure.columns = 5;
    figure.panel_width = 220;
    figure.panel_height = 170;
    for (std::size_t i = 0; i < best.size(); ++i)
    {
        xtnn::plot::panel panel;
        panel.title = "Best-" + std::to_string(i + 1);
        panel.y_min = 0;
        panel.y_max = 1;
        panel.x_min = 0;
        panel.integer_x = true;
        panel.legend = i == 0;
        for (const bool is_val : {true, false})
        {
            const std::vector<double>& values = is_val ? best[i]->val : best[i]->train;
            xtnn::plot::series curve = xtnn::plot::by_index(is_val ? "val" : "train", values, 0);
            curve.color = xtnn_book::color(is_val ? 0 : 1);
            curve.line_style =
                is_val ? xtnn::plot::line_style::solid : xtnn::plot::line_style::dashed;
            panel.series.push_back(curve);
        }
        figure.panels.push_back(panel);
    }
    return figure;
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("hyperparameter_search", description);
    std::string data;
    cli.data_dir(data);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "draw the best 20 trials' curves in a 5x4 grid, validation solid, train dashed, as "
             "the book's figure 6-24, .svg or .png");
    std::size_t trials = 100;
    cli.number("--trials", trials, "N", "random trials", 1);
    std::size_t epochs = 50;
    cli.number("--epochs", epochs, "N", "epochs of each trial", 1);
    std::size_t images = 500;
    cli.number("--images", images, "N", "the first N training images, 20% of them for validation",
               5);
    std::size_t workers = 2;
    cli.number("--workers", workers, "N", "threads running trials", 1);
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the shuffle, the hyper-parameters and the trials");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);
            // One BLAS thread: each worker's small GEMMs run on its own core
            // (blas_threads.hpp), the workers being the parallelism.
            xtnn::set_blas_threads(1);

            // x_train = x_train[:500]; x_train, t_train = shuffle_dataset(x_train, t_train)
            const part first =
                xtnn_book::load_part<float>(data_dir, xtnn::data::mnist_part::train, images);
            std::mt19937_64 engine(seed);
            std::vector<std::size_t> order(first.size());
            std::iota(order.begin(), order.end(), std::size_t(0));
            xtnn::detail::shuffle(order, engine);
            // validation_num = int(x_train.shape[0] * 0.20): the first 20% validate
            const std::size_t val_count = first.size() / 5;
            const part val = gather(first, order, 0, val_count);
            const part train = gather(first, order, val_count, first.size() - val_count);

            // weight_decay = 10 ** np.random.uniform(-8, -4); lr = 10 ** np.random.uniform(-6, -2)
            std::vector<trial> all(trials);
            for (trial& t : all)
            {
                t.weight_decay = std::pow(10.0, -8 + 4 * xtnn::detail::unit_uniform(engine));
                t.learning_rate = std::pow(10.0, -6 + 4 * xtnn::detail::unit_uniform(engine));
                t.seed = engine();
            }
            std::printf("%zu trials of 784-%s10 ReLU networks on %zu MNIST training images, %zu "
                        "validation images: SGD, batch 100 drawn at random, %zu epochs, worker "
                        "threads: %zu, seed %llu\n",
                        trials, xtnn_book::widths(6).c_str(), train.size(), val.size(), epochs,
                        workers, static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            // The workers take trials in turn; whoever finishes one prints every finished
            // trial not printed yet, in trial order, so the output is that of one thread.
            const auto start = std::chrono::steady_clock::now();
            std::mutex mutex;
            std::size_t next_trial = 0, next_print = 0;
            std::vector<bool> done(trials, false);
            const auto work = [&]
            {
                for (;;)
                {
                    std::size_t k = 0;
                    {
                        std::lock_guard<std::mutex> lock(mutex);
                        if (next_trial == trials)
                        {
                            return;
                        }
                        k = next_trial++;
                    }
                    run_trial(all[k], train, val, epochs);
                    std::lock_guard<std::mutex> lock(mutex);
                    done[k] = true;
                    for (; next_print < trials && done[next_print]; ++next_print)
                    {
                        const trial& t = all[next_print];
                        std::printf("val acc:%.4g | %s\n", t.final_val(), describe(t).c_str());
                    }
                    std::fflush(stdout);
                }
            };
            std::vector<std::thread> threads;
            for (std::size_t w = 0; w < std::min(workers, trials); ++w)
            {
                threads.emplace_back(work);
            }
            for (auto& thread : threads)
            {
                thread.join();
            }
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

            // sorted(results_val.items(), key=lambda x: x[1][-1], reverse=True); ties keep
            // trial order
            std::vector<const trial*> ranked;
            for (const trial& t : all)
            {
                ranked.push_back(&t);
            }
            std::stable_sort(ranked.begin(), ranked.end(),
                             [](const trial* a, const trial* b)
                             { return a->final_val() > b->final_val(); });
            std::printf("=========== Hyper-Parameter Optimization Result ===========\n");
            const std::size_t shown = std::min<std::size_t>(20, ranked.size());
            for (std::size_t i = 0; i < shown; ++i)
            {
                std::printf("Best-%zu(val acc:%.4g) | %s\n", i + 1, ranked[i]->final_val(),
                            describe(*ranked[i]).c_str());
            }

            if (!plot_path.empty())
            {
                xtnn::plot::save(best_figure({ranked.begin(), ranked.begin() + shown}), plot_path);
                std::printf("saved the curves to \"%s\"\n", plot_path.c_str());
            }
            std::printf("time: %.1f s for %zu trials on %zu workers\n", elapsed.count(), trials,
                        threads.size());
            // The median trial's validation accuracy (the mean of the middle two for an even
            // count): the book's point is that the good region is narrow, most draws miss it.
            const std::size_t n = ranked.size();
            const double median =
                (ranked[(n - 1) / 2]->final_val() + ranked[n / 2]->final_val()) / 2;
            const double best = ranked.front()->final_val();
            std::printf("result: best val acc %.2f (%s), median %.2f, best above median by %.2f\n",
                        best, describe(*ranked.front()).c_str(), median, best - median);
            return 0;
        });
}
