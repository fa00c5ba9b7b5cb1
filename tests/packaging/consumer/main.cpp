// SPDX-License-Identifier: MIT
// The program every packaging consumer builds (add_subdirectory, FetchContent, find_package):
// one file, so changing what a consumer exercises is a one-place change. It prints
// "xtnn <version>" (the tests check it) and exits non-zero when the result is wrong.
// The gemm call proves BLAS is linked through the xtnn::xtnn interface target.
#include <cstddef>
#include <iostream>

#include <xtnn/detail/blas.hpp>
#include <xtnn/xtnn.hpp>

int main()
{
    // C (2, 2) = A (2, 3) · B (3, 2)
    const xtnn::matrix<double> a = {{1, 2, 3}, {4, 5, 6}};
    const xtnn::matrix<double> b = {{7, 8}, {9, 10}, {11, 12}};
    xtnn::matrix<double> c = xtnn::matrix<double>::from_shape({2, 2});
    xtnn::detail::gemm(false, false, 2, 2, 3, 1.0, a.data(), b.data(), 0.0, c.data());

    std::cout << "xtnn " << xtnn::version_string << '\n';
    std::cout << "C " << xtnn::shape_string(c.shape()) << " =";
    for (std::size_t i = 0; i < c.shape(0); ++i)
    {
        std::cout << (i ? " |" : "");
        for (std::size_t j = 0; j < c.shape(1); ++j)
        {
            std::cout << ' ' << c(i, j);
        }
    }
    std::cout << '\n';

    const xtnn::matrix<double> expected = {{58, 64}, {139, 154}};
    if (c != expected)
    {
        std::cerr << "error: A·B is wrong; expected 58 64 | 139 154\n";
        return 1;
    }
    return 0;
}
