// SPDX-License-Identifier: MIT
// One step of each rule on a 2-element parameter, against numpy (float64):
//   p = [1, -2], g = [0.5, -0.1], lr = 0.1, momentum 0.9, rho 0.9, eps 1e-7
//   sgd       p - lr g                                  = [0.95, -1.99]
//   momentum  v = -lr g; p + v                          = [0.95, -1.99]
//             second step, same g: v = 0.9 v - lr g     = [0.855, -1.971]
//   nesterov  v = -lr g; p + 0.81 v - 1.9 lr g          = [0.8645, -1.9729]
//   adagrad   h = g²; p - lr g / (sqrt(h) + eps)        = [0.900000019999996, -1.9000000999999]
//   rmsprop   h = 0.1 g²; p - lr g / (sqrt(h) + eps)    = [0.6837724339830356, -1.6837732339799998]
//   adam      t=1: lr_t = 0.1 sqrt(1-0.999)/(1-0.9)     = 0.03162277660168381
//                  p = [0.9000006324515321, -1.9000031621776634]
//             t=2 with g = [0.2, 0.3]: lr_t             = 0.023531672532745275
//                  p = [0.8101436398802739, -1.9494216512977696]
//   adamw     weight decay 0.01: p (1 - lr·0.01), then the adam step
//                  = [0.899000632451532, -1.8980031621776632]
//             (PyTorch's AdamW gives 0.899000019999996: it adds eps after the bias correction)
//   sgd with weight_decay 0.01: W = p - lr (g + 0.01 p) = [0.949, -1.988]; b as plain sgd
#include <cmath>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>
#include <xtnn/train.hpp>

#include "approx.hpp"

namespace
{
/// One dense layer 1 → 2 whose kernel (1, 2) and bias (2) both start at [1, -2].
template <class T>
xtnn::network<T> two_parameter_net()
{
    return xtnn::network<T>(1, {xtnn::dense<T>(xtnn::matrix<T>{{1, -2}}, xtnn::vector<T>{1, -2})});
}

/// The net, its registry with both gradients set to [g0, g1], and an optimizer.
template <class T>
struct setup
{
    xtnn::network<T> net = two_parameter_net<T>();
    xtnn::parameters<T> params{net};

    explicit setup(T g0 = T(0.5), T g1 = T(-0.1)) { set(g0, g1); }
    void set(T g0, T g1)
    {
        for (std::size_t i = 0; i < 2; ++i)
        {
            params.gradient(i)[0] = g0;
            params.gradient(i)[1] = g1;
        }
    }
    std::vector<double> kernel() { return values(0); }
    std::vector<double> bias() { return values(1); }
    std::vector<double> values(std::size_t i)
    {
        const auto p = params.values(i);
        return std::vector<double>(p.data, p.data + p.size());
    }
};

template <class T>
double tolerance()
{
    return std::is_same_v<T, float> ? 1e-6 : 1e-13;
}

template <class T>
std::vector<double> one_step(xtnn::optimizer_kind kind)
{
    setup<T> s;
    xtnn::optimizer<T> opt({kind, 0.1});
    opt.step(s.params);
    REQUIRE(s.kernel() == s.bias());  // no weight decay: kernel and bias alike
    return s.kernel();
}
}  // namespace

TEMPLATE_TEST_CASE("optimizer: one step of each rule matches numpy", "", float, double)
{
    const double tol = tolerance<TestType>();
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::sgd),
                                 std::vector<double>{0.95, -1.99}, tol);
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::momentum),
                                 std::vector<double>{0.95, -1.99}, tol);
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::nesterov),
                                 std::vector<double>{0.8645, -1.9729}, tol);
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::adagrad),
                                 std::vector<double>{0.900000019999996, -1.9000000999999}, tol);
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::rmsprop),
                                 std::vector<double>{0.6837724339830356, -1.6837732339799998}, tol);
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::adam),
                                 std::vector<double>{0.9000006324515321, -1.9000031621776634}, tol);
    // AdamW without weight decay is Adam.
    xtnn_test::require_all_close(one_step<TestType>(xtnn::optimizer_kind::adamw),
                                 std::vector<double>{0.9000006324515321, -1.9000031621776634}, tol);
}

TEMPLATE_TEST_CASE("optimizer: momentum carries its velocity into the second step", "", float,
                   double)
{
    setup<TestType> s;
    xtnn::optimizer<TestType> opt({xtnn::optimizer_kind::momentum, 0.1});
    opt.step(s.params);
    opt.step(s.params);
    xtnn_test::require_all_close(s.kernel(), std::vector<double>{0.855, -1.971}, tolerance<TestType>());
    xtnn_test::require_all_close(opt.state(0, 0), std::vector<double>{-0.095, 0.019},
                                 tolerance<TestType>());
    REQUIRE(opt.state_name(0) == "dense_1/kernel");
}

TEMPLATE_TEST_CASE("optimizer: Adam's bias correction at t = 1 and t = 2", "", float, double)
{
    setup<TestType> s;
    xtnn::optimizer<TestType> opt({xtnn::optimizer_kind::adam, 0.1});
    opt.step(s.params);
    REQUIRE(opt.iterations() == 1);
    // t = 1: m = 0.1 g, v = 0.001 g², lr_t = lr sqrt(0.001) / 0.1: the step is about lr·sign(g).
    xtnn_test::require_all_close(s.kernel(),
                                 std::vector<double>{0.9000006324515321, -1.9000031621776634},
                                 tolerance<TestType>());
    s.set(TestType(0.2), TestType(0.3));
    opt.step(s.params);
    REQUIRE(opt.iterations() == 2);
    xtnn_test::require_all_close(s.kernel(),
                                 std::vector<double>{0.8101436398802739, -1.9494216512977696},
                                 tolerance<TestType>());
    // m = 0.9·0.1·g1 + 0.1·g2
    xtnn_test::require_all_close(opt.state(0, 0), std::vector<double>{0.065, 0.021},
                                 tolerance<TestType>());
}

TEMPLATE_TEST_CASE("optimizer: weight decay reaches the kernels, never the biases (L2 and AdamW)",
                   "", float, double)
{
    {
        setup<TestType> s;
        xtnn::optimizer_options options{xtnn::optimizer_kind::sgd, 0.1};
        options.weight_decay = 0.01;
        xtnn::optimizer<TestType> opt(options);
        opt.step(s.params);
        xtnn_test::require_all_close(s.kernel(), std::vector<double>{0.949, -1.988}, tolerance<TestType>());
        xtnn_test::require_all_close(s.bias(), std::vector<double>{0.95, -1.99}, tolerance<TestType>());
    }
    {
        setup<TestType> s;
        xtnn::optimizer_options options{xtnn::optimizer_kind::adamw, 0.1};
        options.weight_decay = 0.01;
        xtnn::optimizer<TestType> opt(options);
        opt.step(s.params);
        xtnn_test::require_all_close(s.kernel(),
                                     std::vector<double>{0.899000632451532, -1.8980031621776632},
                                     tolerance<TestType>());
        xtnn_test::require_all_close(s.bias(),
                                     std::vector<double>{0.9000006324515321, -1.9000031621776634},
                                     tolerance<TestType>());
    }
}

TEST_CASE("optimizer: each parameter's options scale its rate, its decay, or freeze it")
{
    setup<double> s;
    auto& layer = s.net.layer<xtnn::dense<double>>(0);
    layer.bias_options().learning_rate = 0.5;   // b = p - 0.05 g
    layer.bias_options().weight_decay = 2;      // ... + 2·λ·p
    layer.kernel_options().trainable = false;  // frozen
    xtnn::optimizer_options options{xtnn::optimizer_kind::sgd, 0.1};
    options.weight_decay = 0.01;
    xtnn::optimizer<double> opt(options);
    opt.step(s.params);
    REQUIRE(s.kernel() == std::vector<double>{1, -2});
    // b = p - 0.05 (g + 0.02 p) = [1 - 0.05·0.52, -2 - 0.05·(-0.14)]
    xtnn_test::require_all_close(s.bias(), std::vector<double>{0.974, -1.993}, 1e-14);
}

TEST_CASE("optimizer: state is allocated on the first step only and checked against the registry")
{
    xtnn::network<float> net({4, 3, 2}, xtnn::relu(), xtnn::softmax());
    xtnn::parameters<float> params(net);
    xtnn::optimizer<float> opt({xtnn::optimizer_kind::adam, 0.001});
    REQUIRE(opt.state(0, 0).empty());
    opt.step(params);
    const float* m0 = opt.state(0, 0).data();
    const float* v3 = opt.state(3, 1).data();
    REQUIRE(opt.state(0, 0).size() == 12);
    REQUIRE(opt.state(3, 1).size() == 2);
    for (int i = 0; i < 5; ++i)
    {
        opt.step(params);
    }
    REQUIRE(opt.state(0, 0).data() == m0);
    REQUIRE(opt.state(3, 1).data() == v3);

    // Another network: the state no longer fits.
    xtnn::network<float> other({4, 3, 3, 2}, xtnn::relu(), xtnn::softmax());
    xtnn::parameters<float> other_params(other);
    REQUIRE_THROWS_WITH(opt.step(other_params), Catch::Matchers::Contains("reset()"));
    opt.reset();
    REQUIRE_NOTHROW(opt.step(other_params));
    REQUIRE(opt.iterations() == 1);
}

TEST_CASE("optimizer: names parse and print, bad hyper-parameters are refused")
{
    for (auto kind : {xtnn::optimizer_kind::sgd, xtnn::optimizer_kind::momentum,
                      xtnn::optimizer_kind::nesterov, xtnn::optimizer_kind::adagrad,
                      xtnn::optimizer_kind::rmsprop, xtnn::optimizer_kind::adam,
                      xtnn::optimizer_kind::adamw})
    {
        REQUIRE(xtnn::parse_optimizer(xtnn::to_string(kind)) == kind);
    }
    REQUIRE_THROWS_WITH(xtnn::parse_optimizer("lbfgs"),
                        Catch::Matchers::Contains("'lbfgs'") &&
                            Catch::Matchers::Contains("adam or adamw"));
    xtnn::optimizer_options options;
    options.momentum = 1.0;
    REQUIRE_THROWS_WITH(xtnn::optimizer<float>(options), Catch::Matchers::Contains("momentum"));
    options.momentum = 0.9;
    options.learning_rate = -0.1;
    REQUIRE_THROWS_AS(xtnn::optimizer<float>(options), xtnn::error);
    xtnn::optimizer<float> opt;
    opt.set_learning_rate(0.5);
    REQUIRE(opt.learning_rate() == 0.5);
    REQUIRE_THROWS_AS(opt.set_learning_rate(std::nan("")), xtnn::error);
    REQUIRE(opt.learning_rate() == 0.5);
}

namespace
{
/// p, g, state for n values: p in [-1, 1), g in [-1, 1) with some zeros (√h = 0 while h is 0).
template <class T>
struct rule_inputs
{
    std::vector<T> p, g, s0, s1;
    explicit rule_inputs(std::size_t n) : p(n), g(n), s0(n), s1(n)
    {
        std::uint32_t x = 12345;
        const auto next = [&]
        { return static_cast<T>((x = x * 1664525u + 1013904223u) >> 8) / T(1 << 23) - 1; };
        for (std::size_t i = 0; i < n; ++i)
        {
            p[i] = next();
            g[i] = i % 7 == 3 ? T(0) : next();
        }
    }
    xtnn::update::step<T> step(std::size_t t)
    {
        return {p.data(), g.data(), {s0.data(), s1.data()}, p.size(), 0.01, 0, t};
    }
};
}  // namespace

// The rules that divide by √s + ε take the square roots a block at a time, vectorised
// (update_rules.hpp). Against the one-loop forms of their comments, in plain scalar code:
// the same bits, over 1037 values (four blocks of 256 and a tail of 13), two steps.
TEMPLATE_TEST_CASE("optimizer: AdaGrad, RMSprop and Adam give the one-loop formulas' bits",
                   "", float, double)
{
    using T = TestType;
    const std::size_t n = 1037;
    const T lr = T(0.01), eps = T(1e-7);
    {
        rule_inputs<T> got(n), want(n);
        for (std::size_t t = 1; t <= 2; ++t)
        {
            xtnn::update::adagrad{}(got.step(t));
            for (std::size_t i = 0; i < n; ++i)
            {
                want.s0[i] += want.g[i] * want.g[i];
                want.p[i] -= lr * want.g[i] / (std::sqrt(want.s0[i]) + eps);
            }
        }
        REQUIRE(got.p == want.p);
        REQUIRE(got.s0 == want.s0);
    }
    {
        rule_inputs<T> got(n), want(n);
        const T rho = T(0.9), one_minus_rho = T(1 - 0.9);
        for (std::size_t t = 1; t <= 2; ++t)
        {
            xtnn::update::rmsprop{}(got.step(t));
            for (std::size_t i = 0; i < n; ++i)
            {
                want.s0[i] = rho * want.s0[i] + one_minus_rho * want.g[i] * want.g[i];
                want.p[i] -= lr * want.g[i] / (std::sqrt(want.s0[i]) + eps);
            }
        }
        REQUIRE(got.p == want.p);
        REQUIRE(got.s0 == want.s0);
    }
    {
        rule_inputs<T> got(n), want(n);
        const T b1 = T(0.9), b2 = T(0.999), one_minus_b1 = T(1 - 0.9), one_minus_b2 = T(1 - 0.999);
        for (std::size_t t = 1; t <= 2; ++t)
        {
            xtnn::update::adam{}(got.step(t));
            const double td = static_cast<double>(t);
            const T lr_t =
                static_cast<T>(0.01 * std::sqrt(1 - std::pow(0.999, td)) / (1 - std::pow(0.9, td)));
            for (std::size_t i = 0; i < n; ++i)
            {
                want.s0[i] = b1 * want.s0[i] + one_minus_b1 * want.g[i];
                want.s1[i] = b2 * want.s1[i] + one_minus_b2 * want.g[i] * want.g[i];
                want.p[i] -= lr_t * want.s0[i] / (std::sqrt(want.s1[i]) + eps);
            }
        }
        REQUIRE(got.p == want.p);
        REQUIRE(got.s0 == want.s0);
        REQUIRE(got.s1 == want.s1);
        REQUIRE(got.p != rule_inputs<T>(n).p);  // the step moved them
    }
}
