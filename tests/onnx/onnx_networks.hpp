// SPDX-License-Identifier: MIT
// Networks of every layer kind save_onnx writes, with parameters and statistics drawn at
// random (fixed seeds), for the export tests: the round trip in test_onnx.cpp and the
// onnx.checker / ONNX Runtime comparison that export_onnx_models.cpp prepares.
#pragma once

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <xtnn/xtnn.hpp>

namespace xtnn_test
{
/// Every parameter uniform in [-1, 1], every state array (running statistics, standardize's
/// mean and std) uniform in [0.5, 1.5] so that variances and stds stay positive.
template <class T>
void randomise(xtnn::network<T>& net, unsigned seed)
{
    std::mt19937 engine(seed);
    std::uniform_real_distribution<double> parameter(-1.0, 1.0), state(0.5, 1.5);
    for (std::size_t i = 0; i < net.size(); ++i)
    {
        auto& layer = net.mutable_layer(i);
        for (std::size_t p = 0; p < layer.parameter_count(); ++p)
        {
            const auto ref = layer.parameter(p);
            for (std::size_t k = 0; k < ref.size(); ++k)
            {
                ref.data[k] = static_cast<T>(parameter(engine));
            }
        }
        for (std::size_t s = 0; s < layer.state_count(); ++s)
        {
            const auto ref = layer.state(s);
            for (std::size_t k = 0; k < ref.size(); ++k)
            {
                ref.data[k] = static_cast<T>(state(engine));
            }
        }
    }
}

/// Named networks that together hold every layer kind with an ONNX form.
template <class T>
std::vector<std::pair<std::string, xtnn::network<T>>> onnx_test_networks()
{
    using namespace xtnn;
    std::vector<std::pair<std::string, network<T>>> nets;
    nets.emplace_back("preprocessing_dense_relu",
                      network<T>(6, {rescale<T>(0.5, -0.1), standardize<T>(1e-3), dense<T>(10),
                                     relu<T>(), dropout<T>(0.3), dense<T>(4), softmax<T>()}));
    nets.emplace_back("batch_norm_layer_norm_gelu",
                      network<T>(5, {dense<T>(8), batch_norm<T>(0.8, 1e-3), gelu<T>(),
                                     dense<T>(8, no_bias), layer_norm<T>(1e-4), gelu<T>("tanh"),
                                     dense<T>(3)}));
    nets.emplace_back("activations",
                      network<T>(4, {dense<T>(6), leaky_relu<T>(0.1), dense<T>(6), elu<T>(0.5),
                                     dense<T>(6), silu<T>(), dense<T>(6), softplus<T>(),
                                     dense<T>(6), sigmoid<T>(), dense<T>(6), xtnn::tanh<T>(),
                                     identity<T>(), dense<T>(2)}));
    unsigned seed = 11;
    for (auto& entry : nets)
    {
        randomise(entry.second, seed++);
    }
    return nets;
}

/// Rows of inputs for a network of `inputs` columns, uniform in [-2, 2].
template <class T>
xtnn::matrix<T> onnx_test_inputs(std::size_t rows, std::size_t inputs, unsigned seed)
{
    std::mt19937 engine(seed);
    std::uniform_real_distribution<double> value(-2.0, 2.0);
    xtnn::matrix<T> x = xt::zeros<T>({rows, inputs});
    for (auto& v : x)
    {
        v = static_cast<T>(value(engine));
    }
    return x;
}
}  // namespace xtnn_test
