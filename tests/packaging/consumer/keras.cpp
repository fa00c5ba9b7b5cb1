// SPDX-License-Identifier: MIT
// A consumer of xtnn::keras: reading a Keras 3 .keras file needs the HDF5 C library, which
// xtnn::keras brings. It prints what it loaded and exits non-zero when it is not the model.
#include <iostream>

#include <xtnn/io/keras.hpp>

int main()
{
    const auto net = xtnn::io::load_keras<float>(XTNN_PACKAGING_KERAS_FIXTURE);
    std::cout << "xtnn keras: " << net.size() << " layers, " << net.inputs() << " inputs, "
              << net.outputs() << " outputs\n";
    return net.inputs() == 10 && net.outputs() == 5 ? 0 : 1;
}
