// SPDX-License-Identifier: MIT
// Per-feature standardisation, as the digits tutorial (and scikit-learn's StandardScaler) do
// it: statistics fitted on one set, applied to any.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include <xtnn/error.hpp>
#include <xtnn/tensor.hpp>

namespace xtnn::data
{
/// Per-feature standardization as the tutorial does it: z = (x - mean) / (std + 1e-7), with
/// the population standard deviation (ddof 0, numpy's default). A constant feature (std 0,
/// e.g. the digits' always-blank corner pixel) maps to 0, never NaN.
template <class T = float>
struct standardizer
{
    static_assert(std::is_floating_point_v<T>, "standardizer works on float or double");
    static constexpr double epsilon = 1e-7;

    xt::xtensor<T, 1> mean;  ///< (features,)
    xt::xtensor<T, 1> std;   ///< (features,), population standard deviation

    /// Computes mean and std of each column of x (rows, features), accumulating in double.
    /// @throws shape_error when x has no rows.
    void fit(const xt::xtensor<T, 2>& x)
    {
        const std::size_t rows = x.shape()[0];
        const std::size_t cols = x.shape()[1];
        if (rows == 0)
        {
            throw shape_error("xtnn::data::standardizer::fit: no samples; expected at least one "
                              "row, got " +
                              shape_string(x.shape()));
        }
        std::vector<double> sum(cols, 0.0);
        std::vector<double> squares(cols, 0.0);
        const T* row = x.data();
        for (std::size_t r = 0; r < rows; ++r, row += cols)
        {
            for (std::size_t c = 0; c < cols; ++c)
            {
                sum[c] += row[c];
            }
        }
        for (double& s : sum)
        {
            s /= static_cast<double>(rows);  // mean = sum / rows
        }
        row = x.data();
        for (std::size_t r = 0; r < rows; ++r, row += cols)
        {
            for (std::size_t c = 0; c < cols; ++c)
            {
                const double d = row[c] - sum[c];
                squares[c] += d * d;  // sum of (x - mean)^2; two passes avoid cancellation
            }
        }
        mean = xt::xtensor<T, 1>::from_shape({cols});
        std = xt::xtensor<T, 1>::from_shape({cols});
        for (std::size_t c = 0; c < cols; ++c)
        {
            mean.data()[c] = static_cast<T>(sum[c]);
            std.data()[c] = static_cast<T>(std::sqrt(squares[c] / static_cast<double>(rows)));
        }
    }

    /// x (rows, features) ← (x - mean) / (std + 1e-7), in place, with the fitted statistics
    /// (so test data is scaled like the training data).
    /// @throws shape_error when x's feature count differs from the fitted one.
    void transform(xt::xtensor<T, 2>& x) const
    {
        const std::size_t cols = x.shape()[1];
        if (cols != mean.size())
        {
            throw shape_error("xtnn::data::standardizer::transform: x has shape " +
                              shape_string(x.shape()) + "; expected " +
                              std::to_string(mean.size()) + " columns, the features fit() saw");
        }
        std::vector<T> scale(cols);
        for (std::size_t c = 0; c < cols; ++c)
        {
            scale[c] = T(1) / (std.data()[c] + static_cast<T>(epsilon));
        }
        T* row = x.data();
        for (std::size_t r = 0; r < x.shape()[0]; ++r, row += cols)
        {
            for (std::size_t c = 0; c < cols; ++c)
            {
                row[c] = (row[c] - mean.data()[c]) * scale[c];
            }
        }
    }
};

/// x (rows, features) standardized with its own statistics, as the tutorial does on all
/// 1797 samples before splitting. @throws shape_error when x has no rows.
template <class T>
xt::xtensor<T, 2> standardize(const xt::xtensor<T, 2>& x)
{
    standardizer<T> scaler;
    scaler.fit(x);
    xt::xtensor<T, 2> out = x;
    scaler.transform(out);
    return out;
}

}  // namespace xtnn::data
