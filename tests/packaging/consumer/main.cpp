// SPDX-License-Identifier: MIT
// The program every packaging consumer builds (add_subdirectory, FetchContent, find_package):
// one file, so changing what a consumer exercises is a one-place change. It prints
// "xtnn <version>" (the tests check it) and exits non-zero when a result is wrong.
// A network's predict proves BLAS is linked through xtnn::xtnn; saving and loading its
// weights as .npz proves zlib is.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    // One layer, identity activation: Y = X·W + b. With X = [[1, 2, 3]],
    // W = [[1, 0], [0, 1], [1, 1]], b = [0.5, -0.5]: Y = [[4.5, 4.5]].
    xtnn::fixed_network<xtnn::dense<3, 2, xtnn::activation::identity>> net;
    net.layer<0>().weights() = {{1, 0}, {0, 1}, {1, 1}};
    net.layer<0>().bias() = {0.5f, -0.5f};
    const xtnn::matrix<float> x = {{1, 2, 3}};

    // Beside the executable: the three consumer tests may run at the same time.
    const std::string path = std::string(argc > 0 ? argv[0] : "consumer") + "_weights.npz";
    xtnn::io::save_weights(net, path);
    const auto loaded = xtnn::io::load_network<float>(path, xtnn::activation_kind::identity,
                                                      xtnn::activation_kind::identity);
    std::remove(path.c_str());
    const xtnn::matrix<float> y = loaded.predict(x);

    std::cout << "xtnn " << xtnn::version_string << '\n';
    std::cout << "Y " << xtnn::shape_string(y.shape()) << " = " << y(0, 0) << ' ' << y(0, 1)
              << '\n';
    if (std::fabs(y(0, 0) - 4.5f) > 1e-6f || std::fabs(y(0, 1) - 4.5f) > 1e-6f)
    {
        std::cerr << "error: expected Y = 4.5 4.5\n";
        return 1;
    }
    return 0;
}
