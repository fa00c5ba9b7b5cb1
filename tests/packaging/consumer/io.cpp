// SPDX-License-Identifier: MIT
// A consumer of xtnn::io: saving and loading weights as .npz needs zlib, which xtnn::io
// brings. It prints what it loaded and exits non-zero when a value is wrong.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <xtnn/io/weights.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    xtnn::network<float> net{xtnn::dense(3, 2), xtnn::identity()};
    net.layer<xtnn::dense<float>>(0).kernel() = {{1, 0}, {0, 1}, {1, 1}};
    net.layer<xtnn::dense<float>>(0).bias() = {0.5f, -0.5f};
    // Beside the executable: the consumer tests may run at the same time.
    const std::string path = std::string(argc > 0 ? argv[0] : "consumer_io") + "_weights.npz";
    xtnn::io::save_weights(net, path);
    const auto loaded = xtnn::io::load_network<float>(path, xtnn::identity(), xtnn::identity());
    std::remove(path.c_str());
    const xtnn::matrix<float> y = loaded.predict(xtnn::matrix<float>{{1, 2, 3}});
    std::cout << "xtnn io: Y " << xtnn::shape_string(y.shape()) << " = " << y(0, 0) << ' '
              << y(0, 1) << '\n';
    return std::fabs(y(0, 0) - 4.5f) > 1e-6f || std::fabs(y(0, 1) - 4.5f) > 1e-6f;
}
