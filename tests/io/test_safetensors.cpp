// SPDX-License-Identifier: MIT
// Tests for xtnn/io/safetensors.hpp and tensor_data.hpp: files written by
// tests/fixtures/make_torch_fixtures.py (F32, F16, BF16, F64, with and without metadata),
// round trips of tensors and of whole models (model.json in __metadata__, golden check
// replayed), and every malformed header refused with its message.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/io/safetensors.hpp>
#include <xtnn/io/tensor_data.hpp>
#include <xtnn/xtnn.hpp>

#include "approx.hpp"
#include "corruption.hpp"
#include "temp_files.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace
{
const std::string fixtures = std::string(XTNN_TEST_FIXTURES) + "/torch/";

// A file whose header is `header` (padded to 8 as the reference writer does) and whose data
// is `data_size` bytes 0, 1, 2, ...
std::vector<std::uint8_t> file_of(std::string header, std::size_t data_size)
{
    std::vector<std::uint8_t> out;
    xtnn::detail::store_le<std::uint64_t>(out, header.size());
    out.insert(out.end(), header.begin(), header.end());
    for (std::size_t i = 0; i < data_size; ++i)
    {
        out.push_back(static_cast<std::uint8_t>(i));
    }
    return out;
}

xtnn::io::safetensors_content parse(const std::vector<std::uint8_t>& bytes)
{
    return xtnn::io::parse_safetensors(bytes.data(), bytes.size(), "t.safetensors");
}

const std::string prefix = "xtnn::io::parse_safetensors: \"t.safetensors\": ";
}  // namespace

TEST_CASE("safetensors: float16 and bfloat16 widen to float32 exactly")
{
    using xtnn::io::detail::bfloat16_to_float;
    using xtnn::io::detail::half_to_float;
    CHECK(half_to_float(0x3c00) == 1.0f);
    CHECK(half_to_float(0xc000) == -2.0f);
    CHECK(half_to_float(0x7bff) == 65504.0f);                   // largest half
    CHECK(half_to_float(0x0400) == std::ldexp(1.0f, -14));      // smallest normal
    CHECK(half_to_float(0x0001) == std::ldexp(1.0f, -24));      // smallest subnormal
    CHECK(half_to_float(0x03ff) == std::ldexp(1023.0f, -24));   // largest subnormal
    CHECK(half_to_float(0x3555) == 0.333251953125f);
    CHECK(std::signbit(half_to_float(0x8000)));
    CHECK(half_to_float(0x7c00) == std::numeric_limits<float>::infinity());
    CHECK(std::isnan(half_to_float(0x7e00)));
    CHECK(bfloat16_to_float(0x3f80) == 1.0f);
    CHECK(bfloat16_to_float(0xc0a0) == -5.0f);
    CHECK(bfloat16_to_float(0x3eaa) == 0.33203125f);
    CHECK(bfloat16_to_float(0xff80) == -std::numeric_limits<float>::infinity());
}

TEST_CASE("safetensors: the fixtures read as the state_dicts torch wrote, in F32, F16, BF16 and F64")
{
    const auto f32 = xtnn::io::read_safetensors(fixtures + "mlp_a.safetensors");
    REQUIRE(f32.tensors.size() == 11);
    CHECK(f32.tensors[0].first == "0.weight");
    CHECK(f32.tensors[0].second.shape == std::vector<std::size_t>{8, 6});
    CHECK(f32.tensors[6].first == "1.num_batches_tracked");
    CHECK(f32.tensors[6].second.type == xtnn::io::dtype::i8);
    CHECK(f32.tensors[6].second.shape.empty());
    CHECK(f32.tensors[6].second.as<std::int64_t>()() == 30);  // 30 training steps
    REQUIRE(f32.metadata.size() == 1);
    CHECK(*f32.find_metadata("format") == "pt");
    CHECK_FALSE(xtnn::io::is_safetensors_model(f32));

    const auto f64 = xtnn::io::read_safetensors(fixtures + "mlp_a_f64.safetensors");
    const auto f16 = xtnn::io::read_safetensors(fixtures + "mlp_a_f16.safetensors");
    const auto bf16 = xtnn::io::read_safetensors(fixtures + "mlp_a_bf16.safetensors");
    CHECK(f64.metadata.empty());
    for (std::size_t t = 0; t < f32.tensors.size(); ++t)
    {
        CAPTURE(f32.tensors[t].first);
        CHECK(f64.tensors[t].first == f32.tensors[t].first);
        CHECK(f16.tensors[t].second.shape == f32.tensors[t].second.shape);
        if (f32.tensors[t].second.type != xtnn::io::dtype::f4)
        {
            continue;
        }
        CHECK(f16.tensors[t].second.type == xtnn::io::dtype::f4);  // widened
        CHECK(bf16.tensors[t].second.type == xtnn::io::dtype::f4);
        CHECK(f64.tensors[t].second.type == xtnn::io::dtype::f8);
        const auto exact = f32.tensors[t].second.as<double>();
        // float32 -> float16 (10 mantissa bits) and bfloat16 (7), rounded to nearest
        xtnn_test::require_all_close(f16.tensors[t].second.as<double>(), exact, 1.0 / 1024);
        xtnn_test::require_all_close(bf16.tensors[t].second.as<double>(), exact, 1.0 / 128);
        xtnn_test::require_all_close(f64.tensors[t].second.as<double>(), exact, 1e-7);
    }
}

TEST_CASE("safetensors: tensors of every dtype xtnn holds round-trip, with metadata, 8-aligned")
{
    xtnn::io::named_arrays tensors;
    tensors.emplace_back("w", xtnn::io::to_ndarray(xt::xarray<float>{{1.5f, -2.0f}, {0.25f, 8.0f}}));
    tensors.emplace_back("d", xtnn::io::to_ndarray(xt::xarray<double>{1e-300, -3.0}));
    tensors.emplace_back("i", xtnn::io::to_ndarray(xt::xarray<std::int64_t>{-5, 7, 1LL << 40}));
    tensors.emplace_back("s", xtnn::io::to_ndarray(xt::xarray<std::int16_t>{-300}));
    tensors.emplace_back("u", xtnn::io::to_ndarray(xt::xarray<std::uint8_t>{0, 255}));
    tensors.emplace_back("b", xtnn::io::to_ndarray(xt::xarray<bool>{true, false, true}));
    tensors.emplace_back("empty", xtnn::io::to_ndarray(xt::xarray<float>::from_shape({0, 3})));
    const auto bytes = xtnn::io::format_safetensors(tensors, {{"note", "x"}, {"k", "\"q\""}});
    const auto header = xtnn::detail::load_le<std::uint64_t>(bytes.data());
    CHECK(header % 8 == 0);
    const auto back = parse(bytes);
    REQUIRE(back.tensors.size() == tensors.size());
    for (std::size_t t = 0; t < tensors.size(); ++t)
    {
        CHECK(back.tensors[t].first == tensors[t].first);
        CHECK(back.tensors[t].second.type == tensors[t].second.type);
        CHECK(back.tensors[t].second.shape == tensors[t].second.shape);
        CHECK(back.tensors[t].second.data == tensors[t].second.data);
    }
    CHECK(back.metadata == std::vector<std::pair<std::string, std::string>>{{"note", "x"},
                                                                            {"k", "\"q\""}});

    const xtnn_test::temp_dir dir;
    xtnn::io::save_safetensors(tensors, dir.file("t.safetensors"), {{"note", "x"}, {"k", "\"q\""}});
    CHECK(xtnn::detail::read_file(dir.file("t.safetensors"), "test") == bytes);
    CHECK_FALSE(xtnn_test::temporary_left_beside(dir.file("t.safetensors")));

    xtnn::io::named_arrays twice = tensors;
    twice.push_back(tensors[0]);
    CHECK_THROWS_WITH(xtnn::io::format_safetensors(twice), Contains("tensor name \"w\" appears twice"));
}

TEST_CASE("safetensors: a whole model reloads with its layers and replays its golden check")
{
    std::mt19937_64 rng(3);
    xtnn::network<float> net{xtnn::rescale(0.5, -1.0), xtnn::dense(5, 6), xtnn::batch_norm(),
                             xtnn::gelu(), xtnn::dense(3), xtnn::softmax()};
    xtnn::initialize(net, rng, xtnn::init_kind::he);
    auto& mean = net.layer<xtnn::batch_norm<float>>(2).running_mean();
    mean(0) = 0.1f;
    mean(4) = -0.5f;
    xtnn::io::model_info info;
    info.classes = {"a", "b", "c"};
    const xtnn_test::temp_dir dir;
    const std::string path = dir.file("m.safetensors");
    xtnn::io::save_safetensors_model(net, path, info);

    // Plain safetensors: the arrays under the model file's names and layouts.
    const auto content = xtnn::io::read_safetensors(path);
    REQUIRE(xtnn::io::is_safetensors_model(content));
    const xtnn::io::ndarray* kernel = xtnn::io::find_array(content.tensors, "dense_1/kernel");
    REQUIRE(kernel);
    CHECK(kernel->shape == std::vector<std::size_t>{5, 6});
    CHECK(xtnn::io::find_array(content.tensors, "check/outputs"));

    const auto loaded = xtnn::io::load_safetensors_model<float>(path);
    CHECK(loaded.net.describe() == net.describe());
    CHECK(loaded.info.classes == info.classes);
    const xtnn::matrix<float> x = {{0.0f, 1.0f, 2.0f, 3.0f, 4.0f}};
    xtnn_test::require_equal(loaded.net.predict(x), net.predict(x));
    const auto as_double = xtnn::io::load_safetensors_model<double>(path);
    CHECK(as_double.net.describe() == net.describe());

    // A changed weight is caught by its CRC-32, named.
    auto bytes = xtnn::detail::read_file(path, "test");
    const std::size_t data_start = 8 + xtnn::detail::load_le<std::uint64_t>(bytes.data());
    bytes[data_start + 1] ^= 0x40;  // the first tensor: dense_1/kernel
    CHECK_THROWS_WITH(xtnn::io::safetensors_to_model<float>(parse(bytes), "m"),
                      Contains("array \"dense_1/kernel\" has CRC-32") &&
                          Contains("(the array was changed)"));
    // Without model.json: the layers must come from elsewhere.
    CHECK_THROWS_WITH(xtnn::io::load_safetensors_model<float>(fixtures + "mlp_a.safetensors"),
                      Contains("no __metadata__[\"model.json\"]: the file holds tensors but no "
                               "architecture"));
}

TEST_CASE("safetensors: malformed files are refused, each with its message")
{
    const std::string entry = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    REQUIRE(parse(file_of("{" + entry + "}", 8)).tensors.size() == 1);
    REQUIRE(parse(file_of("{" + entry + "}    ", 8)).tensors.size() == 1);  // padded

    SECTION("a header longer than the file")
    {
        auto bytes = file_of("{}", 8);
        xtnn::detail::patch_le<std::uint64_t>(bytes, 0, 70);
        CHECK_THROWS_WITH(parse(bytes),
                          Equals(prefix + "header length 70 is longer than the file (10 bytes "
                                          "after the length)"));
    }
    SECTION("a huge header length")
    {
        auto bytes = file_of("{}", 0);
        xtnn::detail::patch_le<std::uint64_t>(bytes, 0, 0xffffffffffffff00ull);
        CHECK_THROWS_WITH(parse(bytes),
                          Equals(prefix + "header length 18446744073709551360 exceeds the limit "
                                          "of 100000000 bytes; this is not a safetensors file, "
                                          "or a damaged one"));
        CHECK_THROWS_WITH(parse({1, 2, 3}),
                          Equals(prefix + "3 bytes; a safetensors file starts with an 8-byte "
                                          "header length"));
    }
    SECTION("overlapping offsets")
    {
        const auto bytes = file_of(
            R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            12);
        CHECK_THROWS_WITH(parse(bytes), Equals(prefix + "tensor \"b\" (bytes 4 to 12) overlaps \"a\" "
                                                        "(bytes 0 to 8)"));
    }
    SECTION("offsets past the data")
    {
        const auto bytes = file_of("{" + entry + "}", 7);
        CHECK_THROWS_WITH(parse(bytes), Equals(prefix + "tensor \"a\": data_offsets [0, 8] reach "
                                                        "past the data (7 bytes)"));
    }
    SECTION("unordered offsets: the end before the begin")
    {
        const auto bytes =
            file_of(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8);
        CHECK_THROWS_WITH(parse(bytes), Equals(prefix + "tensor \"a\": data_offsets [8, 0] end "
                                                        "before they begin"));
    }
    SECTION("a gap, and bytes left over")
    {
        const auto gap = file_of(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", 4);
        CHECK_THROWS_WITH(parse(gap), Equals(prefix + "tensor \"a\" begins at byte 2; the data "
                                                      "before it ends at 0 (a gap: the tensors "
                                                      "must follow one another)"));
        const auto over = file_of("{" + entry + "}", 9);
        CHECK_THROWS_WITH(parse(over), Equals(prefix + "the tensors end at byte 8 of the data; the "
                                                       "file holds 9 (bytes no tensor accounts "
                                                       "for)"));
    }
    SECTION("a size that does not match dtype and shape")
    {
        const auto bytes =
            file_of(R"({"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,8]}})", 8);
        CHECK_THROWS_WITH(parse(bytes), Equals(prefix + "tensor \"a\": F16 of shape (2, 3) needs 12 "
                                                        "bytes; data_offsets give 8"));
        const auto huge = file_of(
            R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8);
        CHECK_THROWS_WITH(parse(huge), Contains("needs more than 2^63 bytes"));
    }
    SECTION("a name given twice")
    {
        const auto bytes = file_of("{" + entry + "," + entry + "}", 8);
        CHECK_THROWS_WITH(parse(bytes), Equals(prefix + "the header names \"a\" twice"));
    }
    SECTION("an unsupported dtype, a bad shape, metadata that is not text, not JSON")
    {
        CHECK_THROWS_WITH(
            parse(file_of(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1)),
            Equals(prefix + "tensor \"a\": dtype \"F8_E4M3\" is not supported; expected one of F32, "
                            "F64, F16, BF16, I8, I16, I32, I64, U8, U16, U32, U64, BOOL"));
        CHECK_THROWS_WITH(
            parse(file_of(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1)),
            Equals(prefix + "tensor \"a\": shape [-1] is not a list of whole numbers >= 0"));
        CHECK_THROWS_WITH(parse(file_of(R"({"__metadata__":{"n":1}})", 0)),
                          Equals(prefix + "__metadata__ \"n\" is number; expected a string"));
        CHECK_THROWS_WITH(parse(file_of(R"({"a":1)", 0)),
                          Contains(prefix + "the header is not valid JSON"));
        CHECK_THROWS_WITH(parse(file_of(R"([1, 2])", 0)),
                          Equals(prefix + "the header does not start with '{'; expected a JSON "
                                          "object"));
    }
}

TEST_CASE("safetensors: every truncation and flipped byte of a file ends in an xtnn::error")
{
    const auto bytes = xtnn::detail::read_file(fixtures + "mlp_a_f16.safetensors", "test");
    xtnn_test::require_damage_is_refused(bytes, [](const std::vector<std::uint8_t>& b)
                                         { return parse(b); });
}

TEST_CASE("tensor_data: a strided view is gathered in C order and refused past its storage")
{
    // storage 0..11 as float32; the view (offset 1, shape (2, 3), strides (1, 4)) is the
    // transpose of a (3, 4) block: [[1, 5, 9], [2, 6, 10]]
    std::vector<std::uint8_t> storage(12 * 4);
    for (int i = 0; i < 12; ++i)
    {
        const float v = static_cast<float>(i);
        std::memcpy(storage.data() + 4 * i, &v, 4);
    }
    const auto view = xtnn::io::gather_strided(xtnn::io::element_type::f32, storage.data(), 12, 1,
                                               {2, 3}, {1, 4}, "t");
    xtnn_test::require_equal(view.as<float>(), xt::xarray<float>{{1, 5, 9}, {2, 6, 10}});
    const auto expanded = xtnn::io::gather_strided(xtnn::io::element_type::f32, storage.data(), 12,
                                                   11, {2, 2}, {0, 0}, "t");
    xtnn_test::require_equal(expanded.as<float>(), xt::xarray<float>{{11, 11}, {11, 11}});
    CHECK_THROWS_WITH(xtnn::io::gather_strided(xtnn::io::element_type::f32, storage.data(), 12, 4,
                                               {2, 3}, {1, 4}, "t"),
                      Equals("t: the view (offset 4, shape (2, 3), strides (1, 4)) reaches element "
                             "13 of a storage of 12 elements"));
    CHECK_THROWS_WITH(xtnn::io::gather_strided(xtnn::io::element_type::f32, storage.data(), 12, 0,
                                               {3}, {std::size_t(1) << 63}, "t"),
                      Contains("reaches element past 2^64"));
}
