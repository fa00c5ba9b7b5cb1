// SPDX-License-Identifier: MIT
// Loading MNIST and classifying its 10,000 test images with the book's pretrained
// 784-50-100-10 network — the W1 workloads of ../shared/bench, timed the same way (the loop
// including argmax, input already in memory):
//   W1a: one image at a time;  W1b: 100 batches of 100;  W1c: one batch of 10,000.
// Run with XTNN_DATA_DIR set; 1 BLAS thread unless OPENBLAS_NUM_THREADS says otherwise.
#include <cstdio>
#include <vector>

#include <benchmark/benchmark.h>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data/mnist.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

#include "bench_data.hpp"

namespace
{
struct book_setup
{
    xtnn::network<float> net;
    xtnn::data::mnist_split<float> test;
    std::vector<std::size_t> labels;
};

// Loaded once, outside any timing; nullptr when the data is missing.
const book_setup* book()
{
    static const book_setup* setup = []() -> book_setup*
    {
        try
        {
            const std::string dir = xtnn_bench::data_dir();
            auto* s =
                new book_setup{xtnn::io::load_network<float>(dir + "/dlfs/sample_weight.pkl"),
                               xtnn::data::load_mnist_part<float>(dir, xtnn::data::mnist_part::test),
                               {}};
            s->labels = xtnn::class_indices(s->test.labels);
            return s;
        }
        catch (const std::exception& e)
        {
            std::fprintf(stderr, "bench_inference: %s\n", e.what());
            return nullptr;
        }
    }();
    return setup;
}

void classify_test_set(benchmark::State& state, std::size_t batch)
{
    const book_setup* setup = book();
    if (!setup)
    {
        state.SkipWithError("data not found: set XTNN_DATA_DIR");
        return;
    }
    const std::size_t count = setup->labels.size();
    xtnn::workspace<float> ws(setup->net, batch);
    std::vector<std::size_t> predicted(count);
    double accuracy = 0;
    for (auto _ : state)
    {
        for (std::size_t first = 0; first < count; first += batch)
        {
            const std::size_t rows = std::min(batch, count - first);
            const auto scores = setup->net.forward_rows(setup->test.images, first, rows, ws);
            xtnn::argmax_rows(scores.data(), rows, std::size_t{10}, predicted.data() + first);
        }
        benchmark::DoNotOptimize(predicted.data());
        accuracy = xtnn::accuracy(predicted, setup->labels);
    }
    state.counters["accuracy"] = accuracy;
    state.counters["images/s"] =
        benchmark::Counter(static_cast<double>(count) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
}

void W1a_per_sample(benchmark::State& state)
{
    classify_test_set(state, 1);
}
void W1b_batch_100(benchmark::State& state)
{
    classify_test_set(state, 100);
}
void W1c_batch_10000(benchmark::State& state)
{
    classify_test_set(state, 10000);
}

void load_mnist(benchmark::State& state, xtnn::data::mnist_part part)
{
    const std::string dir = xtnn_bench::data_dir();
    for (auto _ : state)
    {
        try
        {
            auto split = xtnn::data::load_mnist_part<float>(dir, part);
            benchmark::DoNotOptimize(split.images.data());
        }
        catch (const std::exception& e)
        {
            state.SkipWithError(e.what());
            return;
        }
    }
}

void load_mnist_test(benchmark::State& state)
{
    load_mnist(state, xtnn::data::mnist_part::test);
}
void load_mnist_train(benchmark::State& state)
{
    load_mnist(state, xtnn::data::mnist_part::train);
}
}  // namespace

BENCHMARK(W1a_per_sample)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(W1b_batch_100)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(W1c_batch_10000)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(load_mnist_test)->Unit(benchmark::kMillisecond);
BENCHMARK(load_mnist_train)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv)
{
    return xtnn_bench::run(argc, argv);
}
