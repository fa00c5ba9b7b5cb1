// SPDX-License-Identifier: MIT
// One step of each update rule (train/update_rules.hpp) over a float parameter the size of
// the W4 network's (784-512-512-10: 669,706 values, 2.7 MB, past L2) and of W3's
// (784-16-10: 12,730 values, in L1/L2). Beside them, Adam as one loop over std::sqrt — the
// form the rules had before they took the square roots a block at a time — so that the gain
// is measured in the same run. Bytes per step: every array read and written once.
// No data needed.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include <xtnn/train/update_rules.hpp>

#include "bench_data.hpp"

namespace
{
struct buffers
{
    std::vector<float> p, g, s0, s1;
    explicit buffers(std::size_t n) : p(n, 0.5f), g(n), s0(n, 0.0f), s1(n, 0.0f)
    {
        for (std::size_t i = 0; i < n; ++i)
        {
            g[i] = static_cast<float>(i % 97) * 1e-3f - 0.048f;
        }
    }
};

/// arrays: how many of p, g and the state arrays the rule touches; p and the states are
/// also written.
template <class Rule>
void run_rule(benchmark::State& state, const Rule& rule, std::size_t arrays)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    buffers b(n);
    std::size_t t = 0;
    for (auto _ : state)
    {
        const xtnn::update::step<float> s{b.p.data(), b.g.data(), {b.s0.data(), b.s1.data()}, n,
                                          1e-3, 1e-4, ++t};
        rule(s);
        benchmark::DoNotOptimize(b.p.data());
        benchmark::ClobberMemory();
    }
    const auto written = arrays - 1;  // g is only read
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * sizeof(float) *
                                                      (arrays + written)));
}

/// Adam as a single loop over std::sqrt (the rule before its square roots were vectorised).
struct adam_one_loop
{
    template <class T>
    void operator()(const xtnn::update::step<T>& a) const
    {
        const T b1 = 0.9f, b2 = 0.999f, one_minus_b1 = 1 - 0.9f, one_minus_b2 = 1 - 0.999f;
        const T eps = 1e-7f;
        const double t = static_cast<double>(a.t);
        const T lr_t = static_cast<T>(a.learning_rate * std::sqrt(1 - std::pow(0.999, t)) /
                                      (1 - std::pow(0.9, t)));
        T* m = a.s[0];
        T* v = a.s[1];
        for (std::size_t i = 0; i < a.n; ++i)
        {
            m[i] = b1 * m[i] + one_minus_b1 * a.g[i];
            v[i] = b2 * v[i] + one_minus_b2 * a.g[i] * a.g[i];
            a.p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
        }
    }
};

void sgd(benchmark::State& s) { run_rule(s, xtnn::update::sgd{}, 2); }
void momentum(benchmark::State& s) { run_rule(s, xtnn::update::momentum{}, 3); }
void nesterov(benchmark::State& s) { run_rule(s, xtnn::update::nesterov{}, 3); }
void adagrad(benchmark::State& s) { run_rule(s, xtnn::update::adagrad{}, 3); }
void rmsprop(benchmark::State& s) { run_rule(s, xtnn::update::rmsprop{}, 3); }
void adam(benchmark::State& s) { run_rule(s, xtnn::update::adam{}, 4); }
void adamw(benchmark::State& s) { run_rule(s, xtnn::update::adamw{}, 4); }
void adam_one_loop_std_sqrt(benchmark::State& s) { run_rule(s, adam_one_loop{}, 4); }
}  // namespace

#define XTNN_UPDATE_BENCHMARK(name)                                                                \
    BENCHMARK(name)->Arg(669706)->Arg(12730)->Unit(benchmark::kMicrosecond)->Repetitions(5)

XTNN_UPDATE_BENCHMARK(sgd);
XTNN_UPDATE_BENCHMARK(momentum);
XTNN_UPDATE_BENCHMARK(nesterov);
XTNN_UPDATE_BENCHMARK(adagrad);
XTNN_UPDATE_BENCHMARK(rmsprop);
XTNN_UPDATE_BENCHMARK(adam);
XTNN_UPDATE_BENCHMARK(adamw);
XTNN_UPDATE_BENCHMARK(adam_one_loop_std_sqrt);

int main(int argc, char** argv)
{
    return xtnn_bench::run(argc, argv);
}
