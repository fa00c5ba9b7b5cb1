// SPDX-License-Identifier: MIT
// Real-data test: the book's pretrained weights, $XTNN_DATA_DIR/dlfs/sample_weight.pkl (a
// protocol-3 pickle whose W1..W3 are Fortran-ordered). Exits 77 (skipped) when XTNN_DATA_DIR
// is unset. Expected values from /usr/bin/python3 with numpy 1.24.2:
//   d = pickle.load(open('sample_weight.pkl', 'rb')); d['W1'][1, 0], d[k].sum(), ...
#define CATCH_CONFIG_RUNNER
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/pickle.hpp>
#include <xtnn/tensor.hpp>

#include "data_dir.hpp"

namespace
{
std::string weights_path()
{
    return xtnn_test::data_dir() + "/dlfs/sample_weight.pkl";
}

// sum(x) and sum(i * x[i]) over the C-order flattening, in double: the second one changes
// when rows and columns are mixed up.
std::pair<double, double> sums(const xt::xarray<float>& x)
{
    double plain = 0.0, weighted = 0.0;
    std::size_t i = 0;
    for (const float value : x)
    {
        plain += value;
        weighted += static_cast<double>(i++) * value;
    }
    return {plain, weighted};
}
}  // namespace

TEST_CASE("data: sample_weight.pkl holds W1..W3, b1..b3 as float32 in dict order")
{
    const auto arrays = xtnn::io::read_pickle(weights_path());
    const std::vector<std::string> names = {"b2", "W1", "b1", "W2", "W3", "b3"};
    const std::vector<std::vector<std::size_t>> shapes = {{100},     {784, 50}, {50},
                                                          {50, 100}, {100, 10}, {10}};
    REQUIRE(arrays.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
    {
        CAPTURE(i);
        CHECK(arrays[i].first == names[i]);
        CHECK(arrays[i].second.type == xtnn::io::dtype::f4);
        CHECK(arrays[i].second.shape == shapes[i]);
    }
}

TEST_CASE("data: sample_weight.pkl values match numpy, Fortran-ordered W in C order")
{
    const auto arrays = xtnn::io::read_pickle(weights_path());
    auto get = [&](const char* name)
    {
        const auto* array = xtnn::io::find_array(arrays, name);
        REQUIRE(array != nullptr);
        return array->as<float>();
    };
    const auto w1 = get("W1"), w2 = get("W2"), w3 = get("W3");
    const auto b1 = get("b1"), b2 = get("b2"), b3 = get("b3");
    CHECK(w1(0, 0) == -0.00741248904f);
    CHECK(w1(0, 1) == -0.0079043908f);
    CHECK(w1(1, 0) == -0.0102974502f);
    CHECK(w1(783, 49) == -0.0402114764f);
    CHECK(w1(300, 17) == 0.146056309f);
    CHECK(w2(10, 20) == 0.0910427272f);
    CHECK(w2(49, 99) == 0.00908009801f);
    CHECK(w3(99, 9) == 0.0317717306f);
    CHECK(w3(5, 3) == 0.186611667f);
    CHECK(b1(0) == -0.0675031543f);
    CHECK(b2(99) == -0.0435860753f);
    CHECK(b3(9) == 0.0532334968f);

    const struct
    {
        const xt::xarray<float>* x;
        double sum, weighted;
    } expected[] = {
        {&w1, 24.7107485115, 325488.905922},   {&b1, 0.410678756831, 12.9551150688},
        {&w2, -4.35810631185, -21744.6812676}, {&b2, 0.233020130079, -3.37938642909},
        {&w3, -2.64897455228, -1390.288691},   {&b3, -3.7532299757e-07, 0.378635242581}};
    for (const auto& e : expected)
    {
        const auto [sum, weighted] = sums(*e.x);
        CHECK(sum == Approx(e.sum).epsilon(1e-9).margin(1e-12));
        CHECK(weighted == Approx(e.weighted).epsilon(1e-9));
    }
}

int main(int argc, char* argv[])
{
    if (xtnn_test::data_dir().empty())
    {
        std::cout << "skipped: XTNN_DATA_DIR is not set\n";
        return xtnn_test::skip_exit_code;
    }
    return Catch::Session().run(argc, argv);
}
