// SPDX-License-Identifier: MIT
// Writes the export tests' models: for each network of onnx_networks.hpp, DIR/NAME.onnx
// (save_onnx) and DIR/NAME.json holding input rows and the outputs xtnn computes for them,
// which check_onnx_models.py (onnx.checker) and run_onnxruntime.js (ONNX Runtime) then read.
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include <xtnn/io/onnx.hpp>
#include <xtnn/xtnn.hpp>

#include "onnx/onnx_networks.hpp"

namespace
{
template <class T>
void write_case(const std::string& dir, const std::string& name, const xtnn::network<T>& net)
{
    xtnn::io::save_onnx(net, dir + "/" + name + ".onnx");
    const auto x = xtnn_test::onnx_test_inputs<T>(9, net.inputs(), 5);
    const xtnn::matrix<T> y = net.predict(x);
    const nlohmann::json test = {
        {"type", std::is_same_v<T, float> ? "float32" : "float64"},
        {"rows", x.shape()[0]},
        {"inputs", net.inputs()},
        {"outputs", net.outputs()},
        {"input", std::vector<double>(x.begin(), x.end())},
        {"expected", std::vector<double>(y.begin(), y.end())},
    };
    std::ofstream(dir + "/" + name + ".json") << test.dump() << '\n';
    std::cout << name << ": " << net.describe() << '\n';
}
}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::cerr << "usage: " << argv[0] << " DIR\n";
        return 2;
    }
    try
    {
        for (const auto& [name, net] : xtnn_test::onnx_test_networks<float>())
        {
            write_case(argv[1], name, net);
        }
        // double: ONNX Runtime's CPU kernels of Elu, LeakyRelu, Erf and Softplus are float
        // only, so the double models hold the layers whose ops it runs in double
        auto nets = xtnn_test::onnx_test_networks<double>();
        write_case(argv[1], nets.front().first + "_f64", nets.front().second);
        xtnn::network<double> normalisation(
            5, {xtnn::dense<double>(8), xtnn::batch_norm<double>(), xtnn::tanh<double>(),
                xtnn::dense<double>(6), xtnn::layer_norm<double>(), xtnn::sigmoid<double>(),
                xtnn::dense<double>(3), xtnn::softmax<double>()});
        xtnn_test::randomise(normalisation, 21);
        write_case(argv[1], "normalisation_f64", normalisation);
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
