// SPDX-License-Identifier: MIT
// Whole-array comparison for tests: fails with the first differing index and both values.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/tensor.hpp>

namespace xtnn_test
{
/// Requires |actual[i] - expected[i]| <= tolerance * max(1, |expected[i]|) for every i, in
/// row-major order; both must have the same number of elements.
template <class A, class E>
void require_all_close(const A& actual, const E& expected, double tolerance)
{
    const std::vector<double> a(actual.begin(), actual.end());
    const std::vector<double> e(expected.begin(), expected.end());
    REQUIRE(a.size() == e.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        const double allowed = tolerance * std::max(1.0, std::fabs(e[i]));
        if (!(std::fabs(a[i] - e[i]) <= allowed))
        {
            std::ostringstream message;
            message.precision(10);
            message << "first difference at flat index " << i << ": got " << a[i] << ", expected "
                    << e[i] << " (tolerance " << allowed << ")";
            FAIL(message.str());
        }
    }
}

/// Requires the same shape and exactly the same elements; reports the first difference.
template <class A, class E>
void require_equal(const A& actual, const E& expected)
{
    REQUIRE(xtnn::shape_string(actual.shape()) == xtnn::shape_string(expected.shape()));
    require_all_close(actual, expected, 0.0);
}
}  // namespace xtnn_test
