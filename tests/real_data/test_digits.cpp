// SPDX-License-Identifier: MIT
// Tests of the digits loader and preprocessing on the real $XTNN_DATA_DIR/digits/digits.csv.gz
// (scikit-learn's copy, see data/SOURCES.md). The reference values were computed separately
// with numpy: d = np.loadtxt(gzip.open("digits.csv.gz"), delimiter=","); x, y = d[:, :64],
// d[:, 64]. Exits 77 (reported by ctest as skipped) when XTNN_DATA_DIR is unset.
#define CATCH_CONFIG_RUNNER
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/data.hpp>

#include "data_dir.hpp"

namespace
{

/// A tensor's shape as a vector, for comparisons.
template <class E>
std::vector<std::size_t> shape_of(const E& e)
{
    return {e.shape().begin(), e.shape().end()};
}
/// Loaded once, as double (the tutorial's numpy arrays are float64).
const xtnn::data::digits_set<double>& digits()
{
    static const auto data = xtnn::data::load_digits<double>(xtnn_test::data_dir());
    return data;
}

std::array<std::size_t, 10> label_counts(const xt::xtensor<std::size_t, 1>& labels)
{
    std::array<std::size_t, 10> counts{};
    for (std::size_t label : labels)
    {
        ++counts.at(label);
    }
    return counts;
}
}  // namespace

TEST_CASE("digits data: 1797 images of 64 pixels 0..16 with labels 0..9", "[data][digits]")
{
    const auto& data = digits();
    REQUIRE(data.size() == 1797);
    REQUIRE(shape_of(data.images) == std::vector<std::size_t>{1797, 64});
    REQUIRE(shape_of(data.labels) == std::vector<std::size_t>{1797});
    const auto [low, high] = std::minmax_element(data.images.begin(), data.images.end());
    CHECK(*low == 0.0);
    CHECK(*high == 16.0);
    // np.bincount(y)
    CHECK(label_counts(data.labels) ==
          std::array<std::size_t, 10>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});
    // y[:10] is 0..9; y[-5:] is 9 0 8 9 8.
    for (std::size_t i = 0; i < 10; ++i)
    {
        CHECK(data.labels(i) == i);
    }
    const std::size_t last[] = {9, 0, 8, 9, 8};
    for (std::size_t i = 0; i < 5; ++i)
    {
        CHECK(data.labels(1792 + i) == last[i]);
    }
}

TEST_CASE("digits data: pixel values and sums match numpy", "[data][digits]")
{
    const auto& data = digits();
    const double* x = data.images.data();
    double total = 0;
    for (std::size_t i = 0; i < data.images.size(); ++i)
    {
        total += x[i];
    }
    CHECK(total == 561718.0);  // x.sum()

    const auto row_sum = [&](std::size_t r)
    {
        double sum = 0;
        for (std::size_t c = 0; c < 64; ++c)
        {
            sum += data.images(r, c);
        }
        return sum;
    };
    CHECK(row_sum(0) == 294.0);  // x[0].sum(), x[1].sum(), x[1796].sum()
    CHECK(row_sum(1) == 313.0);
    CHECK(row_sum(1796) == 392.0);

    const int first[] = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0};  // x[0, :16]
    for (std::size_t c = 0; c < 16; ++c)
    {
        CHECK(data.images(0, c) == first[c]);
    }

    // x.sum(0) for a few columns; columns 0, 32 and 39 are always 0.
    std::array<double, 64> column_sums{};
    for (std::size_t r = 0; r < 1797; ++r)
    {
        for (std::size_t c = 0; c < 64; ++c)
        {
            column_sums[c] += x[r * 64 + c];
        }
    }
    CHECK(column_sums[0] == 0.0);
    CHECK(column_sums[1] == 546.0);
    CHECK(column_sums[2] == 9353.0);
    CHECK(column_sums[11] == 21527.0);
    CHECK(column_sums[32] == 0.0);
    CHECK(column_sums[39] == 0.0);
    CHECK(column_sums[59] == 21724.0);
    CHECK(column_sums[63] == 655.0);
}

TEST_CASE("digits data: standardized columns have mean 0 and std 1 (or 0 when constant)",
          "[data][digits][standardizer]")
{
    const auto& data = digits();
    xtnn::data::standardizer<double> scaler;
    scaler.fit(data.images);
    CHECK(scaler.mean(2) == Approx(5.204785754034502).epsilon(1e-12));  // x.mean(0)[2]
    CHECK(scaler.std(2) == Approx(4.7535031654762925).epsilon(1e-12));  // x.std(0)[2]
    CHECK(scaler.std(0) == 0.0);

    const auto z = xtnn::data::standardize(data.images);
    // z = (x - x.mean(0)) / (x.std(0) + 1e-7)
    CHECK(z(0, 2) == Approx(-0.04308101679908755).epsilon(1e-9));
    CHECK(z(0, 10) == Approx(0.4829744903408988).epsilon(1e-9));
    CHECK(z(1796, 63) == Approx(-0.19600750812019727).epsilon(1e-9));
    std::size_t unit_columns = 0;
    std::size_t not_finite = 0;
    for (std::size_t c = 0; c < 64; ++c)
    {
        double sum = 0;
        double squares = 0;
        for (std::size_t r = 0; r < 1797; ++r)
        {
            not_finite += std::isfinite(z(r, c)) ? 0 : 1;
            sum += z(r, c);
            squares += z(r, c) * z(r, c);
        }
        const double mean = sum / 1797;
        const double std = std::sqrt(squares / 1797 - mean * mean);
        CHECK(std::fabs(mean) < 1e-12);
        CHECK((std == Approx(1.0).margin(1e-5) || std == 0.0));
        unit_columns += std > 0.5 ? 1 : 0;
    }
    CHECK(not_finite == 0);
    CHECK(unit_columns == 61);  // (x.std(0) > 0).sum()

    // The float version agrees.
    const auto zf =
        xtnn::data::standardize(xtnn::data::load_digits<float>(xtnn_test::data_dir()).images);
    CHECK(zf(0, 10) == Approx(0.4829744903408988).epsilon(1e-5));
}

TEST_CASE("digits data: the tutorial's split is 300 test and 1497 training samples",
          "[data][digits][split]")
{
    const auto& data = digits();
    const auto split = xtnn::data::split_first_as_test(data, 300);
    REQUIRE(shape_of(split.x_test) == std::vector<std::size_t>{300, 64});
    REQUIRE(shape_of(split.x_train) == std::vector<std::size_t>{1497, 64});
    // np.bincount(y[:300])
    CHECK(label_counts(split.y_test) ==
          std::array<std::size_t, 10>{31, 30, 29, 29, 29, 32, 29, 29, 31, 31});
    CHECK(split.x_test(0, 3) == 13.0);
    CHECK(split.x_train(1496, 2) == 10.0);  // x[1796, 2]
    const auto y = xtnn::data::one_hot<double>(split.y_train, 10);
    REQUIRE(shape_of(y) == std::vector<std::size_t>{1497, 10});
    CHECK(y(1496, 8) == 1.0);
}

int main(int argc, char* argv[])
{
    return xtnn_test::run_data_tests(argc, argv);  // exits 77 when XTNN_DATA_DIR is unset
}
