// SPDX-License-Identifier: MIT
// Training on the 60,000 MNIST training images through fit() — the W2/W3/W4 workloads of
// ../shared/bench (same nets and hyper-parameters; timed: shuffle, gather, forward,
// backward, update), plus per-sample SGD:
//   W2  784-100-10 sigmoid, softmax-CE, SGD lr 0.1, one epoch at batch 100 / 32 / 256
//   W3  784-16-10 sigmoid, Adam lr 1e-3 eps 1e-7, batch 1000, 10 epochs (Keras's example)
//   W4  784-512-512-10 ReLU, momentum 0.9 lr 0.01, batch 128, one epoch
//   B1  784-100-10 sigmoid, SGD lr 0.01, batch 1, one epoch
// Each run starts from the same initial weights (restored untimed). 5 repetitions, one run
// each: read the median. Run with XTNN_DATA_DIR set; 1 BLAS thread unless
// OPENBLAS_NUM_THREADS says otherwise.
#include <cstdio>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include <xtnn/blas_threads.hpp>
#include <xtnn/nn/init.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/xtnn.hpp>
#include <xtnn/train/fit.hpp>

#include "bench_data.hpp"

namespace
{
// Loaded once, outside any timing; nullptr when the data is missing.
const xtnn::data::mnist_data<float>* mnist()
{
    static const xtnn::data::mnist_data<float>* data = []() -> xtnn::data::mnist_data<float>*
    {
        try
        {
            return new xtnn::data::mnist_data<float>(
                xtnn::data::load_mnist<float>(xtnn_bench::data_dir()));
        }
        catch (const std::exception& e)
        {
            std::fprintf(stderr, "bench_train: %s\n", e.what());
            return nullptr;
        }
    }();
    return data;
}

struct workload
{
    std::vector<std::size_t> widths;
    const char* hidden;  // the activation's kind
    xtnn::init_kind init;
    xtnn::optimizer_options optimizer;
    std::size_t batch;
    std::size_t epochs;
};

void train(benchmark::State& state, const workload& w)
{
    const auto* data = mnist();
    if (!data)
    {
        state.SkipWithError("data not found: set XTNN_DATA_DIR");
        return;
    }
    xtnn::network<float> initial(w.widths, xtnn::make_layer<float>(w.hidden), xtnn::softmax());
    std::mt19937_64 engine(1);
    xtnn::initialize(initial, engine, w.init);
    xtnn::fit_options<float> options;
    options.epochs = w.epochs;
    options.batch_size = w.batch;
    options.optimizer = w.optimizer;
    options.verbose = xtnn::verbosity::silent;
    xtnn::network<float> net = initial;
    for (auto _ : state)
    {
        state.PauseTiming();
        net = initial;
        state.ResumeTiming();
        xtnn::fit(net, data->train.images, data->train.labels, options);
    }
    state.counters["test_accuracy"] =
        xtnn::evaluate(net, data->test.images, data->test.labels).accuracy;
    state.counters["images/s"] =
        benchmark::Counter(static_cast<double>(data->train.size() * w.epochs) *
                               static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

const xtnn::optimizer_options sgd_01{xtnn::optimizer_kind::sgd, 0.1};
const xtnn::optimizer_options adam{xtnn::optimizer_kind::adam, 1e-3};  // eps 1e-7 by default
const xtnn::optimizer_options momentum{xtnn::optimizer_kind::momentum, 0.01};  // mu 0.9

void W2b100_sgd_batch_100(benchmark::State& s)
{
    train(
        s,
        {{784, 100, 10}, "sigmoid", xtnn::init_kind::xavier, sgd_01, 100, 1});
}
void W2b32_sgd_batch_32(benchmark::State& s)
{
    train(s,
          {{784, 100, 10}, "sigmoid", xtnn::init_kind::xavier, sgd_01, 32, 1});
}
void W2b256_sgd_batch_256(benchmark::State& s)
{
    train(
        s,
        {{784, 100, 10}, "sigmoid", xtnn::init_kind::xavier, sgd_01, 256, 1});
}
void W3_keras_adam_10_epochs(benchmark::State& s)
{
    train(s,
          {{784, 16, 10}, "sigmoid", xtnn::init_kind::xavier, adam, 1000, 10});
}
void W4_relu_512_512_momentum(benchmark::State& s)
{
    train(
        s,
        {{784, 512, 512, 10}, "relu", xtnn::init_kind::he, momentum, 128, 1});
}
void B1_per_sample_sgd(benchmark::State& s)
{
    train(s, {{784, 100, 10},
              "sigmoid",
              xtnn::init_kind::xavier,
              {xtnn::optimizer_kind::sgd, 0.01},
              1,
              1});
}
}  // namespace

#define XTNN_TRAIN_BENCHMARK(name)                                                                 \
    BENCHMARK(name)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)->UseRealTime()

XTNN_TRAIN_BENCHMARK(W2b100_sgd_batch_100);
XTNN_TRAIN_BENCHMARK(W2b32_sgd_batch_32);
XTNN_TRAIN_BENCHMARK(W2b256_sgd_batch_256);
XTNN_TRAIN_BENCHMARK(W3_keras_adam_10_epochs);
XTNN_TRAIN_BENCHMARK(W4_relu_512_512_momentum);
XTNN_TRAIN_BENCHMARK(B1_per_sample_sgd);

int main(int argc, char** argv)
{
    return xtnn_bench::run(argc, argv);
}
