// SPDX-License-Identifier: MIT
// Tests for xtnn/io/ndarray.hpp: dtype helpers, conversion to and from xtensor (and the
// floats it refuses to turn into integers), sizes, and the Fortran-order and byte-order
// handling the readers share.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/io/ndarray.hpp>
#include <xtnn/tensor.hpp>

#include "approx.hpp"

using xtnn::io::dtype;

using xtnn_test::require_equal;

TEST_CASE("ndarray: dtype helpers give numpy's item sizes and descr strings")
{
    CHECK(xtnn::io::item_size(dtype::f4) == 4);
    CHECK(xtnn::io::item_size(dtype::f8) == 8);
    CHECK(xtnn::io::item_size(dtype::i2) == 2);
    CHECK(xtnn::io::item_size(dtype::u8) == 8);
    CHECK(xtnn::io::item_size(dtype::b1) == 1);
    CHECK(xtnn::io::descr(dtype::f4) == "<f4");
    CHECK(xtnn::io::descr(dtype::i8) == "<i8");
    CHECK(xtnn::io::descr(dtype::u1) == "|u1");
    CHECK(xtnn::io::descr(dtype::b1) == "|b1");
}

TEST_CASE("ndarray: parse_descr accepts every byte order and rejects other types")
{
    for (const dtype type : {dtype::f4, dtype::f8, dtype::i1, dtype::i2, dtype::i4, dtype::i8,
                             dtype::u1, dtype::u2, dtype::u4, dtype::u8, dtype::b1})
    {
        const auto parsed = xtnn::io::parse_descr(xtnn::io::descr(type));
        REQUIRE(parsed);
        CHECK(parsed->type == type);
        CHECK_FALSE(parsed->big_endian);
    }
    CHECK(xtnn::io::parse_descr("=f8")->type == dtype::f8);
    CHECK(xtnn::io::parse_descr("i4")->type == dtype::i4);
    CHECK(xtnn::io::parse_descr(">f4")->big_endian);
    CHECK_FALSE(xtnn::io::parse_descr(">u1")->big_endian);  // one byte: nothing to swap
    for (const char* text : {"<c8", "|O", "O", "<f2", "<U5", "|V8", "", "<", "<f4 ", "<M8[s]"})
    {
        CAPTURE(text);
        CHECK_FALSE(xtnn::io::parse_descr(text));
    }
}

TEST_CASE("ndarray: dtype_of maps C++ types to numpy codes")
{
    STATIC_REQUIRE(xtnn::io::dtype_of<float>() == dtype::f4);
    STATIC_REQUIRE(xtnn::io::dtype_of<double>() == dtype::f8);
    STATIC_REQUIRE(xtnn::io::dtype_of<std::int8_t>() == dtype::i1);
    STATIC_REQUIRE(xtnn::io::dtype_of<std::int64_t>() == dtype::i8);
    STATIC_REQUIRE(xtnn::io::dtype_of<long long>() == dtype::i8);
    STATIC_REQUIRE(xtnn::io::dtype_of<std::uint8_t>() == dtype::u1);
    STATIC_REQUIRE(xtnn::io::dtype_of<std::uint32_t>() == dtype::u4);
    STATIC_REQUIRE(xtnn::io::dtype_of<bool>() == dtype::b1);
}

TEMPLATE_TEST_CASE("ndarray: to_ndarray and as<T> round-trip an xarray", "", float, double,
                   std::int8_t, std::int16_t, std::int32_t, std::int64_t, std::uint8_t,
                   std::uint16_t, std::uint32_t, std::uint64_t)
{
    const xt::xarray<TestType> x = {{1, 2, 3}, {4, 5, 127}};
    const xtnn::io::ndarray array = xtnn::io::to_ndarray(x);
    CHECK(array.type == xtnn::io::dtype_of<TestType>());
    CHECK(array.shape == std::vector<std::size_t>{2, 3});
    CHECK(array.size() == 6);
    REQUIRE(array.data.size() == 6 * sizeof(TestType));
    TestType last;
    std::memcpy(&last, array.data.data() + 5 * sizeof(TestType), sizeof last);
    CHECK(last == TestType(127));
    require_equal(array.as<TestType>(), x);
    require_equal(array.as<double>(), xt::xarray<double>{{1, 2, 3}, {4, 5, 127}});
}

TEST_CASE("ndarray: to_ndarray takes fixed-rank tensors, views and expressions in row-major "
          "order")
{
    const xt::xtensor<float, 2> w = {{1.f, 2.f}, {3.f, 4.f}, {5.f, 6.f}};
    const auto from_tensor = xtnn::io::to_ndarray(w);
    CHECK(from_tensor.shape == std::vector<std::size_t>{3, 2});
    require_equal(from_tensor.as<float>(), xt::xarray<float>(w));

    const auto column = xtnn::io::to_ndarray(xt::view(w, xt::all(), 1));
    CHECK(column.shape == std::vector<std::size_t>{3});
    require_equal(column.as<float>(), xt::xarray<float>{2.f, 4.f, 6.f});

    const auto transposed = xtnn::io::to_ndarray(xt::eval(xt::transpose(w)) * 2.0f);
    CHECK(transposed.shape == std::vector<std::size_t>{2, 3});
    require_equal(transposed.as<float>(), xt::xarray<float>{{2.f, 6.f, 10.f}, {4.f, 8.f, 12.f}});
}

TEST_CASE("ndarray: a 0-d array holds one element and bools convert to 0 and 1")
{
    const auto scalar = xtnn::io::to_ndarray(xt::xarray<double>(2.5));
    CHECK(scalar.shape.empty());
    CHECK(scalar.size() == 1);
    CHECK(scalar.as<double>()() == 2.5);

    xtnn::io::ndarray flags{dtype::b1, {3}, {1, 0, 2}};  // numpy treats any nonzero as True
    require_equal(flags.as<int>(), xt::xarray<int>{1, 0, 1});
    require_equal(flags.as<bool>(), xt::xarray<bool>{true, false, true});
}

TEST_CASE("ndarray: as<T> refuses data that does not match the shape")
{
    xtnn::io::ndarray broken{dtype::f4, {2, 3}, std::vector<std::uint8_t>(20)};
    REQUIRE_THROWS_AS(broken.as<float>(), xtnn::shape_error);
    REQUIRE_THROWS_WITH(broken.as<float>(),
                        Catch::Matchers::Contains("data holds 20 bytes; expected 24") &&
                            Catch::Matchers::Contains("(2, 3)") &&
                            Catch::Matchers::Contains("<f4"));
    xtnn::io::ndarray odd{dtype::i4, {2, 2}, std::vector<std::uint8_t>(15)};
    REQUIRE_THROWS_WITH(odd.as<float>(),
                        Catch::Matchers::Contains("xtnn::io::ndarray::as: data holds 15 bytes; "
                                                  "expected 16 for shape (2, 2) of <i4"));
    xtnn::io::ndarray huge{dtype::f8, {std::size_t(1) << 40, std::size_t(1) << 40}, {}};
    REQUIRE_THROWS_AS(huge.as<double>(), xtnn::shape_error);
}

TEST_CASE("ndarray: size() is 0 for a zero extent and refuses shapes past PTRDIFF_MAX, as numpy")
{
    const std::size_t big = std::size_t(1) << 20;
    for (const auto& shape : {std::vector<std::size_t>{0, big, big}, {big, big, 0}, {big, 0, big}})
    {
        const xtnn::io::ndarray empty{dtype::f8, shape, {}};
        CHECK(empty.size() == 0);
        CHECK(empty.as<double>().size() == 0);
    }
    // numpy refuses (0, 2**40, 2**40) too: the nonzero extents' product must fit, so that
    // the strides of the (empty) xarray built from the shape do.
    const std::size_t huge_extent = std::size_t(1) << 40;
    for (const auto& shape :
         {std::vector<std::size_t>{0, huge_extent, huge_extent}, {huge_extent, huge_extent, 0}})
    {
        const xtnn::io::ndarray empty{dtype::u1, shape, {}};
        REQUIRE_THROWS_AS(empty.size(), xtnn::shape_error);
        REQUIRE_THROWS_AS(empty.as<float>(), xtnn::shape_error);
    }
    const xtnn::io::ndarray huge{dtype::u1, {huge_extent, huge_extent}, {}};
    REQUIRE_THROWS_AS(huge.size(), xtnn::shape_error);
    REQUIRE_THROWS_WITH(huge.size(), Catch::Matchers::Contains(
                                         "xtnn::io::ndarray::size: shape (1099511627776, "
                                         "1099511627776) claims more than 9223372036854775807 "
                                         "elements"));
}

TEST_CASE("ndarray: as<T> converts floats to integers only when they fit, naming any that do not")
{
    using Catch::Matchers::Contains;
    // In range after truncation toward zero: the C++ conversion is defined, and applied.
    require_equal(xtnn::io::to_ndarray(xt::xarray<double>{-0.9, 255.9}).as<std::uint8_t>(),
                  xt::xarray<std::uint8_t>{0, 255});
    require_equal(xtnn::io::to_ndarray(xt::xarray<double>{-128.9, 127.9}).as<std::int8_t>(),
                  xt::xarray<std::int8_t>{-128, 127});
    // The extremes of int32 and int64 that float and double hold exactly.
    require_equal(xtnn::io::to_ndarray(xt::xarray<float>{-2147483648.f}).as<std::int32_t>(),
                  xt::xarray<std::int32_t>{std::numeric_limits<std::int32_t>::min()});
    require_equal(
        xtnn::io::to_ndarray(xt::xarray<double>{-9223372036854775808.0}).as<std::int64_t>(),
        xt::xarray<std::int64_t>{std::numeric_limits<std::int64_t>::min()});

    // NaN, infinities and values outside the range are refused, not clamped.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const auto f4 = xtnn::io::to_ndarray(xt::xarray<float>{1.f, 2.f, float(nan)});
    REQUIRE_THROWS_AS(f4.as<int>(), xtnn::format_error);
    REQUIRE_THROWS_WITH(f4.as<int>(),
                        Contains("xtnn::io::ndarray::as: element 2 does not convert from <f4 to "
                                 "<i4; expected a value in [-2147483648, 2147483647] after "
                                 "truncation toward zero, got nan"));
    REQUIRE_THROWS_WITH(xtnn::io::to_ndarray(xt::xarray<double>{0.0, -inf}).as<std::int64_t>(),
                        Contains("element 1 does not convert from <f8 to <i8") &&
                            Contains("got -inf"));
    REQUIRE_THROWS_WITH(xtnn::io::to_ndarray(xt::xarray<double>{256.0}).as<std::uint8_t>(),
                        Contains("to |u1; expected a value in [0, 255] after truncation toward "
                                 "zero, got 256"));
    REQUIRE_THROWS_WITH(xtnn::io::to_ndarray(xt::xarray<double>{-1.0}).as<unsigned>(),
                        Contains("to <u4; expected a value in [0, 4294967295]") &&
                            Contains("got -1"));
    REQUIRE_THROWS_AS(xtnn::io::to_ndarray(xt::xarray<float>{2147483648.f}).as<std::int32_t>(),
                      xtnn::format_error);
    REQUIRE_THROWS_AS(
        xtnn::io::to_ndarray(xt::xarray<double>{9223372036854775808.0}).as<std::int64_t>(),
        xtnn::format_error);
    REQUIRE_THROWS_WITH(xtnn::io::to_ndarray(xt::xarray<double>{1e300}).as<std::uint64_t>(),
                        Contains("got 1.0000000000000001e+300"));

    // Floating-point targets and bool keep IEEE 754's and C++'s defined conversions.
    CHECK(std::isnan(xtnn::io::to_ndarray(xt::xarray<double>{nan}).as<float>()(0)));
    CHECK(xtnn::io::to_ndarray(xt::xarray<double>{nan, 0.0}).as<bool>()(0));
}

TEST_CASE("ndarray: make_ndarray reorders Fortran data into C order")
{
    // Fortran order stores element (i, j, k) of a (2, 3, 4) array at i + 2j + 6k.
    std::vector<std::uint8_t> raw(24);
    for (std::size_t n = 0; n < raw.size(); ++n)
    {
        raw[n] = static_cast<std::uint8_t>(n);
    }
    const auto array =
        xtnn::io::detail::make_ndarray(dtype::u1, false, {2, 3, 4}, true, raw.data(), raw.size());
    const auto x = array.as<int>();
    for (std::size_t i = 0; i < 2; ++i)
    {
        for (std::size_t j = 0; j < 3; ++j)
        {
            for (std::size_t k = 0; k < 4; ++k)
            {
                CHECK(x(i, j, k) == static_cast<int>(i + 2 * j + 6 * k));
            }
        }
    }
}

TEST_CASE("ndarray: make_ndarray swaps big-endian items")
{
    const std::uint8_t raw[] = {0x00, 0x00, 0x01, 0x2c, 0xff, 0xff, 0xff, 0xfe};  // >i4 300, -2
    const auto array = xtnn::io::detail::make_ndarray(dtype::i4, true, {2}, false, raw, 8);
    require_equal(array.as<int>(), xt::xarray<int>{300, -2});
}

TEST_CASE("ndarray: find_array looks names up in file order")
{
    xtnn::io::named_arrays arrays;
    arrays.emplace_back("W1", xtnn::io::to_ndarray(xt::xarray<float>{1.f}));
    arrays.emplace_back("b1", xtnn::io::to_ndarray(xt::xarray<double>{2.0}));
    REQUIRE(xtnn::io::find_array(arrays, "b1") != nullptr);
    CHECK(xtnn::io::find_array(arrays, "b1")->type == dtype::f8);
    CHECK(xtnn::io::find_array(arrays, "W2") == nullptr);
    CHECK(xtnn::io::find_array(arrays, "w1") == nullptr);
}
