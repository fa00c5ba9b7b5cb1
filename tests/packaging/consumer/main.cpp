// SPDX-License-Identifier: MIT
// The program every packaging consumer builds against xtnn::xtnn (add_subdirectory,
// FetchContent, find_package): one file, so changing what a consumer exercises is a
// one-place change. It prints "xtnn <version>" and the xtensor it was compiled with (the tests
// check both, so a consumer that finds another xtensor than the build fails) and exits non-zero when
// a result is wrong. A network's predict proves BLAS is linked; saving its weights as .npz
// proves zlib; a PNG plot proves the plot component; set_blas_threads proves dl.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include <xtnn/blas_threads.hpp>
#include <xtnn/data.hpp>
#include <xtnn/io.hpp>
#include <xtnn/plot.hpp>
#include <xtnn/xtnn.hpp>

int main(int argc, char** argv)
{
    xtnn::set_blas_threads(1);
    xtnn::network<float> net{xtnn::dense(3, 2), xtnn::identity()};
    net.layer<xtnn::dense<float>>(0).kernel() = {{1, 0}, {0, 1}, {1, 1}};
    net.layer<xtnn::dense<float>>(0).bias() = {0.5f, -0.5f};
    const xtnn::matrix<float> x = {{1, 2, 3}};

    // Beside the executable: the three consumer tests may run at the same time.
    const std::string base = std::string(argc > 0 ? argv[0] : "consumer");
    xtnn::io::save_weights(net, base + "_weights.npz");
    const auto loaded =
        xtnn::io::load_network<float>(base + "_weights.npz", xtnn::identity(), xtnn::identity());
    std::remove((base + "_weights.npz").c_str());
    const xtnn::matrix<float> y = loaded.predict(x);

    xtnn::plot::figure figure;
    figure.panels.emplace_back();
    figure.panels.back().series.push_back(xtnn::plot::by_index("y", {y(0, 0), y(0, 1)}));
    xtnn::plot::save(figure, base + "_plot.png");
    std::remove((base + "_plot.png").c_str());

    std::cout << "xtnn " << xtnn::version_string << '\n';
    std::cout << "xtensor " << XTENSOR_VERSION_MAJOR << '.' << XTENSOR_VERSION_MINOR << '.'
              << XTENSOR_VERSION_PATCH << '\n';
    std::cout << "Y " << xtnn::shape_string(y.shape()) << " = " << y(0, 0) << ' ' << y(0, 1)
              << '\n';
    if (std::fabs(y(0, 0) - 4.5f) > 1e-6f || std::fabs(y(0, 1) - 4.5f) > 1e-6f)
    {
        std::cerr << "error: expected Y = 4.5 4.5\n";
        return 1;
    }
    return 0;
}
