// SPDX-License-Identifier: MIT
// Compile cost, program 2: inference with the file formats: the test set from the MNIST
// files, the network from a model file or the book's weights, scored.
// benchmarks/compile_cost.sh times its compilation.
#include <iostream>
#include <string>

#include <xtnn/data/mnist.hpp>
#include <xtnn/io/model.hpp>
#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    const std::string dir = argc > 1 ? argv[1] : "data";
    const auto test = xtnn::data::load_mnist_part<float>(dir, xtnn::data::mnist_part::test);
    const auto model = xtnn::io::load_model<float>(dir + "/model.npz");
    const auto book = xtnn::io::load_network<float>(dir + "/dlfs/sample_weight.pkl");
    const auto truth = xtnn::class_indices(test.labels);
    std::cout << xtnn::accuracy(xtnn::argmax_rows(model.net.predict(test.images)), truth) << ' '
              << xtnn::accuracy(xtnn::argmax_rows(book.predict(test.images)), truth) << '\n';
}
