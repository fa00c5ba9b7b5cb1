// SPDX-License-Identifier: MIT
// dense_layer::backward against numpy, with the layer of test_network.cpp:
//   X = [[1,2,3],[-1,0.5,2]]; W = [[0.1,-0.2],[0.3,0.4],[-0.5,0.6]]; dZ = [[0.5,-1],[0.25,2]]
//   dW = X.T@dZ = [[0.25,-3],[1.125,-1],[2,1]]; db = dZ.sum(0) = [0.75, 1]
//   dX = dZ@W.T = [[0.25,-0.25,-0.85],[-0.375,0.875,1.075]]
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/dense.hpp>
#include <xtnn/gradient_check.hpp>

#include "approx.hpp"
#include "example_network.hpp"

namespace
{
using xtnn_test::example_layer;
using xtnn_test::example_x;

template <class T>
const std::vector<T> example_dz{0.5, -1, 0.25, 2};
}  // namespace

TEMPLATE_TEST_CASE("dense: backward computes Xᵀ·dZ, column sums of dZ and dZ·Wᵀ", "", float, double)
{
    const auto layer = example_layer<TestType>(xtnn::activation_kind::sigmoid);
    // Garbage in the outputs: backward overwrites, it does not accumulate.
    std::vector<TestType> dw(6, 99), db(2, 99), dx(6, 99);
    layer.backward(example_x<TestType>.data(), 2, example_dz<TestType>.data(), dw.data(), db.data(),
                   dx.data());
    xtnn_test::require_all_close(dw, std::vector<double>{0.25, -3, 1.125, -1, 2, 1}, 1e-6);
    xtnn_test::require_all_close(db, std::vector<double>{0.75, 1}, 1e-6);
    xtnn_test::require_all_close(dx, std::vector<double>{0.25, -0.25, -0.85, -0.375, 0.875, 1.075},
                                 1e-6);
}

TEMPLATE_TEST_CASE("dense: backward of one row (the gemv path) matches the batched rows", "", float,
                   double)
{
    const auto layer = example_layer<TestType>(xtnn::activation_kind::relu);
    for (std::size_t r = 0; r < 2; ++r)
    {
        std::vector<TestType> dw(6), db(2), dx(3);
        layer.backward(example_x<TestType>.data() + 3 * r, 1, example_dz<TestType>.data() + 2 * r,
                       dw.data(), db.data(), dx.data());
        const TestType* x = example_x<TestType>.data() + 3 * r;
        const TestType* dz = example_dz<TestType>.data() + 2 * r;
        // dW = x ⊗ dz, db = dz, dx = W·dz
        xtnn_test::require_all_close(dw,
                                     std::vector<double>{x[0] * dz[0], x[0] * dz[1], x[1] * dz[0],
                                                         x[1] * dz[1], x[2] * dz[0], x[2] * dz[1]},
                                     1e-6);
        xtnn_test::require_all_close(db, std::vector<double>{dz[0], dz[1]}, 0);
        const std::vector<double> expected_dx = r == 0 ? std::vector<double>{0.25, -0.25, -0.85}
                                                       : std::vector<double>{-0.375, 0.875, 1.075};
        xtnn_test::require_all_close(dx, expected_dx, 1e-6);
    }
}

TEST_CASE("dense: backward without grad_x leaves the input gradient alone")
{
    const auto layer = example_layer<double>(xtnn::activation_kind::identity);
    std::vector<double> dw(6), db(2);
    layer.backward(example_x<double>.data(), 2, example_dz<double>.data(), dw.data(), db.data(),
                   nullptr);
    xtnn_test::require_all_close(dw, std::vector<double>{0.25, -3, 1.125, -1, 2, 1}, 1e-12);
    xtnn_test::require_all_close(db, std::vector<double>{0.75, 1}, 1e-12);
}

TEMPLATE_TEST_CASE("dense: backward agrees with central differences through an identity layer", "",
                   float, double)
{
    // One layer, A = Z, MSE against fixed targets: dW and db by backward vs finite differences.
    const xtnn::network<TestType> net(std::vector<xtnn::dense_layer<TestType>>{
        example_layer<TestType>(xtnn::activation_kind::identity)});
    const std::vector<TestType> t{0.2, -0.4, 1.0, 0.3};
    xtnn::targets_ref<TestType> targets;
    targets.one_hot = t.data();
    const auto result = xtnn::gradient_check<TestType, xtnn::mean_squared_error>(
        net, example_x<TestType>.data(), 2, targets);
    INFO("worst slot " << result.worst_slot << " index " << result.worst_index << ": analytic "
                       << result.analytic << ", numerical " << result.numerical);
    REQUIRE(result.max_relative_error < (std::is_same_v<TestType, float> ? 1e-3 : 1e-7));
}
