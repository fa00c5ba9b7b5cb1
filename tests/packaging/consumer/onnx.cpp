// SPDX-License-Identifier: MIT
// A consumer of xtnn::onnx (find_package(xtnn COMPONENTS onnx)): a network saved as ONNX and
// read back needs the ONNX protobuf library, which the component brings. Exits non-zero when
// a value is wrong.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <xtnn/io/onnx.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    xtnn::network<float> net{xtnn::dense(3, 2), xtnn::relu()};
    net.layer<xtnn::dense<float>>(0).kernel() = {{1, 0}, {0, 1}, {1, 1}};
    net.layer<xtnn::dense<float>>(0).bias() = {0.5f, -0.5f};
    const std::string path = std::string(argc > 0 ? argv[0] : "consumer_onnx") + ".onnx";
    xtnn::io::save_onnx(net, path);
    const auto loaded = xtnn::io::load_onnx<float>(path);
    std::remove(path.c_str());
    const xtnn::matrix<float> y = loaded.predict(xtnn::matrix<float>{{1, 2, 3}});
    std::cout << "xtnn onnx: " << loaded.describe() << ", Y = " << y(0, 0) << ' ' << y(0, 1) << '\n';
    return std::fabs(y(0, 0) - 4.5f) > 1e-6f || std::fabs(y(0, 1) - 4.5f) > 1e-6f;
}
