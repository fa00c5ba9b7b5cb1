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
//   sgd with weight_decay 0.01: W = p - lr (g + 0.01 p) = [0.949, -1.988]; b as plain sgd
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/optimizer.hpp>

#include "approx.hpp"

namespace
{
/// One layer 1 → 2: W (1, 2) is slot 0 and b (2) slot 1; both start at p = [1, -2].
template <class T>
xtnn::network<T> two_parameter_net()
{
    return xtnn::network<T>(std::vector<xtnn::dense_layer<T>>{xtnn::dense_layer<T>(
        xtnn::matrix<T>{{1, -2}}, xtnn::vector<T>{1, -2}, xtnn::activation_kind::identity)});
}

template <class T>
void set_gradients(xtnn::gradients<T>& grads, T g0, T g1)
{
    for (std::size_t slot = 0; slot < 2; ++slot)
    {
        grads.slot_data(slot)[0] = g0;
        grads.slot_data(slot)[1] = g1;
    }
}

template <class T>
std::vector<double> weights_of(const xtnn::network<T>& net)
{
    return std::vector<double>(net.layer(0).weights().begin(), net.layer(0).weights().end());
}

template <class T>
std::vector<double> bias_of(const xtnn::network<T>& net)
{
    return std::vector<double>(net.layer(0).bias().begin(), net.layer(0).bias().end());
}

template <class T>
double tolerance()
{
    return std::is_same_v<T, float> ? 1e-6 : 1e-13;
}

template <class T>
std::vector<double> one_step(xtnn::optimizer_kind kind)
{
    auto net = two_parameter_net<T>();
    xtnn::gradients<T> grads(net);
    set_gradients<T>(grads, 0.5, -0.1);
    xtnn::optimizer_options options;
    options.kind = kind;
    options.learning_rate = 0.1;
    xtnn::optimizer<T> opt(options);
    opt.step(net, grads);
    REQUIRE(weights_of(net) == bias_of(net));  // no weight decay: W and b alike
    return weights_of(net);
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
}

TEMPLATE_TEST_CASE("optimizer: momentum carries its velocity into the second step", "", float,
                   double)
{
    auto net = two_parameter_net<TestType>();
    xtnn::gradients<TestType> grads(net);
    set_gradients<TestType>(grads, 0.5, -0.1);
    xtnn::optimizer_options options;
    options.kind = xtnn::optimizer_kind::momentum;
    options.learning_rate = 0.1;
    xtnn::optimizer<TestType> opt(options);
    opt.step(net, grads);
    opt.step(net, grads);
    xtnn_test::require_all_close(weights_of(net), std::vector<double>{0.855, -1.971},
                                 tolerance<TestType>());
    xtnn_test::require_all_close(opt.first_moment(0), std::vector<double>{-0.095, 0.019},
                                 tolerance<TestType>());
}

TEMPLATE_TEST_CASE("optimizer: Adam's bias correction at t = 1 and t = 2", "", float, double)
{
    auto net = two_parameter_net<TestType>();
    xtnn::gradients<TestType> grads(net);
    xtnn::optimizer_options options;
    options.kind = xtnn::optimizer_kind::adam;
    options.learning_rate = 0.1;
    xtnn::optimizer<TestType> opt(options);
    set_gradients<TestType>(grads, 0.5, -0.1);
    opt.step(net, grads);
    REQUIRE(opt.iterations() == 1);
    // t = 1: m = 0.1 g, v = 0.001 g², lr_t = lr sqrt(0.001) / 0.1: the step is about lr·sign(g).
    xtnn_test::require_all_close(weights_of(net),
                                 std::vector<double>{0.9000006324515321, -1.9000031621776634},
                                 tolerance<TestType>());
    set_gradients<TestType>(grads, 0.2, 0.3);
    opt.step(net, grads);
    REQUIRE(opt.iterations() == 2);
    xtnn_test::require_all_close(weights_of(net),
                                 std::vector<double>{0.8101436398802739, -1.9494216512977696},
                                 tolerance<TestType>());
    // m = 0.9·0.1·g1 + 0.1·g2
    xtnn_test::require_all_close(opt.first_moment(0), std::vector<double>{0.065, 0.021},
                                 tolerance<TestType>());
}

TEMPLATE_TEST_CASE("optimizer: weight decay changes the weights, never the biases", "", float,
                   double)
{
    auto net = two_parameter_net<TestType>();
    xtnn::gradients<TestType> grads(net);
    set_gradients<TestType>(grads, 0.5, -0.1);
    xtnn::optimizer_options options;
    options.learning_rate = 0.1;
    options.weight_decay = 0.01;
    xtnn::optimizer<TestType> opt(options);
    opt.step(net, grads);
    xtnn_test::require_all_close(weights_of(net), std::vector<double>{0.949, -1.988},
                                 tolerance<TestType>());
    xtnn_test::require_all_close(bias_of(net), std::vector<double>{0.95, -1.99},
                                 tolerance<TestType>());
}

TEST_CASE("optimizer: state is allocated on the first step only and checked against the network")
{
    xtnn::network<float> net({4, 3, 2}, xtnn::activation_kind::relu,
                             xtnn::activation_kind::softmax);
    xtnn::gradients<float> grads(net);
    xtnn::optimizer_options options;
    options.kind = xtnn::optimizer_kind::adam;
    xtnn::optimizer<float> opt(options);
    REQUIRE(opt.first_moment(0).empty());
    opt.step(net, grads);
    const float* m0 = opt.first_moment(0).data();
    const float* v3 = opt.second_moment(3).data();
    REQUIRE(opt.first_moment(0).size() == 12);
    REQUIRE(opt.second_moment(3).size() == 2);
    for (int i = 0; i < 5; ++i)
    {
        opt.step(net, grads);
    }
    REQUIRE(opt.first_moment(0).data() == m0);
    REQUIRE(opt.second_moment(3).data() == v3);

    // A different network: the state no longer fits.
    xtnn::network<float> other({4, 5, 2}, xtnn::activation_kind::relu,
                               xtnn::activation_kind::softmax);
    xtnn::gradients<float> other_grads(other);
    REQUIRE_THROWS_WITH(opt.step(other, other_grads), Catch::Matchers::Contains("reset()"));
    opt.reset();
    REQUIRE_NOTHROW(opt.step(other, other_grads));
    REQUIRE(opt.iterations() == 1);
    // Gradients of another shape than the network.
    REQUIRE_THROWS_AS(opt.step(net, other_grads), xtnn::shape_error);
}

TEST_CASE("optimizer: names parse and print, bad hyper-parameters are refused")
{
    for (auto kind :
         {xtnn::optimizer_kind::sgd, xtnn::optimizer_kind::momentum, xtnn::optimizer_kind::nesterov,
          xtnn::optimizer_kind::adagrad, xtnn::optimizer_kind::rmsprop, xtnn::optimizer_kind::adam})
    {
        REQUIRE(xtnn::parse_optimizer(xtnn::to_string(kind)) == kind);
    }
    REQUIRE_THROWS_WITH(xtnn::parse_optimizer("lbfgs"),
                        Catch::Matchers::Contains("'lbfgs'") &&
                            Catch::Matchers::Contains("rmsprop or adam"));
    xtnn::optimizer_options options;
    options.momentum = 1.0;
    REQUIRE_THROWS_WITH(xtnn::optimizer<float>(options), Catch::Matchers::Contains("momentum"));
    options.momentum = 0.9;
    options.learning_rate = -0.1;
    REQUIRE_THROWS_AS(xtnn::optimizer<float>(options), xtnn::error);
    xtnn::optimizer<float> opt;
    opt.set_learning_rate(0.5);
    REQUIRE(opt.options().learning_rate == 0.5);
    REQUIRE_THROWS_AS(opt.set_learning_rate(std::nan("")), xtnn::error);
    REQUIRE(opt.options().learning_rate == 0.5);
}
