// SPDX-License-Identifier: MIT
// The classic Keras MLP on MNIST in C++: Dense(16, sigmoid, input 784) -> Dense(10, softmax),
// categorical cross-entropy, Adam with Keras's defaults, batch 1000, 10 epochs, validated on
// the test set, glorot_uniform weights and zero biases. Prints Keras's per-epoch lines and
// the test score (about 0.89 accuracy, as Keras), and optionally the curves as SVG.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/datasets.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

#include "command_line.hpp"

namespace
{
/// What --help says between the synopsis and the options.
const char* const description =
    "Trains Keras's introductory MLP (784-16-10, sigmoid then softmax, Adam lr 0.001,\n"
    "batch 1000) on the 60,000 MNIST training images, validating on the 10,000 test images\n"
    "after every epoch, and prints Keras-style progress lines and the test score.\n";

/// "Epoch 3/10 - 60/60 - 0.1s - loss: 1.3059 - accuracy: 0.7682 - val_loss: 1.2647 -
/// val_accuracy: 0.7811": Keras's verbose=2 line, without its per-step time.
void print_epoch(const xtnn::epoch_record& r)
{
    std::printf("Epoch %zu/%zu - %zu/%zu - %.1fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f "
                "- val_accuracy: %.4f\n",
                r.epoch, r.epochs, r.steps, r.steps, r.seconds, r.loss, r.accuracy, r.val_loss,
                r.val_accuracy);
    std::fflush(stdout);
}
}  // namespace

int main(int argc, char** argv)
{
    xtnn_examples::command_line cli("keras_style", description);
    std::string data;
    cli.data_dir(data);
    std::string dataset = "mnist";
    cli.text("--dataset", dataset, "NAME",
             "{} (default), or fashion-mnist as in Keras's clothing tutorial, or any other of the "
             "family (see mnist_train --help), from DIR/NAME/");
    std::uint64_t seed = 1;
    cli.number("--seed", seed, "N", "seeds the initial weights and the shuffles");
    std::size_t epochs = 10;
    cli.number("--epochs", epochs, "N", "passes over the training set", 1);
    std::string plot_path;
    cli.plot("--plot", plot_path,
             "write the loss and accuracy curves (training and test), .svg or .png");

    return xtnn_examples::run(
        cli,
        [&]
        {
            if (!cli.parse(argc, argv))
            {
                return 0;
            }
            const std::string data_dir = xtnn::data::resolve_data_dir(data);

            // model.compile(optimizer=Adam(), loss="categorical_crossentropy")
            xtnn::fit_options<float> options;
            options.epochs = epochs;
            options.batch_size = 1000;
            options.optimizer.kind = xtnn::optimizer_kind::adam;
            options.optimizer.learning_rate = 0.001;
            options.optimizer.beta1 = 0.9;
            options.optimizer.beta2 = 0.999;
            options.optimizer.epsilon = 1e-7;
            options.loss = xtnn::loss_kind::softmax_cross_entropy;
            options.seed = seed;
            // fit's own line adds Keras's "2ms/step"; print the tutorial's shape instead.
            options.verbose = xtnn::verbosity::silent;
            options.on_epoch_end([](const xtnn::epoch_record& r, xtnn::network<float>&)
                                 { print_epoch(r); });
            xtnn::use_default_blas_threads();

            // to_categorical(y): one-hot labels, as the tutorial feeds them
            xtnn::data::mnist_options load;
            load.one_hot_label = true;
            const auto set = xtnn::data::load_dataset<float>(dataset, data_dir, load);
            const auto& train = set.train;
            const auto& test = set.test;
            const std::size_t classes = set.classes();
            if (set.info->name != "mnist")
            {
                xtnn_examples::print_dataset(set);
            }

            xtnn::network<float> net({784, 16, classes}, xtnn::sigmoid(), xtnn::softmax());
            std::mt19937_64 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::glorot_uniform);  // as Keras
            std::printf("Dense(16, sigmoid, input 784) -> Dense(%zu, softmax): %zu parameters; "
                        "Adam lr 0.001, batch 1000, %zu epochs, seed %llu\n",
                        classes, net.parameter_count(), options.epochs,
                        static_cast<unsigned long long>(seed));
            std::fflush(stdout);

            const auto start = std::chrono::steady_clock::now();
            const xtnn::history h =
                xtnn::fit(net, train.images, train.labels, test.images, test.labels, options);
            const auto score = xtnn::evaluate(net, test.images, test.labels);
            const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
            std::printf(
                "TEST loss: %.4f\nTEST accuracy: %.4f\nTotal time: %.1f s (training and testing)\n",
                score.loss, score.accuracy, elapsed.count());

            if (!plot_path.empty())
            {
                xtnn::plot::figure figure = xtnn::plot::history_figure(h, "Keras-style MLP");
                for (auto& panel : figure.panels)
                {
                    panel.series.at(1).name = "test";  // validation data = the test set
                }
                xtnn::plot::save(figure, plot_path);
                std::printf("saved curves to \"%s\"\n", plot_path.c_str());
            }
            return 0;
        });
}
