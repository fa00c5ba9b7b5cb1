// SPDX-License-Identifier: MIT
// Compile cost, program 1: inference with the core alone (xtnn/xtnn.hpp): a network built in
// code, run on a batch. benchmarks/compile_cost.sh times its compilation.
#include <cstddef>
#include <iostream>
#include <random>

#include <xtnn/xtnn.hpp>

int main()
{
    xtnn::network<float> net{xtnn::dense(784, 50), xtnn::sigmoid(), xtnn::dense(100),
                             xtnn::sigmoid(),      xtnn::dense(10), xtnn::softmax()};
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::xavier);
    const xtnn::matrix<float> x = xt::zeros<float>({100, 784});
    const auto labels = xtnn::argmax_rows(net.predict(x));
    std::cout << labels.size() << " predictions\n";
}
