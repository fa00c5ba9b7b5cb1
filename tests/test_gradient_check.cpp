// SPDX-License-Identifier: MIT
// Finite-difference checks of the whole backward pass: every activation, both losses, a
// three-layer network, in double (tight) and float (loose). Inputs are drawn from a seeded
// engine; ReLU nets are checked where no Z is within the step of 0.
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/gradient_check.hpp>
#include <xtnn/init.hpp>

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
std::vector<T> random_values(std::size_t size, std::mt19937& engine, double scale)
{
    xtnn::normal_sampler<std::mt19937> normal(engine);
    std::vector<T> values(size);
    for (auto& v : values)
    {
        v = static_cast<T>(scale * normal());
    }
    return values;
}

template <class T>
void randomize_biases(xtnn::network<T>& net, std::mt19937& engine)
{
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        const auto b = random_values<T>(net.layer(i).outputs(), engine, 0.3);
        std::copy(b.begin(), b.end(), net.layer(i).bias().begin());
    }
}

/// Smallest |Z| over all layers for input x: a ReLU kink closer than h spoils the check.
template <class T>
double smallest_abs_z(const xtnn::network<T>& net, const std::vector<T>& x, std::size_t batch)
{
    xtnn::workspace<T> ws;
    net.forward(x.data(), batch, ws);
    double smallest = 1e300;
    for (std::size_t i = 0; i < net.depth(); ++i)
    {
        for (auto v : ws.pre_activation(i))
        {
            smallest = std::min(smallest, std::fabs(static_cast<double>(v)));
        }
    }
    return smallest;
}

template <class T, class Loss>
void require_gradients_match(const xtnn::network<T>& net, const std::vector<T>& x,
                             std::size_t batch, xtnn::targets_ref<T> t)
{
    // Cross-entropy's exact derivative is (y - t) / rows scaled by y_c / (y_c + 1e-7): the
    // fused gradient is off by about 1e-7 / y_c of each row's (y - t), a few 1e-8 absolute,
    // which shows relatively in near-cancelling bias sums. Compare below 1e-2 absolutely.
    const double floor =
        std::is_same_v<Loss, xtnn::softmax_cross_entropy> && !std::is_same_v<T, float>
            ? 1e-2
            : xtnn::default_gradient_floor<T>();
    const auto result = xtnn::gradient_check<T, Loss>(net, x.data(), batch, t,
                                                      xtnn::default_gradient_step<T>(), floor);
    INFO("worst: slot " << result.worst_slot << " index " << result.worst_index << ", analytic "
                        << result.analytic << ", numerical " << result.numerical
                        << "; max relative error " << result.max_relative_error);
    REQUIRE(result.max_relative_error < tolerance<T>());
}
}  // namespace

TEMPLATE_TEST_CASE("gradient_check: every activation through one layer with MSE", "", float, double)
{
    for (auto kind :
         {xtnn::activation_kind::identity, xtnn::activation_kind::sigmoid,
          xtnn::activation_kind::tanh, xtnn::activation_kind::relu, xtnn::activation_kind::softmax})
    {
        INFO("activation " << xtnn::to_string(kind));
        xtnn::network<TestType> net({4, 3}, kind, kind);
        std::vector<TestType> x, t;
        // The first seed from 7 whose Z keeps clear of ReLU's kink (the same for every kind).
        for (unsigned seed = 7;; ++seed)
        {
            std::mt19937 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::xavier);
            randomize_biases(net, engine);
            x = random_values<TestType>(5 * 4, engine, 1.0);
            t = random_values<TestType>(5 * 3, engine, 0.5);
            if (kind != xtnn::activation_kind::relu ||
                smallest_abs_z(net, x, 5) > 2 * xtnn::default_gradient_step<TestType>())
            {
                break;
            }
        }
        xtnn::targets_ref<TestType> targets;
        targets.one_hot = t.data();
        require_gradients_match<TestType, xtnn::mean_squared_error>(net, x, 5, targets);
    }
}

TEMPLATE_TEST_CASE("gradient_check: softmax cross-entropy with one-hot and integer labels", "",
                   float, double)
{
    std::mt19937 engine(11);
    xtnn::network<TestType> net({5, 4}, xtnn::activation_kind::identity,
                                xtnn::activation_kind::softmax);
    xtnn::initialize(net, engine, xtnn::init_kind::normal, TestType(0.2));
    randomize_biases(net, engine);
    const auto x = random_values<TestType>(6 * 5, engine, 1.0);
    const std::vector<std::size_t> labels{0, 3, 1, 1, 2, 3};
    std::vector<TestType> one_hot(6 * 4, TestType(0));
    for (std::size_t r = 0; r < labels.size(); ++r)
    {
        one_hot[r * 4 + labels[r]] = 1;
    }
    xtnn::targets_ref<TestType> from_one_hot;
    from_one_hot.one_hot = one_hot.data();
    xtnn::targets_ref<TestType> from_labels;
    from_labels.indices = labels.data();
    require_gradients_match<TestType, xtnn::softmax_cross_entropy>(net, x, 6, from_one_hot);
    require_gradients_match<TestType, xtnn::softmax_cross_entropy>(net, x, 6, from_labels);
}

TEMPLATE_TEST_CASE("gradient_check: a three-layer network, each loss and hidden activation", "",
                   float, double)
{
    const std::vector<std::size_t> labels{2, 0, 1, 2};
    std::vector<TestType> one_hot(4 * 3, TestType(0));
    for (std::size_t r = 0; r < labels.size(); ++r)
    {
        one_hot[r * 3 + labels[r]] = 1;
    }
    for (auto hidden :
         {xtnn::activation_kind::sigmoid, xtnn::activation_kind::tanh, xtnn::activation_kind::relu})
    {
        INFO("hidden activation " << xtnn::to_string(hidden));
        xtnn::network<TestType> net({6, 5, 4, 3}, hidden, xtnn::activation_kind::softmax);
        std::vector<TestType> x;
        for (unsigned seed = 3;; ++seed)
        {
            std::mt19937 engine(seed);
            xtnn::initialize(net, engine, xtnn::init_kind::normal, TestType(0.5));
            randomize_biases(net, engine);
            x = random_values<TestType>(4 * 6, engine, 1.0);
            if (hidden != xtnn::activation_kind::relu ||
                smallest_abs_z(net, x, 4) > 2 * xtnn::default_gradient_step<TestType>())
            {
                break;
            }
        }
        xtnn::targets_ref<TestType> labels_ref;
        labels_ref.indices = labels.data();
        require_gradients_match<TestType, xtnn::softmax_cross_entropy>(net, x, 4, labels_ref);
        // MSE through the softmax output: the full softmax Jacobian in the backward pass.
        xtnn::targets_ref<TestType> one_hot_ref;
        one_hot_ref.one_hot = one_hot.data();
        require_gradients_match<TestType, xtnn::mean_squared_error>(net, x, 4, one_hot_ref);
    }
}

TEST_CASE("gradient_check: numerical gradients of a linear least-squares layer are exact")
{
    // One identity layer, L = 0.5 Σ (XW + b - T)² / rows: dW = Xᵀ(XW + b - T) / rows,
    // db = Σ_rows (XW + b - T) / rows. L is quadratic, so central differences are exact
    // up to rounding.
    const xtnn::network<double> net(std::vector<xtnn::dense_layer<double>>{
        xtnn::dense_layer<double>(xtnn::matrix<double>{{1, 2}, {3, 4}},
                                  xtnn::vector<double>{0.5, -1}, xtnn::activation_kind::identity)});
    const std::vector<double> x{1, -1, 2, 0.5};
    const std::vector<double> t{0, 1, 2, 3};
    // Z = [[-1.5, -3], [4, 5]]; R = Z - T = [[-1.5, -4], [2, 2]]
    // dW = Xᵀ R / 2 = [[(-1.5 + 4) / 2, (-4 + 4) / 2], [(1.5 + 1) / 2, (4 + 1) / 2]]
    xtnn::targets_ref<double> targets;
    targets.one_hot = t.data();
    const auto numerical =
        xtnn::numerical_gradients<double, xtnn::mean_squared_error>(net, x.data(), 2, targets);
    const std::vector<double> dw(numerical.weights(0).begin(), numerical.weights(0).end());
    const std::vector<double> db(numerical.bias(0).begin(), numerical.bias(0).end());
    REQUIRE(dw[0] == Approx(1.25).epsilon(1e-9));
    REQUIRE(dw[1] == Approx(0.0).margin(1e-9));
    REQUIRE(dw[2] == Approx(1.25).epsilon(1e-9));
    REQUIRE(dw[3] == Approx(2.5).epsilon(1e-9));
    REQUIRE(db[0] == Approx(0.25).epsilon(1e-9));
    REQUIRE(db[1] == Approx(-1.0).epsilon(1e-9));
}
