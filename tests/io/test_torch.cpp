// SPDX-License-Identifier: MIT
// Tests for xtnn/io/torch.hpp and the unpickler's torch dialect (pickle.hpp): state_dict files
// written by torch.save (tests/fixtures/make_torch_fixtures.py, torch 1.13) in float32,
// float16, bfloat16, float64 and integer types, with strided and offset views; and what is
// refused — a whole pickled model, the legacy format, TorchScript, other globals, storages
// that lie about their size, views past their storage, missing storages, damaged archives —
// each with its message.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <xtnn/detail/file.hpp>
#include <xtnn/io/safetensors.hpp>
#include <xtnn/io/torch.hpp>
#include <xtnn/io/zip.hpp>

#include "approx.hpp"
#include "corruption.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using namespace std::string_literals;

namespace
{
const std::string fixtures = std::string(XTNN_TEST_FIXTURES) + "/torch/";

std::vector<std::uint8_t> fixture(const std::string& name)
{
    return xtnn::detail::read_file(fixtures + name, "test");
}

xtnn::io::named_arrays parse(const std::vector<std::uint8_t>& bytes)
{
    return xtnn::io::parse_torch_state_dict(bytes.data(), bytes.size(), "t.pt");
}

const std::string prefix = "xtnn::io::parse_torch_state_dict: \"t.pt\": ";

std::vector<std::uint8_t> replace(std::vector<std::uint8_t> bytes, const std::string& from,
                                  const std::string& to)
{
    const std::string text(bytes.begin(), bytes.end());
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(text.find(from, at + 1) == std::string::npos);
    bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                bytes.begin() + static_cast<std::ptrdiff_t>(at + from.size()));
    bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), to.begin(), to.end());
    return bytes;
}

// mlp_b.pt with its data.pkl edited (from -> to) and members dropped, zipped again.
std::vector<std::uint8_t> edited_mlp_b(const std::string& from, const std::string& to,
                                       const std::string& drop = "")
{
    const auto bytes = fixture("mlp_b.pt");
    auto members = xtnn::io::parse_zip(bytes.data(), bytes.size(), "mlp_b.pt");
    std::vector<xtnn::io::zip_member> kept;
    for (auto& member : members)
    {
        if (member.name == "mlp_b/data.pkl" && !from.empty())
        {
            member.data = replace(member.data, from, to);
        }
        if (member.name != drop)
        {
            kept.push_back(member);
        }
    }
    return xtnn::io::detail::format_zip(kept, false, "test");
}
}  // namespace

TEST_CASE("torch: a state_dict reads in its order, with the values torch saved")
{
    const auto tensors = xtnn::io::read_torch_state_dict(fixtures + "mlp_a.pt");
    const std::vector<std::string> names = {"0.weight",       "0.bias",        "1.weight",
                                            "1.bias",         "1.running_mean", "1.running_var",
                                            "1.num_batches_tracked", "4.weight", "4.bias",
                                            "6.weight",       "6.bias"};
    REQUIRE(tensors.size() == names.size());
    // The same tensors, written as safetensors by the fixture script's own writer.
    const auto same = xtnn::io::read_safetensors(fixtures + "mlp_a.safetensors").tensors;
    for (std::size_t i = 0; i < names.size(); ++i)
    {
        CAPTURE(names[i]);
        CHECK(tensors[i].first == names[i]);
        CHECK(tensors[i].second.type == same[i].second.type);
        CHECK(tensors[i].second.shape == same[i].second.shape);
        CHECK(tensors[i].second.data == same[i].second.data);
    }
    CHECK(tensors[0].second.shape == std::vector<std::size_t>{8, 6});  // Linear: (out, in)
    CHECK(tensors[6].second.type == xtnn::io::dtype::i8);               // int64
}

TEST_CASE("torch: float16, bfloat16 and float64 state_dicts read as the safetensors of them do")
{
    for (const char* suffix : {"f16", "bf16", "f64"})
    {
        CAPTURE(suffix);
        const auto pt = xtnn::io::read_torch_state_dict(fixtures + "mlp_a_" + suffix + ".pt");
        const auto st =
            xtnn::io::read_safetensors(fixtures + "mlp_a_" + suffix + ".safetensors").tensors;
        REQUIRE(pt.size() == st.size());
        for (std::size_t i = 0; i < pt.size(); ++i)
        {
            CHECK(pt[i].first == st[i].first);
            CHECK(pt[i].second.type == st[i].second.type);  // f16, bf16 -> f4
            CHECK(pt[i].second.data == st[i].second.data);
        }
    }
}

TEST_CASE("torch: strided and offset views into shared storages are gathered")
{
    // make_torch_fixtures.py: 0.weight = big[2:6, 1:11:2] of an (8, 11) storage (offset 23,
    // strides (11, 2)); 2.weight the transpose of a (4, 3) matrix; the biases slices 1:5 and
    // 6:9 of one storage of 10. Checked against the same tensors made contiguous by torch.
    const auto tensors = xtnn::io::read_torch_state_dict(fixtures + "strided.pt");
    REQUIRE(tensors.size() == 4);
    CHECK(tensors[0].second.shape == std::vector<std::size_t>{4, 5});
    CHECK(tensors[2].second.shape == std::vector<std::size_t>{3, 4});
    CHECK(tensors[3].second.shape == std::vector<std::size_t>{3});
    // The storage of 0.weight is (8, 11): its element (r, c) of the view is storage[23 + 11r + 2c].
    const auto bytes = fixture("strided.pt");
    const auto members = xtnn::io::parse_zip(bytes.data(), bytes.size(), "strided.pt");
    const xtnn::io::zip_member* big = nullptr;
    for (const auto& m : members)
    {
        big = m.data.size() == 8 * 11 * 4 ? &m : big;
    }
    REQUIRE(big);
    const auto storage = xtnn::io::decode_elements(xtnn::io::element_type::f32, {88},
                                                   big->data.data(), 88).as<float>();
    const auto w = tensors[0].second.as<float>();
    for (std::size_t r = 0; r < 4; ++r)
    {
        for (std::size_t c = 0; c < 5; ++c)
        {
            CHECK(w(r, c) == storage(23 + 11 * r + 2 * c));
        }
    }
}

TEST_CASE("torch: integer and bool tensors read as their numpy types")
{
    const auto tensors = xtnn::io::read_torch_state_dict(fixtures + "with_ints.pt");
    const auto* steps = xtnn::io::find_array(tensors, "extra.steps");
    const auto* mask = xtnn::io::find_array(tensors, "extra.mask");
    const auto* codes = xtnn::io::find_array(tensors, "extra.codes");
    REQUIRE((steps && mask && codes));
    CHECK(steps->type == xtnn::io::dtype::i4);
    xtnn_test::require_equal(steps->as<int>(), xt::xarray<int>{{0, 1, 2}, {3, 4, 5}});
    CHECK(mask->type == xtnn::io::dtype::b1);
    xtnn_test::require_equal(mask->as<int>(), xt::xarray<int>{1, 0, 1});
    CHECK(codes->type == xtnn::io::dtype::i1);
    xtnn_test::require_equal(codes->as<int>(), xt::xarray<int>{-3, 7});
}

TEST_CASE("torch: a whole pickled model is refused, naming the class it would construct")
{
    CHECK_THROWS_WITH(
        parse(fixture("whole_model.pt")),
        Equals(prefix + "member \"whole_model/data.pkl\": global "
                        "'torch.nn.modules.container.Sequential' at offset 2 is not allowed: "
                        "loading the file would construct or call "
                        "torch.nn.modules.container.Sequential. xtnn reads state dicts of tensors "
                        "(torch.save(model.state_dict(), path)), not whole models "
                        "(torch.save(model)) or other objects"));
}

TEST_CASE("torch: any other global is refused by name")
{
    CHECK_THROWS_WITH(parse(edited_mlp_b("ccollections\nOrderedDict\n", "cposix\nsystem\n")),
                      Contains("global 'posix.system' at offset 2 is not allowed: loading the file "
                               "would construct or call posix.system."));
    CHECK_THROWS_WITH(parse(edited_mlp_b("ctorch._utils\n_rebuild_tensor_v2\n",
                                         "cnumpy.core.multiarray\n_reconstruct\n")),
                      Contains("global 'numpy.core.multiarray._reconstruct' at offset 49 is not "
                               "allowed"));
    CHECK_THROWS_WITH(parse(edited_mlp_b("ctorch\nFloatStorage\n", "ctorch\nComplexFloatStorage\n")),
                      Contains("global 'torch.ComplexFloatStorage' at offset 100 is not allowed"));
}

TEST_CASE("torch: the legacy format is refused, saying which torch wrote it and how to re-save")
{
    CHECK_THROWS_WITH(parse(fixture("legacy.pt")),
                      Equals(prefix + "a PyTorch file in the legacy format (not a zip), written by "
                                      "torch older than 1.6 or with "
                                      "_use_new_zipfile_serialization=False; re-save it with torch "
                                      "1.6 or later: torch.save(torch.load(path), new_path)"));
}

TEST_CASE("torch: a storage whose size lies, a view past its storage, a missing storage")
{
    // 0.weight (8, 5) lives in storage "0" of 40 float32s; data.pkl is made to say 41.
    CHECK_THROWS_WITH(parse(edited_mlp_b("cpuq\x07K(tq\x08Q", "cpuq\x07K)tq\x08Q")),
                      Equals(prefix + "tensor '0.weight': its storage \"mlp_b/data/0\" holds 160 "
                                      "bytes; data.pkl says 41 elements of float32 (164 bytes)"));
    // ... and its view to start at offset 1: it then ends at element 40 of 40.
    CHECK_THROWS_WITH(parse(edited_mlp_b("QK\x00K\x08K\x05\x86"s, "QK\x01K\x08K\x05\x86"s)),
                      Equals(prefix + "tensor '0.weight': the view (offset 1, shape (8, 5), strides "
                                      "(5, 1)) reaches element 40 of a storage of 40 elements"));
    CHECK_THROWS_WITH(parse(edited_mlp_b("", "", "mlp_b/data/3")),
                      Equals(prefix + "tensor '2.bias': its storage \"mlp_b/data/3\" is not in the "
                                      "archive"));
}

TEST_CASE("torch: archives that are not state_dict files")
{
    const auto zip = [](std::vector<xtnn::io::zip_member> members)
    { return xtnn::io::detail::format_zip(members, false, "test"); };
    CHECK_THROWS_WITH(parse(zip({{"m/data.pkl", {0x80, 0x02, '}', '.'}},
                                 {"m/constants.pkl", {0x80, 0x02, ')', '.'}}})),
                      Equals(prefix + "a TorchScript archive (torch.jit.save): it holds code, not a "
                                      "state_dict; save the weights with "
                                      "torch.save(model.state_dict(), path)"));
    CHECK_THROWS_WITH(parse(zip({{"notes.txt", {'x'}}})),
                      Equals(prefix + "no <prefix>/data.pkl member: a zip archive, but not one "
                                      "torch.save wrote"));
    CHECK_THROWS_WITH(parse(zip({{"m/data.pkl", {0x80, 0x02, 'K', 1, '.'}}})),
                      Contains("the pickled object is a int; expected a state_dict"));
    CHECK_THROWS_WITH(parse({'n', 'o', 'p', 'e'}),
                      Equals(prefix + "not a PyTorch file: expected a zip archive (starting with "
                                      "\"PK\"), as torch.save writes since torch 1.6"));
}

TEST_CASE("torch: every truncation of a .pt and every damage to its data.pkl ends in an xtnn::error")
{
    const auto bytes = fixture("mlp_b.pt");
    for (std::size_t size = 0; size < bytes.size(); ++size)
    {
        CAPTURE(size);
        REQUIRE_THROWS_AS(parse({bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size)}),
                          xtnn::format_error);
    }
    CHECK_THROWS_WITH(parse({bytes.begin(), bytes.begin() + 2000}),
                      Equals(prefix + "no zip end-of-central-directory record in 2000 bytes; "
                                      "expected a zip archive"));
    // torch's writer adds zip64 end records even to small archives: they must agree with
    // the plain end record, here made to say its directory is elsewhere.
    auto lying = bytes;
    xtnn::detail::patch_le<std::uint32_t>(lying, lying.size() - 6, 0x7fff0000u);
    CHECK_THROWS_WITH(parse(lying), Equals(prefix + "the zip64 end record is missing or disagrees "
                                                    "with the end record; zip64 archives are not "
                                                    "supported"));
    const auto members = xtnn::io::parse_zip(bytes.data(), bytes.size(), "mlp_b.pt");
    xtnn_test::require_damage_is_refused(
        members[0].data,
        [](const std::vector<std::uint8_t>& pickle)
        {
            return xtnn::io::detail::pickle_machine(pickle.data(), pickle.size(), "t",
                                                    xtnn::io::detail::pickle_dialect::torch_state_dict)
                .run_torch();
        });
}

TEST_CASE("torch: a dict cannot be made to contain itself")
{
    // {} memo0, then d['k'] = d via BINGET 0: refused (no reference cycle is ever built).
    const std::vector<std::uint8_t> cycle = {0x80, 0x02, '}', 'q', 0, 'X', 1, 0, 0, 0, 'k', 'h', 0, 's', '.'};
    CHECK_THROWS_WITH(xtnn::io::detail::pickle_machine(cycle.data(), cycle.size(), "t",
                                                       xtnn::io::detail::pickle_dialect::torch_state_dict)
                          .run_torch(),
                      Contains("value for key 'k' at offset 13 is a the dict itself"));
    // d2 = {}; d1 = {'a': d2}; then d2['b'] = 1: d2 is inside d1, so it takes no items.
    const std::vector<std::uint8_t> frozen = {0x80, 0x02, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a',
                                              '}', 'q', 1, 's', 'h', 1, 'X', 1, 0, 0, 0,
                                              'b', 'K', 1, 's', '.'};
    CHECK_THROWS_WITH(xtnn::io::detail::pickle_machine(frozen.data(), frozen.size(), "t",
                                                       xtnn::io::detail::pickle_dialect::torch_state_dict)
                          .run_torch(),
                      Contains("adds to a dict that is already inside another value"));
}
