// SPDX-License-Identifier: MIT
// Finite-difference checks of the whole training pass: a network holding every layer kind in
// training mode (BatchNorm's batch statistics, dropout with its mask held fixed, layer norm,
// the fused softmax + cross-entropy), in inference mode, with mean squared error through
// softmax and sigmoid outputs, in double (tight) and float (loose). Inputs come from a seeded
// engine.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/nn.hpp>
#include <xtnn/train.hpp>

namespace
{
template <class T>
double tolerance()
{
    // With the default steps (1e-2 float, 1e-4 double, the book's) a correct backward pass
    // stays near 1e-3 and 1e-7; a wrong one is off by O(1).
    return std::is_same_v<T, float> ? 2e-2 : 1e-5;
}

template <class T>
std::vector<T> random_values(std::size_t size, std::mt19937_64& engine, double scale)
{
    xtnn::normal_sampler<std::mt19937_64> normal(engine);
    std::vector<T> values(size);
    for (auto& v : values)
    {
        v = static_cast<T>(scale * normal());
    }
    return values;
}

/// Every layer kind, with random weights and biases (and BatchNorm's γ, β and running
/// statistics away from their defaults). No ReLU kink: leaky_relu and elu are smooth enough
/// away from 0, and the check's inputs keep them away with high probability.
template <class T>
xtnn::network<T> every_kind(std::uint64_t seed)
{
    xtnn::network<T> net{xtnn::rescale(0.5, 0.1),  xtnn::dense(5, 6), xtnn::batch_norm(),
                         xtnn::leaky_relu(0.2),    xtnn::dropout(0.3), xtnn::dense(5),
                         xtnn::layer_norm(),       xtnn::gelu(),      xtnn::dense(4),
                         xtnn::silu(),             xtnn::softplus(),  xtnn::dense(4),
                         xtnn::gelu("tanh"),       xtnn::tanh(),      xtnn::elu(0.7),
                         xtnn::sigmoid(),          xtnn::identity(),  xtnn::dense(3),
                         xtnn::softmax()};
    std::mt19937_64 engine(seed);
    xtnn::initialize(net, engine, xtnn::init_kind::normal, 0.7);
    for (std::size_t l = 0; l < net.size(); ++l)
    {
        auto& layer = net.mutable_layer(l);
        for (std::size_t p = 0; p < layer.parameter_count(); ++p)
        {
            const auto ref = layer.parameter(p);
            if (ref.options->init != xtnn::init_as::weights)
            {
                const auto noise = random_values<T>(ref.size(), engine, 0.3);
                for (std::size_t k = 0; k < ref.size(); ++k)
                {
                    ref.data[k] += noise[k];  // γ near 1, β and biases near 0
                }
            }
        }
    }
    auto& bn = net.template layer<xtnn::batch_norm<T>>(2);
    bn.running_mean() = {0.2, -0.1, 0.3, 0.0, -0.4, 0.1};
    bn.running_variance() = {0.5, 1.5, 0.8, 2.0, 1.1, 0.9};
    return net;
}

/// A layer whose backward forgets the factor 2 of Y = 2X.
struct wrong_double
{
    using value_type = double;
    static constexpr std::string_view kind = "wrong_double";
    void forward(xtnn::rows_ref<const double> x, xtnn::rows_ref<double> y) const
    {
        for (std::size_t i = 0; i < x.size(); ++i)
        {
            y.data[i] = 2 * x.data[i];
        }
    }
    void backward(xtnn::rows_ref<const double>, xtnn::rows_ref<const double>, const double*,
                  xtnn::rows_ref<const double> g, xtnn::rows_ref<double> dx,
                  double* const*) const
    {
        std::copy(g.data, g.data + g.size(), dx.data);  // should be 2·g
    }
};

template <class T, class Loss>
void require_gradients_match(const xtnn::network<T>& net, const std::vector<T>& x,
                             std::size_t rows, xtnn::targets_ref<T> t, xtnn::mode mode)
{
    // Cross-entropy's exact derivative is (y - t) / rows scaled by y_c / (y_c + 1e-7): the
    // fused gradient is off by about 1e-7 / y_c of each row's (y - t), a few 1e-8 absolute,
    // which shows relatively in near-cancelling sums. Compare below 1e-2 absolutely.
    const double floor =
        std::is_same_v<Loss, xtnn::softmax_cross_entropy> && !std::is_same_v<T, float>
            ? 1e-2
            : xtnn::default_gradient_floor<T>();
    const auto result = xtnn::gradient_check<T, Loss>(net, x.data(), rows, t, mode, 7,
                                                      xtnn::default_gradient_step<T>(), floor);
    INFO("worst: " << result.worst_parameter << " index " << result.worst_index << ", analytic "
                   << result.analytic << ", numerical " << result.numerical
                   << "; max relative error " << result.max_relative_error);
    REQUIRE(result.max_relative_error < tolerance<T>());
    REQUIRE(result.parameters.size() == xtnn::parameters<T>(const_cast<xtnn::network<T>&>(net)).size());
}
}  // namespace

TEMPLATE_TEST_CASE("gradient_check: a network of every layer kind, in training and inference mode",
                   "", float, double)
{
    const auto net = every_kind<TestType>(3);
    std::mt19937_64 engine(11);
    const auto x = random_values<TestType>(4 * 5, engine, 1.0);
    const std::vector<std::size_t> labels{2, 0, 1, 2};
    std::vector<TestType> one_hot(4 * 3, TestType(0));
    for (std::size_t r = 0; r < 4; ++r)
    {
        one_hot[r * 3 + labels[r]] = 1;
    }
    for (const auto mode : {xtnn::mode::training, xtnn::mode::inference})
    {
        INFO((mode == xtnn::mode::training ? "training mode" : "inference mode"));
        require_gradients_match<TestType, xtnn::softmax_cross_entropy>(
            net, x, 4, {nullptr, labels.data()}, mode);
        require_gradients_match<TestType, xtnn::softmax_cross_entropy>(
            net, x, 4, {one_hot.data(), nullptr}, mode);
        // MSE through the softmax: the full softmax Jacobian in the backward pass.
        require_gradients_match<TestType, xtnn::mean_squared_error>(
            net, x, 4, {one_hot.data(), nullptr}, mode);
    }
}

TEST_CASE("gradient_check: mean squared error through a sigmoid output, the book's chapter 4 net")
{
    xtnn::network<double> net({4, 5, 3}, xtnn::sigmoid(), xtnn::sigmoid());
    std::mt19937_64 engine(21);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    const auto x = random_values<double>(3 * 4, engine, 1.0);
    const auto t = random_values<double>(3 * 3, engine, 0.5);
    require_gradients_match<double, xtnn::mean_squared_error>(net, x, 3, {t.data(), nullptr},
                                                              xtnn::mode::training);
}

TEST_CASE("gradient_check: a wrong backward pass is caught")
{
    xtnn::network<double> net(2, {xtnn::dense(3), wrong_double(), xtnn::dense(2), xtnn::softmax()});
    std::mt19937_64 engine(5);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    const std::vector<double> x{0.5, -1.0, 1.5, 0.3};
    const std::vector<std::size_t> labels{1, 0};
    const auto result = xtnn::gradient_check<double, xtnn::softmax_cross_entropy>(
        net, x.data(), 2, {nullptr, labels.data()});
    REQUIRE(result.max_relative_error > 0.3);
    REQUIRE(result.worst_parameter.rfind("dense_1/", 0) == 0);
}

TEST_CASE("gradient_check: numerical gradients of a linear least-squares layer are exact")
{
    // One dense layer, L = 0.5 Σ (XW + b - T)² / rows: dW = Xᵀ(XW + b - T) / rows,
    // db = Σ_rows (XW + b - T) / rows. L is quadratic, so central differences are exact
    // up to rounding.
    const xtnn::network<double> net(
        2, {xtnn::dense<double>(xtnn::matrix<double>{{1, 2}, {3, 4}}, xtnn::vector<double>{0.5, -1})});
    const std::vector<double> x{1, -1, 2, 0.5};
    const std::vector<double> t{0, 1, 2, 3};
    // Z = [[-1.5, -3], [4, 5]]; R = Z - T = [[-1.5, -4], [2, 2]]
    // dW = Xᵀ R / 2 = [[(-1.5 + 4) / 2, (-4 + 4) / 2], [(1.5 + 1) / 2, (4 + 1) / 2]]
    const auto numerical = xtnn::numerical_gradients<double, xtnn::mean_squared_error>(
        net, x.data(), 2, {t.data(), nullptr});
    REQUIRE(numerical.at(0).first == "dense_1/kernel");
    const std::vector<double>& dw = numerical.at(0).second;
    const std::vector<double>& db = numerical.at(1).second;
    REQUIRE(dw[0] == Approx(1.25).epsilon(1e-9));
    REQUIRE(dw[1] == Approx(0.0).margin(1e-9));
    REQUIRE(dw[2] == Approx(1.25).epsilon(1e-9));
    REQUIRE(dw[3] == Approx(2.5).epsilon(1e-9));
    REQUIRE(db[0] == Approx(0.25).epsilon(1e-9));
    REQUIRE(db[1] == Approx(-1.0).epsilon(1e-9));
}
