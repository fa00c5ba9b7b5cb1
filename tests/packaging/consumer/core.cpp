// SPDX-License-Identifier: MIT
// A consumer of xtnn::core alone: the umbrella header (networks, layers, training, scoring)
// builds and links with xtensor and BLAS only, no zlib and no dl. It trains a tiny network a
// few steps and runs it through both faces.
#include <cmath>
#include <iostream>
#include <random>

#include <xtnn/xtnn.hpp>

int main()
{
    // One dense layer, identity: Y = X·W + b. X = [[1, 2, 3]], W = [[1, 0], [0, 1], [1, 1]],
    // b = [0.5, -0.5]: Y = [[4.5, 4.5]].
    xtnn::fixed_network<float, xtnn::fixed::dense<3, 2>, xtnn::fixed::identity> fixed;
    const float w[] = {1, 0, 0, 1, 1, 1};
    std::copy(w, w + 6, fixed.parameter<0>(0).data);
    fixed.parameter<0>(1).data[0] = 0.5f;
    fixed.parameter<0>(1).data[1] = -0.5f;
    const xtnn::matrix<float> x = {{1, 2, 3}};
    const xtnn::matrix<float> y = fixed.to_network().predict(x);
    std::cout << "xtnn core " << xtnn::version_string << ": Y = " << y(0, 0) << ' ' << y(0, 1)
              << '\n';
    if (std::fabs(y(0, 0) - 4.5f) > 1e-6f || std::fabs(y(0, 1) - 4.5f) > 1e-6f)
    {
        std::cerr << "error: expected Y = 4.5 4.5\n";
        return 1;
    }
    xtnn::network<float> net{xtnn::dense(3, 4), xtnn::batch_norm(), xtnn::relu(), xtnn::dense(2),
                             xtnn::softmax()};
    std::mt19937_64 engine(1);
    xtnn::initialize(net, engine, xtnn::init_kind::he);
    const xtnn::matrix<float> xs = {{1, 2, 3}, {-1, 0, 1}};
    const xtnn::vector<float> labels = {0, 1};
    xtnn::fit_options<float> options;
    options.epochs = 3;
    options.batch_size = 2;
    options.verbose = xtnn::verbosity::silent;
    const auto h = xtnn::fit(net, xs, labels, options);
    return std::isfinite(h.back().loss) ? 0 : 1;
}
